"""Dispatch now: put an emergency into today's published plan at once.

The solver's fast insertion places the ticket at the cheapest feasible position of the
published routes (re-timed from now and from the engineers' last known positions)
without moving any other visit to another engineer. The result is published as a new
plan straight away and the ticket is dispatched to its engineer; the caller then queues
a full re-optimisation of the day, which may improve on the insertion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from dispatch.errors import Conflict, NotFound
from dispatch.lifecycle import transition
from dispatch.models import Plan, PlanStatus, Region, Ticket, TicketStatus, User, Visit, utcnow
from dispatch.planning import PlanningInput, Position, apply_solution, build_problem
from dispatch.publishing import make_current
from solver.assemble import solution_from_plan
from solver.insertion import insert
from solver.travel import TravelTimeProvider

_INSERTABLE = frozenset(
    {
        TicketStatus.NEW.value,
        TicketStatus.TRIAGED.value,
        TicketStatus.SCHEDULED.value,
        TicketStatus.REOPENED.value,
        TicketStatus.NEEDS_FOLLOW_UP.value,
    }
)


@dataclass(frozen=True)
class DispatchNowResult:
    """Where an emergency went.

    Attributes
    ----------
    plan
        The new published plan (the previous one is superseded).
    visit
        The ticket's visit in it.
    added_travel_seconds
        Extra driving the insertion caused.
    insertion_seconds
        Wall time of the solver's insertion.
    """

    plan: Plan
    visit: Visit
    added_travel_seconds: int
    insertion_seconds: float


def _published_for(session: Session, region: Region, day: dt.date) -> Plan | None:
    """The newest published plan of ``day`` covering ``region`` (its own, else an ancestor's)."""
    from dispatch.planning import current_plan

    current: Region | None = region
    while current is not None:
        plan = current_plan(session=session, region_id=current.id, day=day)
        if plan is not None:
            return plan
        current = session.get(Region, current.parent_id) if current.parent_id else None
    return None


def _current_routes(
    planning: PlanningInput, published: Plan | None, leave_out: int
) -> dict[str, list[str]]:
    numbers = {tid: number for number, tid in planning.ticket_ids.items()}
    codes = {eid: code for code, eid in planning.engineer_ids.items()}
    routes: dict[str, list[str]] = {}
    if published is None:
        return routes
    for v in sorted(published.visits, key=lambda v: (v.engineer_id, v.sequence)):
        if v.ticket_id == leave_out or v.ticket_id not in numbers or v.engineer_id not in codes:
            continue
        routes.setdefault(codes[v.engineer_id], []).append(numbers[v.ticket_id])
    return routes


def dispatch_now(
    *,
    session: Session,
    ticket_id: int,
    actor: User | None,
    now: dt.datetime | None = None,
    positions: Mapping[int, Position] | None = None,
    travel: TravelTimeProvider | None = None,
) -> DispatchNowResult:
    """Insert a ticket into today's published plan and dispatch it to the chosen engineer.

    Parameters
    ----------
    session
        Open session; the caller commits, then queues the re-optimisation.
    ticket_id
        The ticket (new, triaged, scheduled, reopened or needing a follow-up).
    actor
        The dispatcher (``None``: the system).
    now
        The current instant (engineers start from here; default now).
    positions
        Engineers' last known positions.
    travel
        Travel-time provider (default: straight lines).

    Raises
    ------
    NotFound
        No such ticket.
    Conflict
        The ticket is not waiting for an engineer, has no window today, or fits in no
        route (``reasons`` and ``suggestion`` say why and what would let it in).
    """
    now = now or utcnow()
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(f"no ticket {ticket_id}", field="ticket_id")
    if ticket.status not in _INSERTABLE:
        raise Conflict(
            f"ticket {ticket.number} is {ticket.status}; only a ticket waiting for an "
            "engineer can be dispatched now",
            field="ticket_id",
            ticket_status=ticket.status,
        )
    if ticket.status in {TicketStatus.NEW.value, TicketStatus.REOPENED.value}:
        transition(
            session=session, ticket=ticket, action="triage", actor=actor, reason="emergency", at=now
        )
    day = now.astimezone(ZoneInfo(ticket.region.timezone)).date()
    published = _published_for(session, ticket.region, day)
    region_id = published.region_id if published is not None else ticket.region_id
    planning = build_problem(
        session=session,
        region_id=region_id,
        day=day,
        now=now,
        positions=positions,
        travel=travel,
    )
    number = ticket.number
    if number not in planning.ticket_ids:
        why = planning.skipped.get(ticket.id, "it cannot be planned today")
        raise Conflict(f"ticket {number} cannot be dispatched today: {why}", field="ticket_id")
    problem = planning.problem
    matrix = problem.travel_matrix()
    current = solution_from_plan(
        problem, _current_routes(planning, published, ticket.id), matrix=matrix
    )
    solver_ticket = next(t for t in problem.tickets if t.id == number)
    result = insert(problem, current, solver_ticket, matrix=matrix)
    if not result.inserted or result.engineer_id is None:
        unassigned = result.unassigned
        suggestion = unassigned.suggestion if unassigned is not None else None
        raise Conflict(
            f"ticket {number} fits in no engineer's route today"
            + (f"; {suggestion.message}" if suggestion is not None else ""),
            field="ticket_id",
            reasons=[str(r) for r in unassigned.reasons] if unassigned is not None else [],
            suggestion=suggestion.message if suggestion is not None else None,
        )
    zone = ZoneInfo(ticket.region.timezone)
    start = dt.datetime.combine(day, dt.time(0), zone).astimezone(dt.UTC)
    plan = Plan(
        region_id=region_id,
        plan_date=day,
        horizon_start=start,
        horizon_end=start + dt.timedelta(days=1),
        status=PlanStatus.SUCCEEDED.value,
        options={"source": "dispatch_now", "ticket_id": ticket.id, "replan_from_now": True},
        time_budget_seconds=1.0,
        created_by_id=actor.id if actor is not None else None,
        notes=[],
        progress=1.0,
        attempts=1,
        started_at=now,
        finished_at=now,
    )
    session.add(plan)
    session.flush()
    apply_solution(session=session, plan=plan, planning=planning, solution=result.solution)
    engineer_id = planning.engineer_ids[result.engineer_id]
    plan.notes = [
        f"dispatch now: {number} inserted for {result.engineer_id} at position "
        f"{result.position} (+{result.added_travel_seconds} s travel) in "
        f"{result.seconds * 1000:.0f} ms",
        *plan.notes,
    ]
    make_current(session=session, plan=plan, actor=actor, at=now, reason=f"dispatch now {number}")
    transition(
        session=session,
        ticket=ticket,
        action="dispatch",
        actor=actor,
        reason="dispatch now",
        at=now,
        engineer_id=engineer_id,
    )
    visit = next(v for v in plan.visits if v.ticket_id == ticket.id)
    return DispatchNowResult(
        plan=plan,
        visit=visit,
        added_travel_seconds=result.added_travel_seconds,
        insertion_seconds=result.seconds,
    )
