"""Planning: problems from rows, plans, publishing, optimisation runs, dispatch-now, housekeeping."""
