"""A ticket's SLA clocks: when they start, when they pause, when they are due, how they stand.

The clocks start when the request is reported (or when the ticket is reopened), pause
while the ticket is on hold, and run on the target's clock (24/7 or the region's business
hours). :func:`recompute_due` stores ``response_due`` and ``resolution_due`` on the
ticket; :func:`assess` says where the ticket stands at an instant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch.models import Region, SlaState, Ticket, TicketEvent, TicketHold, TicketStatus, utcnow
from dispatch.sla.calendar import BusinessCalendar, Interval, advance, calendar_from_json
from dispatch.sla.policy import Clock, SlaPolicy, Target, session_policy


def region_calendar(region: Region, policy: SlaPolicy) -> BusinessCalendar:
    """The business calendar of ``region`` (its own, else the policy's default)."""
    return calendar_from_json(
        region.calendar, timezone=region.timezone, default=policy.default_calendar
    )


def clock_start(*, session: Session, ticket: Ticket) -> dt.datetime:
    """When the ticket's clocks started: the request, or the latest reopening."""
    reopened = session.scalar(
        select(func.max(TicketEvent.at)).where(
            TicketEvent.ticket_id == ticket.id,
            TicketEvent.to_status == TicketStatus.REOPENED.value,
        )
    )
    if reopened is not None and reopened.tzinfo is None:
        reopened = reopened.replace(tzinfo=dt.UTC)
    return max(ticket.reported_at, reopened) if reopened is not None else ticket.reported_at


def hold_intervals(
    holds: Sequence[TicketHold], *, since: dt.datetime, until: dt.datetime
) -> list[Interval]:
    """The pauses ``holds`` put on a clock started at ``since``; open holds end at ``until``."""
    pauses: list[Interval] = []
    for hold in holds:
        end = hold.ended_at or until
        start = max(hold.started_at, since)
        if end > start:
            pauses.append((start, end))
    return pauses


def ticket_holds(*, session: Session, ticket: Ticket) -> list[TicketHold]:
    """Every hold of ``ticket``, oldest first."""
    return list(
        session.scalars(
            select(TicketHold).where(TicketHold.ticket_id == ticket.id).order_by(TicketHold.id)
        )
    )


def due(
    start: dt.datetime,
    target: Target,
    *,
    calendar: BusinessCalendar,
    pauses: Sequence[Interval] = (),
) -> dt.datetime:
    """The due instant of ``target`` for a clock started at ``start``.

    A business target follows ``calendar``; a 24/7 target ignores it. Pauses stop either.
    """
    return advance(
        start,
        target.duration,
        calendar=calendar if target.clock is Clock.BUSINESS else None,
        pauses=pauses,
    )


def recompute_due(
    *,
    session: Session,
    ticket: Ticket,
    at: dt.datetime | None = None,
    policy: SlaPolicy | None = None,
    start: dt.datetime | None = None,
) -> None:
    """Store the ticket's ``response_due`` and ``resolution_due`` as of ``at``.

    Call it whenever something the clocks depend on changes: creation, hold and resume,
    a priority change, reopening. A clock already stopped (responded, resolved) keeps its
    due instant. An open hold counts as a pause up to ``at``.

    Parameters
    ----------
    session
        Open session; the caller commits.
    ticket
        The ticket; its ``customer`` and ``region`` must be loadable.
    at
        The instant of the change (default: now).
    policy
        The SLA policy (default: :func:`~dispatch.sla.policy.session_policy`).
    start
        When the clocks started, when the caller knows better than the stored history
        (e.g. reopening right now); default :func:`clock_start`.
    """
    policy = session_policy(session, policy)
    at = (at or utcnow()).astimezone(dt.UTC)
    start = start or clock_start(session=session, ticket=ticket)
    targets = policy.targets_for(
        priority=ticket.priority, customer_tier=ticket.customer.tier, kind=ticket.kind
    )
    calendar = region_calendar(ticket.region, policy)
    pauses = hold_intervals(ticket_holds(session=session, ticket=ticket), since=start, until=at)
    if ticket.responded_at is None:
        ticket.response_due = due(start, targets.response, calendar=calendar, pauses=pauses)
    if ticket.resolved_at is None:
        ticket.resolution_due = due(start, targets.resolution, calendar=calendar, pauses=pauses)


def outcome(ticket: Ticket) -> SlaState:
    """The final state of a resolved ticket: met when both clocks stopped in time."""
    response_met = ticket.response_due is None or (
        ticket.responded_at is not None and ticket.responded_at <= ticket.response_due
    )
    resolution_met = ticket.resolution_due is None or (
        ticket.resolved_at is not None and ticket.resolved_at <= ticket.resolution_due
    )
    return SlaState.MET if response_met and resolution_met else SlaState.BREACHED


def assess(
    ticket: Ticket,
    *,
    now: dt.datetime,
    planned_arrival: dt.datetime | None,
    typical_response: dt.timedelta,
) -> SlaState:
    """Where ``ticket`` stands at ``now``.

    - resolved: :func:`outcome` (met or breached);
    - breached: a due instant passed unmet (and breaches stay breached);
    - at risk: the expected arrival (the planned arrival, never earlier than now; else
      ``now + typical_response``) passes the response due instant, or the expected
      finish passes the resolution due instant: the (next) arrival plus the estimated
      job time, or, while the engineer is on site, the arrival made plus the job time
      (never earlier than now);
    - ok otherwise.
    """
    now = now.astimezone(dt.UTC)
    if ticket.resolved_at is not None:
        return outcome(ticket)
    if ticket.sla_state == SlaState.BREACHED.value:
        return SlaState.BREACHED
    response_due, resolution_due = ticket.response_due, ticket.resolution_due
    if ticket.responded_at is None:
        if response_due is not None and now > response_due:
            return SlaState.BREACHED
    elif response_due is not None and ticket.responded_at > response_due:
        return SlaState.BREACHED
    if resolution_due is not None and now > resolution_due:
        return SlaState.BREACHED
    job = dt.timedelta(minutes=ticket.estimated_minutes)
    arrival = max(planned_arrival, now) if planned_arrival is not None else now + typical_response
    if ticket.responded_at is None and response_due is not None and arrival > response_due:
        return SlaState.AT_RISK
    if ticket.status == TicketStatus.ON_SITE.value and ticket.responded_at is not None:
        finish = max(now, ticket.responded_at + job)
    else:
        finish = arrival + job
    if resolution_due is not None and finish > resolution_due:
        return SlaState.AT_RISK
    return SlaState.OK
