"""SLA tracking lists for dispatchers: tickets at risk and tickets in breach, with margins.

Each ticket is assessed live (:func:`dispatch.sla.clocks.assess`) against the newest
published plan, so the lists are current between two sweeps. The *predicted* instant is
the planned arrival (for the response target) or the expected finish (for resolution);
the *margin* is due minus predicted, in minutes (negative: late by that much).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dispatch.models import Region, SlaState, Ticket, TicketStatus
from dispatch.sla.clocks import assess, outcome
from dispatch.sla.policy import SlaPolicy, session_policy
from dispatch.tickets.escalation import CLOCK_STOPPED, planned_arrivals


@dataclass(frozen=True)
class SlaItem:
    """One ticket on an SLA list.

    Attributes
    ----------
    target
        ``response`` or ``resolution``: the clock at risk or missed.
    due_at
        That clock's due instant.
    predicted
        Planned arrival (response) or expected finish (resolution); the actual instant
        for a target met late; ``None`` for a target still open past its due instant
        with nothing planned.
    margin_minutes
        Due minus predicted (or minus now when nothing is planned); negative when late.
    planned_arrival
        The arrival in the published plan, if planned.
    """

    ticket_id: int
    ticket_number: str
    priority: int
    status: str
    region_code: str
    sla_state: str
    target: str
    due_at: dt.datetime
    predicted: dt.datetime | None
    planned_arrival: dt.datetime | None
    margin_minutes: float


def _minutes(delta: dt.timedelta) -> float:
    return round(delta.total_seconds() / 60.0, 1)


def _item(
    ticket: Ticket,
    state: SlaState,
    *,
    now: dt.datetime,
    arrival: dt.datetime | None,
    policy: SlaPolicy,
) -> SlaItem | None:
    job = dt.timedelta(minutes=ticket.estimated_minutes)
    expected_arrival = max(arrival, now) if arrival is not None else now + policy.typical_response
    response_due, resolution_due = ticket.response_due, ticket.resolution_due
    target, due, predicted = None, None, None
    if response_due is not None:
        if ticket.responded_at is None and (
            (state == SlaState.BREACHED and now > response_due) or expected_arrival > response_due
        ):
            target, due = "response", response_due
            predicted = expected_arrival
        elif ticket.responded_at is not None and ticket.responded_at > response_due:
            target, due, predicted = "response", response_due, ticket.responded_at
    if target is None and resolution_due is not None:
        if ticket.resolved_at is not None:
            predicted = ticket.resolved_at
        elif ticket.status == TicketStatus.ON_SITE.value and ticket.responded_at is not None:
            predicted = max(now, ticket.responded_at + job)
        else:
            predicted = expected_arrival + job
        target, due = "resolution", resolution_due
    if target is None or due is None:
        return None
    margin_from = predicted if predicted is not None else now
    return SlaItem(
        ticket_id=ticket.id,
        ticket_number=ticket.number,
        priority=ticket.priority,
        status=ticket.status,
        region_code=ticket.region.code,
        sla_state=state.value,
        target=target,
        due_at=due,
        predicted=predicted,
        planned_arrival=arrival,
        margin_minutes=_minutes(due - margin_from),
    )


def _region_filter(session: Session, region_code: str | None) -> list[int] | None:
    if region_code is None:
        return None
    from dispatch.tickets.records import region_ids

    return region_ids(session=session, code=region_code)


def _candidates(
    session: Session, state: SlaState, *, region_code: str | None, since: dt.datetime | None
) -> list[Ticket]:
    """Tickets whose clocks run (and, for breaches ``since``, those resolved since), by id."""
    regions = _region_filter(session, region_code)
    query = (
        select(Ticket)
        .options(selectinload(Ticket.region).selectinload(Region.parent))
        .where(Ticket.status.not_in([s.value for s in CLOCK_STOPPED]))
        .order_by(Ticket.id)
    )
    if state == SlaState.BREACHED and since is not None:
        query = query.where((Ticket.resolved_at.is_(None)) | (Ticket.resolved_at >= since))
    else:
        query = query.where(Ticket.resolved_at.is_(None))
    if regions is not None:
        query = query.where(Ticket.region_id.in_(regions))
    return list(session.scalars(query))


def sla_list(
    *,
    session: Session,
    state: SlaState,
    now: dt.datetime,
    region_code: str | None = None,
    since: dt.datetime | None = None,
    policy: SlaPolicy | None = None,
) -> list[SlaItem]:
    """Tickets whose SLA is ``state`` (at risk or breached) at ``now``, least margin first.

    Parameters
    ----------
    session
        Open session (read only).
    state
        :attr:`SlaState.AT_RISK` or :attr:`SlaState.BREACHED`.
    now
        The instant to assess at (aware).
    region_code
        Only tickets of this region (and the regions below it).
    since
        Breaches only: also list tickets resolved since this instant that breached.
    policy
        The SLA policy (default: the session's).

    Raises
    ------
    NotFound
        Unknown region.
    """
    policy = session_policy(session, policy)
    now = now.astimezone(dt.UTC)
    tickets = _candidates(session, state, region_code=region_code, since=since)
    arrivals = planned_arrivals(session=session, ticket_ids=[t.id for t in tickets])
    items: list[SlaItem] = []
    for ticket in tickets:
        arrival = arrivals.get(ticket.id)
        found = (
            outcome(ticket)
            if ticket.resolved_at is not None
            else assess(
                ticket, now=now, planned_arrival=arrival, typical_response=policy.typical_response
            )
        )
        if found != state:
            continue
        item = _item(ticket, found, now=now, arrival=arrival, policy=policy)
        if item is not None:
            items.append(item)
    items.sort(key=lambda i: (i.margin_minutes, i.priority, i.ticket_id))
    return items
