"""A ticket's event log: every change recorded with who, when, what, before and after.

Writers of a ticket serialise on its row with :func:`lock_ticket` before they read the
state they act on, so two concurrent changes never both pass their checks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dispatch.models import Ticket, TicketEvent, User


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def lock_ticket(*, session: Session, ticket: Ticket) -> None:
    """Lock ``ticket``'s row for this transaction and re-read it.

    A no-op ``UPDATE`` takes the row lock on PostgreSQL (waiting for a concurrent writer to
    commit) and the write lock on SQLite, where ``SELECT ... FOR UPDATE`` does not exist;
    the refresh then sees what the other writer committed. Pending changes are flushed
    first.
    """
    session.flush()
    session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id)
        .values(updated_at=Ticket.updated_at)
        .execution_options(synchronize_session=False)
    )
    session.refresh(ticket)


def record_event(
    *,
    session: Session,
    ticket: Ticket,
    kind: str,
    at: dt.datetime,
    actor: User | None = None,
    reason: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> TicketEvent:
    """Append an event to ``ticket``'s history with the next sequence number.

    Parameters
    ----------
    session
        Open session; the caller commits.
    ticket
        The ticket (flushed or not).
    kind
        ``created``, ``transition``, ``sla``, ``escalated``, ``updated``...
    at
        When it happened (aware).
    actor
        Who did it; ``None`` for the system.
    before, after
        The changed facts; datetimes are stored as ISO 8601 strings.
    """
    if ticket.id is None:
        session.flush()
    highest = session.scalar(
        select(func.max(TicketEvent.seq)).where(TicketEvent.ticket_id == ticket.id)
    )
    event = TicketEvent(
        ticket=ticket,
        seq=(highest or 0) + 1,
        at=at,
        actor_id=actor.id if actor is not None else None,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        before=_jsonable(dict(before)) if before is not None else None,
        after=_jsonable(dict(after)) if after is not None else None,
    )
    session.add(event)
    session.flush()
    return event
