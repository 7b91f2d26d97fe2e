"""What a new absence does to published plans: the engineer's visits in it go back to the pool.

The path is dispatch-now's (:mod:`dispatch.planning.emergency`): the visits are taken out of the
tickets' life cycle (``unschedule``, or ``divert`` for an engineer already driving there),
the published day is rebuilt as solver routes from now without them
(:func:`solver.assemble.solution_from_plan`), stored as a new plan with the tickets
unassigned for :data:`~solver.solution.Reason.ENGINEER_ABSENT`
(:func:`dispatch.planning.problem.apply_solution`) and published at once
(:func:`dispatch.planning.publishing.make_current`). The caller then queues an in-day
re-optimisation of the day, which gives them to others.

A visit is affected when its planned time intersects the absence and it has not started:
an engineer on site finishes that job (the visit stays).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.infra.day_clock import local_day, plan_start
from dispatch.models import (
    EngineerAbsence,
    Plan,
    PlanStatus,
    Ticket,
    TicketStatus,
    User,
    Visit,
)
from dispatch.planning.emergency import current_routes
from dispatch.planning.optimization import RunOptions, request_optimization
from dispatch.planning.plans import new_plan
from dispatch.planning.problem import apply_solution, build_problem
from dispatch.planning.publishing import make_current, published_under
from dispatch.tickets.lifecycle import transition
from solver.assemble import solution_from_plan
from solver.solution import Reason
from solver.travel import TravelTimeProvider

_TAKE_BACK = {
    TicketStatus.SCHEDULED.value: "unschedule",
    TicketStatus.DISPATCHED.value: "unschedule",
    TicketStatus.EN_ROUTE.value: "divert",
}
"""Statuses of a visit that has not started, and the life-cycle step back to the pool."""


@dataclass(frozen=True)
class Released:
    """A published plan an absence changed.

    Attributes
    ----------
    plan
        The new published plan (without the engineer's affected visits).
    ticket_ids
        The tickets sent back to the pool (``ENGINEER_ABSENT`` in ``plan``'s unassigned).
    """

    plan: Plan
    ticket_ids: tuple[int, ...]

    def request_rerun(
        self, *, session: Session, actor: User | None, now: dt.datetime, time_budget_seconds: float
    ) -> Plan:
        """Queue an in-day re-optimisation of the plan's region and day (not enqueued)."""
        return request_optimization(
            session=session,
            region_code=self.plan.region.code,
            day=self.plan.plan_date,
            time_budget_seconds=time_budget_seconds,
            options=RunOptions(replan_from_now=True),
            actor=actor,
            now=now,
        )


def affected_plans(
    *, session: Session, absence: EngineerAbsence, now: dt.datetime
) -> dict[Plan, list[Visit]]:
    """Published plans of today or later with visits of the absent engineer that have not
    started and whose planned time intersects the absence."""
    rows = session.execute(
        select(Plan, Visit, Ticket.status)
        .join(Visit, Visit.plan_id == Plan.id)
        .join(Ticket, Ticket.id == Visit.ticket_id)
        .where(
            Plan.status == PlanStatus.PUBLISHED.value,
            Visit.engineer_id == absence.engineer_id,
            Visit.planned_start < absence.end,
            Visit.planned_end > absence.start,
            Ticket.status.in_(list(_TAKE_BACK)),
        )
        .order_by(Plan.id, Visit.sequence)
    ).all()
    out: dict[Plan, list[Visit]] = {}
    for plan, visit, _ in rows:
        if plan.plan_date >= local_day(now, ZoneInfo(plan.region.timezone)):
            out.setdefault(plan, []).append(visit)
    return out


def release_absent_visits(
    *,
    session: Session,
    absence: EngineerAbsence,
    actor: User | None,
    now: dt.datetime,
    travel: TravelTimeProvider | None = None,
) -> list[Released]:
    """Send the absent engineer's affected visits back to the pool, plan by plan.

    Parameters
    ----------
    session
        Open session; the caller commits.
    absence
        The new (flushed) absence.
    actor
        Who recorded it (``None``: the system).
    now
        The current instant: visits not started by now, plans of today or later.
    travel
        Travel-time provider for re-timing the routes that stay.

    Returns
    -------
    list of Released
        One per published plan changed (empty when the absence touches none).
    """
    found = affected_plans(session=session, absence=absence, now=now)
    everything = tuple(sorted({v.ticket_id for visits in found.values() for v in visits}))
    for ticket_id in everything:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        transition(
            session=session,
            ticket=ticket,
            action=_TAKE_BACK[ticket.status],
            actor=actor,
            reason=f"engineer absent (absence {absence.id})",
            at=now,
        )
    out: list[Released] = []
    for plan, visits in found.items():
        if plan.status != PlanStatus.PUBLISHED.value:  # replaced by the one released before
            continue
        that_day = tuple(
            v.ticket_id for p, vs in found.items() if p.plan_date == plan.plan_date for v in vs
        )
        new = _republish(session, plan, that_day, actor, now, travel)
        out.append(Released(plan=new, ticket_ids=tuple(v.ticket_id for v in visits)))
    return out


def _republish(
    session: Session,
    published: Plan,
    released: tuple[int, ...],
    actor: User | None,
    now: dt.datetime,
    travel: TravelTimeProvider | None,
) -> Plan:
    """The published day of ``published``'s region (and those below) without ``released``
    (the absent engineer's visits of that day), published now."""
    session.flush()
    region, day = published.region, published.plan_date
    start = plan_start(zone=ZoneInfo(region.timezone), day=day, now=now)
    planning = build_problem(
        session=session, region_id=region.id, day=day, now=start, travel=travel
    )
    below = published_under(session=session, region_id=region.id, day=day)
    routes = current_routes(planning, below, leave_out=-1)
    numbers = {tid: number for number, tid in planning.ticket_ids.items()}
    gone = {numbers[t] for t in released if t in numbers}
    kept = {code: [n for n in route if n not in gone] for code, route in routes.items()}
    solution = solution_from_plan(
        planning.problem, kept, {n: (Reason.ENGINEER_ABSENT,) for n in gone}
    )
    plan = new_plan(
        region=region,
        day=day,
        status=PlanStatus.SUCCEEDED,
        options={"source": "absence", "released_ticket_ids": list(released)},
        time_budget_seconds=1.0,
        actor=actor,
    )
    plan.progress, plan.attempts, plan.started_at, plan.finished_at = 1.0, 1, now, now
    session.add(plan)
    session.flush()
    apply_solution(session=session, plan=plan, planning=planning, solution=solution, now=now)
    plan.notes = [f"engineer absent: {len(released)} visit(s) back to the pool", *plan.notes]
    make_current(session=session, plan=plan, actor=actor, at=now, reason="engineer absent")
    return plan
