"""The SLA sweep: mark tickets at risk or breached, and escalate unresolved faults.

The worker (or the embedded scheduler) calls :func:`sweep` every minute with the current
instant; it is idempotent: a second sweep at the same instant changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from dispatch.errors import InvalidInput
from dispatch.infra.events import EventKind
from dispatch.models import (
    Plan,
    PlanStatus,
    Region,
    RegionKind,
    SlaState,
    Ticket,
    TicketEvent,
    TicketHold,
    TicketStatus,
    Visit,
)
from dispatch.sla.calendar import BusinessCalendar, advance
from dispatch.sla.clocks import assess, hold_intervals, region_calendar
from dispatch.sla.policy import Clock, EscalationTo, SlaPolicy, session_policy
from dispatch.tickets.history import announce, lock_ticket, record_event

logger = logging.getLogger(__name__)

CLOCK_STOPPED = frozenset(
    {
        TicketStatus.CLOSED,
        TicketStatus.CANCELLED,
        TicketStatus.ON_HOLD_CUSTOMER,
        TicketStatus.ON_HOLD_PARTS,
    }
)
"""Statuses the sweep leaves alone: finished, or paused on hold."""

_CHUNK = 500
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_LIVE_KIND = {SlaState.AT_RISK: EventKind.SLA_AT_RISK, SlaState.BREACHED: EventKind.SLA_BREACHED}


@dataclass(frozen=True)
class Escalated:
    """One escalation step taken by a sweep."""

    ticket_id: int
    level: int
    to: str
    region_code: str


@dataclass(frozen=True)
class SweepResult:
    """What one sweep changed (ticket ids per new state, escalations in order)."""

    now: dt.datetime
    checked: int
    at_risk: list[int] = field(default_factory=list)
    breached: list[int] = field(default_factory=list)
    back_to_ok: list[int] = field(default_factory=list)
    escalated: list[Escalated] = field(default_factory=list)
    skipped_regions: dict[str, str] = field(default_factory=dict)
    """Region code -> why its tickets were skipped (e.g. an invalid calendar)."""


@dataclass(frozen=True)
class _Change:
    """A sweep's change of one column of a ticket, as recorded and announced."""

    kind: str
    column: str
    value: object
    facts: Mapping[str, Any]
    """Recorded after the column's new value."""
    live: str | None
    """The live event's kind (``None``: not announced)."""
    live_facts: Mapping[str, Any]
    reason: str | None = None


def _make(session: Session, ticket: Ticket, change: _Change, *, at: dt.datetime) -> None:
    """Set the column, record the change (the column before and after) and announce it."""
    before = getattr(ticket, change.column)
    setattr(ticket, change.column, change.value)
    record_event(
        session=session,
        ticket=ticket,
        kind=change.kind,
        at=at,
        reason=change.reason,
        before={change.column: before},
        after={change.column: change.value, **change.facts},
    )
    if change.live is not None:
        announce(session, change.live, ticket, change.live_facts)


def apply_sla_state(
    *,
    session: Session,
    ticket: Ticket,
    state: SlaState,
    at: dt.datetime,
    planned_arrival: dt.datetime | None = None,
) -> bool:
    """Set ``ticket.sla_state``; on a change record an ``sla`` event and emit a live event.

    Live events go out for at risk (``sla.at_risk``) and breached (``sla.breached``) only.

    Returns
    -------
    bool
        Whether the state changed.
    """
    if ticket.sla_state == state.value:
        return False
    due = {"response_due": ticket.response_due, "resolution_due": ticket.resolution_due}
    change = _Change(
        kind="sla",
        column="sla_state",
        value=state.value,
        facts={**due, "planned_arrival": planned_arrival},
        live=_LIVE_KIND.get(state),
        live_facts={
            "priority": ticket.priority,
            "sla_state": state.value,
            **{name: _iso(instant) for name, instant in due.items()},
            "at": _iso(at),
        },
    )
    _make(session, ticket, change, at=at)
    return True


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def planned_arrivals(*, session: Session, ticket_ids: Sequence[int]) -> dict[int, dt.datetime]:
    """Each ticket's planned arrival in the newest published plan that contains it."""
    best: dict[int, tuple[tuple[dt.datetime, int], dt.datetime]] = {}
    for chunk in _chunks(ticket_ids):
        rows = session.execute(
            select(Visit.ticket_id, Visit.planned_arrival, Plan.published_at, Plan.id)
            .join(Plan, Visit.plan_id == Plan.id)
            .where(Plan.status == PlanStatus.PUBLISHED.value, Visit.ticket_id.in_(chunk))
        ).all()
        for ticket_id, arrival, published_at, plan_id in rows:
            key = (published_at or _EPOCH, plan_id)
            current = best.get(ticket_id)
            if current is None or key > current[0]:
                best[ticket_id] = (key, arrival)
    return {ticket_id: arrival for ticket_id, (_key, arrival) in best.items()}


def _holds_by_ticket(session: Session, ticket_ids: Sequence[int]) -> dict[int, list[TicketHold]]:
    holds: dict[int, list[TicketHold]] = defaultdict(list)
    for chunk in _chunks(ticket_ids):
        for hold in session.scalars(
            select(TicketHold).where(TicketHold.ticket_id.in_(chunk)).order_by(TicketHold.id)
        ):
            holds[hold.ticket_id].append(hold)
    return holds


def _reopened_at(session: Session, ticket_ids: Sequence[int]) -> dict[int, dt.datetime]:
    starts: dict[int, dt.datetime] = {}
    for chunk in _chunks(ticket_ids):
        rows = session.execute(
            select(TicketEvent.ticket_id, func.max(TicketEvent.at))
            .where(
                TicketEvent.ticket_id.in_(chunk),
                TicketEvent.to_status == TicketStatus.REOPENED.value,
            )
            .group_by(TicketEvent.ticket_id)
        ).all()
        for ticket_id, at in rows:
            starts[ticket_id] = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
    return starts


def escalation_target(region: Region, to: EscalationTo) -> Region:
    """The region an escalation step goes to: the ticket's region, or the headquarters."""
    if to is EscalationTo.REGIONAL_MANAGER:
        return region
    current = region
    while current.kind != RegionKind.HQ.value and current.parent is not None:
        current = current.parent
    return current


@dataclass(frozen=True)
class _Step:
    level: int
    to: EscalationTo
    after_hours: float
    threshold: dt.datetime


def _due_steps(
    ticket: Ticket,
    *,
    now: dt.datetime,
    policy: SlaPolicy,
    calendar: BusinessCalendar,
    start: dt.datetime,
    holds: Sequence[TicketHold],
) -> list[_Step]:
    """The escalation steps above the ticket's level whose threshold has passed."""
    ladder = policy.escalation
    if ticket.kind not in {k.value for k in ladder.kinds}:
        return []
    pauses = hold_intervals(holds, since=start, until=now)
    clock = calendar if ladder.clock is Clock.BUSINESS else None
    steps: list[_Step] = []
    for level, step in enumerate(ladder.ladder, start=1):
        if level <= ticket.escalation_level:
            continue
        threshold = advance(start, step.after, calendar=clock, pauses=pauses)
        if threshold > now:
            break
        steps.append(_Step(level, step.to, step.after_hours, threshold))
    return steps


def _escalate(
    session: Session, ticket: Ticket, steps: Sequence[_Step], *, now: dt.datetime
) -> list[Escalated]:
    taken: list[Escalated] = []
    for step in steps:
        target = escalation_target(ticket.region, step.to)
        change = _Change(
            kind="escalated",
            column="escalation_level",
            value=step.level,
            facts={"to": step.to.value, "region_code": target.code, "threshold_at": step.threshold},
            live=EventKind.SLA_ESCALATED,
            live_facts={
                "escalation_level": step.level,
                "to": step.to.value,
                "region_code": target.code,
                "at": _iso(now),
            },
            reason=f"unresolved {step.after_hours:g} h after the request",
        )
        _make(session, ticket, change, at=now)
        taken.append(Escalated(ticket.id, step.level, step.to.value, target.code))
    return taken


@dataclass(frozen=True)
class _Facts:
    now: dt.datetime
    arrival: dt.datetime | None
    start: dt.datetime
    holds: Sequence[TicketHold]
    calendar: BusinessCalendar


def _judge(ticket: Ticket, facts: _Facts, policy: SlaPolicy) -> tuple[SlaState, list[_Step]]:
    state = assess(
        ticket,
        now=facts.now,
        planned_arrival=facts.arrival,
        typical_response=policy.typical_response,
    )
    steps = _due_steps(
        ticket,
        now=facts.now,
        policy=policy,
        calendar=facts.calendar,
        start=facts.start,
        holds=facts.holds,
    )
    return state, steps


def _running_tickets(session: Session) -> list[Ticket]:
    """Tickets whose SLA clocks run (not resolved, closed, cancelled or on hold), by id."""
    return list(
        session.scalars(
            select(Ticket)
            .options(selectinload(Ticket.region).selectinload(Region.parent))
            .where(
                Ticket.status.not_in([s.value for s in CLOCK_STOPPED]),
                Ticket.resolved_at.is_(None),
            )
            .order_by(Ticket.id)
        )
    )


def _known_calendar(
    region: Region, calendars: dict[int, BusinessCalendar], policy: SlaPolicy, result: SweepResult
) -> bool:
    """Whether ``region``'s calendar is in ``calendars`` (added when first met); an invalid
    one is logged and its region named in ``result.skipped_regions``."""
    if region.id not in calendars:
        try:
            calendars[region.id] = region_calendar(region, policy)
        except InvalidInput as exc:
            logger.error("SLA sweep skips region %s: %s", region.code, exc.message)
            result.skipped_regions[region.code] = exc.message
            return False
    return True


def sweep(*, session: Session, now: dt.datetime, policy: SlaPolicy | None = None) -> SweepResult:
    """Re-assess every running ticket at ``now``; mark, record, announce and escalate.

    Tickets resolved, closed, cancelled or on hold (clocks paused) are skipped. A ticket's state
    changes are recorded as ``sla`` events and announced (``sla.at_risk``,
    ``sla.breached``) only when the state changes; each escalation step is an
    ``escalated`` event and an ``sla.escalated`` live event. A region whose business
    calendar is invalid is skipped (logged, and named in ``skipped_regions``) so it cannot
    stop the sweep for the others.

    Parameters
    ----------
    session
        Open session; the caller commits (the live events go out on commit).
    now
        The instant to assess at (aware).
    policy
        The SLA policy (default: :func:`~dispatch.sla.policy.session_policy`).
    """
    if now.tzinfo is None:
        raise ValueError("now must be time-zone aware")
    now = now.astimezone(dt.UTC)
    policy = session_policy(session, policy)
    tickets = _running_tickets(session)
    ids = [t.id for t in tickets]
    arrivals = planned_arrivals(session=session, ticket_ids=ids)
    holds = _holds_by_ticket(session, ids)
    reopened = _reopened_at(session, ids)
    calendars: dict[int, BusinessCalendar] = {}
    result = SweepResult(now=now, checked=len(tickets))
    buckets = {
        SlaState.AT_RISK: result.at_risk,
        SlaState.BREACHED: result.breached,
        SlaState.OK: result.back_to_ok,
    }
    for ticket in tickets:
        if ticket.region.code in result.skipped_regions:
            continue
        if not _known_calendar(ticket.region, calendars, policy, result):
            continue
        start = max(ticket.reported_at, reopened.get(ticket.id, ticket.reported_at))
        arrival = arrivals.get(ticket.id)
        facts = _Facts(now, arrival, start, holds.get(ticket.id, []), calendars[ticket.region_id])
        state, steps = _judge(ticket, facts, policy)
        if state.value == ticket.sla_state and not steps:
            continue
        # Something changes: lock the row and look again, a transition may have just committed.
        lock_ticket(session=session, ticket=ticket)
        if ticket.status in CLOCK_STOPPED or ticket.resolved_at is not None:
            continue
        state, steps = _judge(ticket, facts, policy)
        if apply_sla_state(
            session=session, ticket=ticket, state=state, at=now, planned_arrival=arrival
        ):
            buckets.get(state, []).append(ticket.id)
        result.escalated.extend(_escalate(session, ticket, steps, now=now))
    return result
