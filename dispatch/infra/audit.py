"""The audit trail of master-data changes: one helper writes every entry.

Every service that changes master data (regions, customers, sites, assets, engineers,
absences, users, imports) calls :func:`record` in the same transaction as the change, with
only the fields that changed in ``before``/``after``. Values are stored JSON-safe: dates and
instants as ISO 8601 strings, decimals as strings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from dispatch.infra.paging import Page, paginate
from dispatch.models import AuditEntry


def json_safe(value: Any) -> Any:
    """``value`` as something JSON can hold (ISO strings for dates, strings for decimals).

    Lists, tuples and mappings are converted element by element.
    """
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return json_safe(value.value)
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(v) for v in value]
    return str(value)


def changed_fields(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields whose (JSON-safe) values differ, as ``(before, after)`` dictionaries.

    A key present in only one of the two mappings counts as changed (``None`` on the other);
    equal values of different spelling (``Decimal("0")`` and ``Decimal("0.00")``) do not.
    """
    old_values: dict[str, Any] = {}
    new_values: dict[str, Any] = {}
    for key in sorted(set(before) | set(after)):
        raw_old, raw_new = before.get(key), after.get(key)
        old, new = json_safe(raw_old), json_safe(raw_new)
        if old != new and not (isinstance(raw_old, Decimal) and raw_old == raw_new):
            old_values[key] = old
            new_values[key] = new
    return old_values, new_values


def record(
    *,
    session: Session,
    actor_id: int | None,
    entity: str,
    entity_id: int,
    action: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    at: dt.datetime | None = None,
) -> AuditEntry:
    """Add one audit entry for a change of ``entity`` ``entity_id`` (not committed).

    Parameters
    ----------
    session
        The session of the change itself (the entry commits or rolls back with it).
    actor_id
        The user who made the change; ``None`` for the system (e.g. a CLI import).
    entity
        The kind: ``region``, ``customer``, ``site``, ``asset``, ``engineer``, ``absence``,
        ``user``...
    entity_id
        The changed record's id.
    action
        ``created``, ``updated``, ``deactivated``, ``cancelled``, ``imported``...
    before, after
        Only the changed fields, before and after (``None`` for a creation's before); values
        are made JSON-safe here.
    at
        When the change happened; the database default (now) when ``None``.

    Returns
    -------
    AuditEntry
        The added entry (flushed, so it has an id).
    """
    entry = AuditEntry(
        actor_id=actor_id,
        entity=entity,
        entity_id=entity_id,
        action=action,
        before=None if before is None else json_safe(before),
        after=None if after is None else json_safe(after),
    )
    if at is not None:
        entry.at = at
    session.add(entry)
    session.flush()
    return entry


def list_audit(
    *,
    session: Session,
    entity: str | None = None,
    entity_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Page[AuditEntry]:
    """Audit entries, newest first, optionally of one kind and one record."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    return paginate(session, query, limit=limit, offset=offset)


def record_many(
    *,
    session: Session,
    actor_id: int | None,
    entity: str,
    action: str,
    changes: Sequence[tuple[int, Mapping[str, Any] | None, Mapping[str, Any] | None]],
    at: dt.datetime,
) -> None:
    """Add one audit entry per ``(entity_id, before, after)`` in one statement (bulk imports).

    The same entries as :func:`record` called for each change, without a flush per entry.
    """
    if not changes:
        return
    session.execute(
        insert(AuditEntry),
        [
            {
                "actor_id": actor_id,
                "entity": entity,
                "entity_id": entity_id,
                "action": action,
                "before": None if before is None else json_safe(before),
                "after": None if after is None else json_safe(after),
                "at": at,
            }
            for entity_id, before, after in changes
        ],
    )
