"""Operational figures for monitoring: solve durations, runs by status, tickets by SLA state.

Read from the database so that every API process reports what all workers did.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch.models import Plan, Ticket
from dispatch.sla.sweep import CLOCK_STOPPED


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
