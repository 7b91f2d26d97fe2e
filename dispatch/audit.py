"""The audit trail of master data: who changed which record when, before and after.

Every write to master data (regions, customers, sites, assets, engineers, absences,
users) records one :class:`~dispatch.models.AuditEntry` through :func:`record`. Secrets
never enter it: callers pass the changed fields only, and a password change as the fact
that it changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from dispatch.history import _jsonable
from dispatch.models import AuditEntry


def record(
    *,
    session: Session,
    actor_id: int | None,
    entity: str,
    entity_id: int,
    action: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> AuditEntry:
    """Append an audit entry (flushed; the caller commits).

    Parameters
    ----------
    session
        Open session.
    actor_id
        The user who made the change (``None``: the system, e.g. a CLI import).
    entity
        The kind of record: ``region``, ``customer``, ``site``, ``asset``, ``engineer``,
        ``absence``, ``user``.
    entity_id
        The record's id.
    action
        ``created``, ``updated``, ``deactivated``, ``password_reset``...
    before, after
        The changed fields (datetimes stored as ISO 8601); ``None`` for a creation's
        before.
    """
    entry = AuditEntry(
        actor_id=actor_id,
        entity=entity,
        entity_id=entity_id,
        action=action,
        before=_jsonable(dict(before)) if before is not None else None,
        after=_jsonable(dict(after)) if after is not None else None,
    )
    session.add(entry)
    session.flush()
    return entry
