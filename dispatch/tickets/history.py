"""A ticket's event log: every change recorded with who, when, what, before and after.

Writers of a ticket serialise on its row with :func:`lock_ticket` before they read the
state they act on, so two concurrent changes never both pass their checks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dispatch.infra.events import emit
from dispatch.models import Ticket, TicketEvent, User


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


_LOCKED = "dispatch.history.locked"
"""``session.info`` key: (transaction, {ticket id: last event seq}) of tickets locked in bulk."""

_CHUNK = 2000
"""Ticket ids per ``IN`` list (SQLite limits bound parameters)."""


def _locked(session: Session) -> dict[int, int]:
    """Tickets locked in bulk in the current transaction, with their last event number."""
    held = session.info.get(_LOCKED)
    if held is None or held[0] is not session.get_transaction():
        return {}
    seqs: dict[int, int] = held[1]
    return seqs


def lock_tickets(*, session: Session, tickets: Collection[Ticket]) -> None:
    """Lock many tickets' rows for this transaction at once and re-read them.

    The bulk form of :func:`lock_ticket` for a writer that changes many tickets (publishing
    a plan): one statement per 2,000 tickets instead of three per ticket. While the
    transaction lasts, :func:`lock_ticket` on these tickets is a no-op and
    :func:`record_event` numbers their events without asking the database.
    """
    ids = sorted({t.id for t in tickets if t.id is not None})
    if not ids:
        return
    session.flush()
    seqs: dict[int, int] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        session.execute(
            update(Ticket)
            .where(Ticket.id.in_(chunk))
            .values(updated_at=Ticket.updated_at)
            .execution_options(synchronize_session=False)
        )
        session.scalars(
            select(Ticket).where(Ticket.id.in_(chunk)).execution_options(populate_existing=True)
        ).all()
        rows = session.execute(
            select(TicketEvent.ticket_id, func.max(TicketEvent.seq))
            .where(TicketEvent.ticket_id.in_(chunk))
            .group_by(TicketEvent.ticket_id)
        )
        seqs.update({int(tid): int(seq or 0) for tid, seq in rows.all()})
    held = _locked(session)
    held.update({tid: seqs.get(tid, 0) for tid in ids})
    session.info[_LOCKED] = (session.get_transaction(), held)


def lock_ticket(*, session: Session, ticket: Ticket) -> None:
    """Lock ``ticket``'s row for this transaction and re-read it.

    A no-op ``UPDATE`` takes the row lock on PostgreSQL (waiting for a concurrent writer to
    commit) and the write lock on SQLite, where ``SELECT ... FOR UPDATE`` does not exist;
    the refresh then sees what the other writer committed. Pending changes are flushed
    first.
    """
    if ticket.id is not None and ticket.id in _locked(session):
        return  # locked (and re-read) in bulk in this transaction
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
    locked = _locked(session)
    if ticket.id in locked:
        highest: int | None = locked[ticket.id]
        locked[ticket.id] += 1
    else:
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
    if ticket.id not in locked:
        session.flush()
    return event


def announce(session: Session, kind: str, ticket: Ticket, facts: Mapping[str, Any]) -> None:
    """Emit the live event ``kind`` of ``ticket``: its id, number and region, then ``facts``."""
    emit(
        session,
        kind,
        {"ticket_id": ticket.id, "number": ticket.number, "region_id": ticket.region_id, **facts},
    )
