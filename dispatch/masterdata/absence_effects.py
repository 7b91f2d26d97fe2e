"""What a new absence does to published plans: the engineer's visits in it go back to the pool.

The same release (:func:`release_visits`) serves a forced deactivation of an engineer
(:mod:`dispatch.masterdata.engineers`): all their visits from now on go back to the pool.

The path is dispatch-now's (:mod:`dispatch.planning.emergency`): the visits are taken out of the
tickets' life cycle (``unschedule``, or ``divert`` for an engineer already driving there),
the published day is rebuilt as solver routes from now without them
(:func:`solver.assemble.solution_from_plan`), stored as a new plan with the tickets
unassigned for :data:`~solver.solution.Reason.ENGINEER_ABSENT` and published at once
(:func:`dispatch.planning.publishing.publish_solution`). The caller then queues an in-day
re-optimisation of the day, which gives them to others.

A visit is affected when its planned time intersects the absence and it has not started:
an engineer on site finishes that job (the visit stays).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
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
from dispatch.planning.optimization import request_replan
from dispatch.planning.problem import build_problem
from dispatch.planning.published_day import current_routes
from dispatch.planning.publishing import PlanSource, publish_solution, published_under
from dispatch.tickets.lifecycle import transition
from solver import Reason, TravelTimeProvider, solution_from_plan

TAKE_BACK: Mapping[str, str] = {
    TicketStatus.SCHEDULED.value: "unschedule",
    TicketStatus.DISPATCHED.value: "unschedule",
    TicketStatus.EN_ROUTE.value: "divert",
}
"""Statuses of a visit that has not started, and the life-cycle step back to the pool."""
_LABELS = {"absence": "engineer absent", "deactivation": "engineer deactivated"}
"""What a new plan's notes and its publishing say of each source of a release."""


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
        return request_replan(
            session=session,
            plan=self.plan,
            time_budget_seconds=time_budget_seconds,
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
            Ticket.status.in_(list(TAKE_BACK)),
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
    why = f"engineer absent (absence {absence.id})"
    return release_visits(
        session=session, found=found, why=why, source="absence", actor=actor, now=now, travel=travel
    )


def release_visits(
    *,
    session: Session,
    found: Mapping[Plan, Sequence[Visit]],
    why: str,
    source: str,
    actor: User | None,
    now: dt.datetime,
    travel: TravelTimeProvider | None = None,
) -> list[Released]:
    """Send visits of published plans back to the pool and publish each day without them.

    Each visit's ticket takes its life-cycle step back to the pool (:data:`TAKE_BACK`, reason
    ``why``); each published day is rebuilt from now without the visits (unassigned for
    ``ENGINEER_ABSENT``) and published at once.

    Parameters
    ----------
    session
        Open session; the caller commits (and queues re-optimisations, when wanted).
    found
        Published plans (today or later) and their visits to release, whose tickets have not
        started (statuses of :data:`TAKE_BACK`).
    why
        The reason recorded with each ticket's step back to the pool.
    source
        What released them (``absence``, ``deactivation``), in the new plans' options.
    actor
        Who did it (``None``: the system).
    now
        The current instant: the days are rebuilt from now.
    travel
        Travel-time provider for re-timing the routes that stay.

    Returns
    -------
    list of Released
        One per published plan changed (empty when ``found`` is).
    """
    _take_back(session, found, why, actor, now)
    out: list[Released] = []
    for plan, visits in found.items():
        if plan.status != PlanStatus.PUBLISHED.value:  # replaced by the one released before
            continue
        that_day = tuple(
            v.ticket_id for p, vs in found.items() if p.plan_date == plan.plan_date for v in vs
        )
        new = _republish(session, plan, that_day, source, actor, now, travel)
        out.append(Released(plan=new, ticket_ids=tuple(v.ticket_id for v in visits)))
    return out


def _take_back(
    session: Session,
    found: Mapping[Plan, Sequence[Visit]],
    why: str,
    actor: User | None,
    now: dt.datetime,
) -> None:
    """Each released visit's ticket takes its step back to the pool, in ticket order."""
    everything = tuple(sorted({v.ticket_id for visits in found.values() for v in visits}))
    for ticket_id in everything:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        transition(
            session=session,
            ticket=ticket,
            action=TAKE_BACK[ticket.status],
            actor=actor,
            reason=why,
            at=now,
        )


def _republish(
    session: Session,
    published: Plan,
    released: tuple[int, ...],
    source: str,
    actor: User | None,
    now: dt.datetime,
    travel: TravelTimeProvider | None,
) -> Plan:
    """The published day of ``published``'s region (and those below) without ``released``
    (the released visits of that day), published now."""
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
    label = _LABELS.get(source, source)
    plan_source = PlanSource(
        options={"source": source, "released_ticket_ids": list(released)},
        reason=label,
        notes=(f"{label}: {len(released)} visit(s) back to the pool",),
    )
    return publish_solution(
        session=session,
        planning=planning,
        solution=solution,
        source=plan_source,
        actor=actor,
        at=now,
    )
