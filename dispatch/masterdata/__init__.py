"""Master data: regions, customers, sites, assets and engineers (list, read, create,
update, deactivate), each change checked (errors name the field) and audited
(:func:`dispatch.infra.audit.record`). One module per kind; :mod:`.common` holds what they share.
"""
