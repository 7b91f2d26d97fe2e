"""Who a ticket is assigned to: one rule for the life cycle, check-in, the app and visibility.

A ticket has at most one assigned engineer at a time: the newer of

- the last event in its history that names an engineer (a manual ``dispatch`` or
  ``schedule`` with ``engineer_id``, a plan publish that moved it; ``unschedule``,
  ``divert``, ``cancel`` and ``reopen`` clear it), and
- its visit in the newest published plan.

A plan published at the same instant as such an event does not override it (the publish
records its own event when it changes the engineer). Field steps
(:mod:`dispatch.tickets.lifecycle`), check-in and check-out (:mod:`dispatch.field.checkins`), the
engineer's day (:func:`dispatch.field.day.jobs_for`) and the tickets an engineer may see
(:mod:`dispatch.tickets.records`) all ask :func:`assigned_engineers`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from dispatch.models import Plan, PlanStatus, Ticket, TicketEvent, Visit

_CHUNK = 2000
"""Ticket ids per ``IN`` list (SQLite limits bound parameters)."""


def _chunks(ids: Collection[int]) -> Iterator[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


def _last_named(session: Session, ids: list[int]) -> dict[int, tuple[dt.datetime, int | None]]:
    """Ticket id -> (when, engineer) of its last event naming an engineer."""
    named: dict[int, tuple[dt.datetime, int | None]] = {}
    rows = session.execute(
        select(TicketEvent.ticket_id, TicketEvent.at, TicketEvent.after)
        .where(TicketEvent.ticket_id.in_(ids))
        .order_by(TicketEvent.ticket_id, TicketEvent.seq.desc())
    )
    for ticket_id, at, after in rows:
        if ticket_id in named:
            continue
        facts: dict[str, Any] = after or {}
        if "engineer_id" in facts:
            value = facts["engineer_id"]
            named[ticket_id] = (at, int(value) if value is not None else None)
    return named


def _planned(session: Session, ids: list[int]) -> dict[int, tuple[dt.datetime | None, int]]:
    """Ticket id -> (published at, engineer) of its visit in the newest published plan."""
    planned: dict[int, tuple[dt.datetime | None, int]] = {}
    rows = session.execute(
        select(Visit.ticket_id, Plan.published_at, Visit.engineer_id)
        .join(Plan, Visit.plan_id == Plan.id)
        .where(Visit.ticket_id.in_(ids), Plan.status == PlanStatus.PUBLISHED.value)
        .order_by(Visit.ticket_id, Plan.published_at.desc(), Plan.id.desc())
    )
    for ticket_id, published_at, engineer_id in rows:
        planned.setdefault(ticket_id, (published_at, int(engineer_id)))
    return planned


def assigned_engineers(*, session: Session, ticket_ids: Collection[int]) -> dict[int, int | None]:
    """The engineer each ticket is assigned to now (``None``: nobody), in two queries a chunk.

    Parameters
    ----------
    session
        Open session (read only).
    ticket_ids
        The tickets; every one is a key of the result.
    """
    out: dict[int, int | None] = {}
    for ids in _chunks(ticket_ids):
        named = _last_named(session, ids)
        planned = _planned(session, ids)
        for ticket_id in ids:
            event = named.get(ticket_id)
            plan = planned.get(ticket_id)
            if plan is not None and (event is None or (plan[0] is not None and plan[0] > event[0])):
                out[ticket_id] = plan[1]
            else:
                out[ticket_id] = event[1] if event is not None else None
    return out


def assigned_engineer_id(*, session: Session, ticket: Ticket) -> int | None:
    """The engineer ``ticket`` is assigned to now, if any (see the module's rule)."""
    return assigned_engineers(session=session, ticket_ids=[ticket.id]).get(ticket.id)


def named_with(engineer_id: int) -> Select[int]:
    """A query of the ids of tickets an event names with the engineer (ever)."""
    return select(TicketEvent.ticket_id).where(
        TicketEvent.after["engineer_id"].as_integer() == engineer_id
    )


def candidate_ticket_ids(*, session: Session, engineer_id: int) -> set[int]:
    """Tickets that may be assigned to the engineer: planned for them in a published plan,
    or named with them by an event (a superset; filter with :func:`assigned_engineers`)."""
    planned = session.scalars(
        select(Visit.ticket_id)
        .join(Plan, Visit.plan_id == Plan.id)
        .where(Visit.engineer_id == engineer_id, Plan.status == PlanStatus.PUBLISHED.value)
    )
    return set(planned) | set(session.scalars(named_with(engineer_id)))


def tickets_assigned_to(*, session: Session, engineer_id: int) -> set[int]:
    """Ids of the tickets assigned to the engineer now."""
    candidates = candidate_ticket_ids(session=session, engineer_id=engineer_id)
    owners = assigned_engineers(session=session, ticket_ids=candidates)
    return {ticket_id for ticket_id, owner in owners.items() if owner == engineer_id}
