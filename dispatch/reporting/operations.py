"""Operational figures: solve durations, runs by status, tickets by SLA state, and the day
a dispatcher's view opens on.

Read from the database so that every API process reports what all workers did.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch.infra.day_clock import local_day
from dispatch.models import Plan, Ticket, TicketStatus, TicketWindow
from dispatch.tickets.escalation import CLOCK_STOPPED


def solve_durations(*, session: Session, since: dt.datetime) -> list[float]:
    """Solver wall times (seconds) of the runs that finished since ``since``."""
    return [
        float(s)
        for s in session.scalars(
            select(Plan.solver_seconds).where(
                Plan.finished_at >= since, Plan.solver_seconds.is_not(None)
            )
        )
        if s is not None
    ]


def runs_by_status(*, session: Session) -> dict[str, int]:
    """How many optimisation runs are in each status."""
    return {
        status: int(n)
        for status, n in session.execute(select(Plan.status, func.count()).group_by(Plan.status))
    }


def open_tickets_by_sla_state(*, session: Session) -> dict[str, int]:
    """Unresolved tickets with running clocks, by their last assessed SLA state."""
    rows = session.execute(
        select(Ticket.sla_state, func.count())
        .where(
            Ticket.resolved_at.is_(None),
            Ticket.status.not_in([s.value for s in CLOCK_STOPPED]),
        )
        .group_by(Ticket.sla_state)
    )
    return {state: int(n) for state, n in rows}


PLANNABLE = (TicketStatus.NEW, TicketStatus.TRIAGED, TicketStatus.REOPENED, TicketStatus.SCHEDULED)
"""Statuses of work still to be planned or under a plan not yet under way."""


def opening_day(
    *, session: Session, region_ids: list[int], zone: ZoneInfo, now: dt.datetime
) -> dt.date:
    """The day a dispatcher's view of the regions opens on, at ``now``.

    Today (in ``zone``) while an open ticket of the regions has an appointment window that
    has not ended yet and starts today or earlier; else the local day of the earliest such
    window still to come (the demo seeded after the shifts, or a quiet evening: tomorrow's
    work); today when there is none.
    """
    today = local_day(now, zone)
    first = session.scalar(
        select(func.min(TicketWindow.start))
        .join(Ticket, Ticket.id == TicketWindow.ticket_id)
        .where(
            Ticket.region_id.in_(region_ids),
            Ticket.status.in_([s.value for s in PLANNABLE]),
            TicketWindow.end > now,
        )
    )
    if first is None:
        return today
    return max(today, local_day(first, zone))
