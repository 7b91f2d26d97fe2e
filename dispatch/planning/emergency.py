"""Dispatch now: put an emergency into today's published plan at once.

The solver's fast insertion places the ticket at the cheapest feasible position of the
published routes, starting no earlier than now, without moving any other visit to
another engineer (routes keep their order; only the receiving one is re-timed). Tickets
already done drop out of the routes; an engineer on site is free when the job ends. The result is published as a new
plan straight away and the ticket is dispatched to its engineer; the caller then queues
a full re-optimisation of the day, which may improve on the insertion.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from dispatch.errors import Conflict, NotFound
from dispatch.models import Plan, PlanStatus, Region, Ticket, TicketStatus, User, Visit, utcnow
from dispatch.planning.plans import new_plan
from dispatch.planning.problem import PlanningInput, apply_solution, build_problem
from dispatch.planning.publishing import make_current, published_under
from dispatch.sla.policy import session_policy
from dispatch.tickets.lifecycle import transition
from solver.assemble import solution_from_plan
from solver.insertion import InsertionResult, insert
from solver.problem import Problem, TimeWindow
from solver.problem import Ticket as SolverTicket
from solver.retime import RouteContext, ticket_point
from solver.solution import Reason, Solution, Unassigned
from solver.travel import TravelMatrix, TravelTimeProvider

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
    displaced_ticket_ids
        Lower-priority tickets taken out of a route to make room (back in the pool).
    diverted_ticket_ids
        Of those, the one whose engineer was called off on the way to it.
    added_travel_seconds
        Extra driving the insertion caused.
    insertion_seconds
        Wall time of the solver's insertion.
    """

    plan: Plan
    visit: Visit
    displaced_ticket_ids: tuple[int, ...]
    diverted_ticket_ids: tuple[int, ...]
    added_travel_seconds: int
    insertion_seconds: float


def _published_for(session: Session, region: Region, day: dt.date) -> Plan | None:
    """The newest published plan of ``day`` covering ``region`` (its own, else an ancestor's)."""
    from dispatch.planning.problem import current_plan

    current: Region | None = region
    while current is not None:
        plan = current_plan(session=session, region_id=current.id, day=day)
        if plan is not None:
            return plan
        current = session.get(Region, current.parent_id) if current.parent_id else None
    return None


def current_routes(
    planning: PlanningInput, published: list[Plan], leave_out: int
) -> dict[str, list[str]]:
    """Engineer code -> ticket numbers in order, from the published plans (pins included)."""
    numbers = {tid: number for number, tid in planning.ticket_ids.items()}
    codes = {eid: code for code, eid in planning.engineer_ids.items()}
    routes: dict[str, list[str]] = {}
    visits = [v for plan in published for v in plan.visits]
    for v in sorted(visits, key=lambda v: (v.engineer_id, v.sequence)):
        if v.ticket_id == leave_out or v.ticket_id not in numbers or v.engineer_id not in codes:
            continue
        routes.setdefault(codes[v.engineer_id], []).append(numbers[v.ticket_id])
    return routes


def _from_now(planning: PlanningInput, number: str, now_s: int) -> PlanningInput:
    """The day's problem with the emergency's windows cut to start no earlier than now."""
    problem = planning.problem
    ticket = next(t for t in problem.tickets if t.id == number)
    windows = tuple(
        TimeWindow(max(w.start, now_s), w.end) for w in ticket.windows if w.end >= now_s
    )
    if not windows:
        raise Conflict(f"ticket {number} has no appointment window left today", field="ticket_id")
    tickets = tuple(
        dataclasses.replace(t, windows=windows) if t.id == number else t for t in problem.tickets
    )
    return dataclasses.replace(planning, problem=dataclasses.replace(problem, tickets=tickets))


MAX_DISPLACEMENT_TRIES = 40
"""Lower-priority visits tried for removal when the emergency fits nowhere as things are."""


def _insert_displacing(
    problem: Problem, current: Solution, ticket: SolverTicket, matrix: TravelMatrix
) -> tuple[InsertionResult, str] | None:
    """Insert ``ticket`` after taking one lower-priority visit out of a route, if that helps.

    Candidates are unpinned visits of a lower tier on the routes of engineers qualified
    for the ticket, lowest tier first, then nearest to the ticket; the first removal that
    lets the ticket in wins.
    """
    ctx = RouteContext.of(problem, matrix)
    qualified = {e.id for e in problem.engineers if e.qualified_for(ticket)}
    tiers = {t.id: int(t.tier) for t in problem.tickets}
    points = {t.id: ticket_point(problem, i) for i, t in enumerate(problem.tickets)}
    pinned = {p.ticket_id for p in problem.pins}
    here = points[ticket.id]
    candidates = sorted(
        (
            -tiers[v.ticket_id],
            int(matrix.durations[here][points[v.ticket_id]]),
            v.ticket_id,
            r.engineer_id,
        )
        for r in current.routes
        if r.engineer_id in qualified
        for v in r.visits
        if tiers[v.ticket_id] > int(ticket.tier) and v.ticket_id not in pinned
    )
    for _, _, victim, engineer in candidates[:MAX_DISPLACEMENT_TRIES]:
        trial = _without(ctx, current, engineer, victim)
        if trial is None:
            continue
        result = insert(problem, trial, ticket, matrix=matrix)
        if result.inserted:
            return result, victim
    return None


def _without(ctx: RouteContext, current: Solution, engineer: str, victim: str) -> Solution | None:
    """``current`` with ``victim`` taken off ``engineer``'s route and back in the pool
    (``None`` when the rest of the route is then infeasible)."""
    route = current.route_of(engineer)
    if route is None:
        return None
    timed = ctx.retime(engineer, [t for t in route.ticket_ids if t != victim])
    if not timed.feasible:
        return None
    return dataclasses.replace(
        current,
        routes=tuple(timed.route if r.engineer_id == engineer else r for r in current.routes),
        unassigned=(
            *current.unassigned,
            Unassigned(victim, (Reason.DISPLACED_BY_HIGHER_PRIORITY,)),
        ),
    )


def _arrival(result: InsertionResult, ticket_id: str) -> int | None:
    """When the inserted ticket's engineer arrives (solver seconds), if it was placed."""
    if not result.inserted or result.engineer_id is None:
        return None
    route = result.solution.route_of(result.engineer_id)
    if route is None:
        return None
    return next((v.arrival for v in route.visits if v.ticket_id == ticket_id), None)


def _place(
    problem: Problem,
    current: Solution,
    ticket: SolverTicket,
    matrix: TravelMatrix,
    divertible: frozenset[int],
) -> tuple[InsertionResult, str | None, str | None]:
    """The emergency's insertion: (result, ticket displaced, ticket diverted from).

    Plain insertion first, then making room by displacing one lower-tier visit. When
    neither gets an engineer there by the ticket's SLA deadline, an engineer driving to a
    visit of a ``divertible`` tier may be called off if that gets someone there sooner.
    """
    result = insert(problem, current, ticket, matrix=matrix)
    displaced: str | None = None
    if not result.inserted:
        found = _insert_displacing(problem, current, ticket, matrix)
        if found is not None:
            result, displaced = found
    arrival = _arrival(result, ticket.id)
    in_time = arrival is not None and (
        ticket.sla_deadline is None or arrival <= ticket.sla_deadline
    )
    if in_time or not divertible:
        return result, displaced, None
    diverted = _insert_diverting(problem, current, ticket, matrix, divertible)
    if diverted is None:
        return result, displaced, None
    other, victim = diverted
    sooner = _arrival(other, ticket.id)
    if arrival is None or (sooner is not None and sooner < arrival):
        return other, None, victim
    return result, displaced, None


def _insert_diverting(
    problem: Problem,
    current: Solution,
    ticket: SolverTicket,
    matrix: TravelMatrix,
    divertible: frozenset[int],
) -> tuple[InsertionResult, str] | None:
    """The earliest insertion after calling one engineer off the way to a lower-tier visit.

    Candidates are engineers qualified for ``ticket`` who are en route (pinned first
    visit) to a visit of a ``divertible`` tier, nearest to the emergency first.
    """
    tiers = {t.id: int(t.tier) for t in problem.tickets}
    points = {t.id: ticket_point(problem, i) for i, t in enumerate(problem.tickets)}
    qualified = {e.id for e in problem.engineers if e.qualified_for(ticket)}
    here = points[ticket.id]
    candidates = sorted(
        (int(matrix.durations[points[p.ticket_id]][here]), p.ticket_id, p.engineer_id)
        for p in problem.pins
        if p.position == 0 and p.engineer_id in qualified and tiers[p.ticket_id] in divertible
    )
    best: tuple[InsertionResult, str] | None = None
    best_arrival = 0
    for _, victim, engineer in candidates[:MAX_DISPLACEMENT_TRIES]:
        freed = dataclasses.replace(
            problem, pins=tuple(p for p in problem.pins if p.ticket_id != victim)
        )
        trial = _without(RouteContext.of(freed, matrix), current, engineer, victim)
        if trial is None:
            continue
        result = insert(freed, trial, ticket, matrix=matrix)
        arrival = _arrival(result, ticket.id)
        if arrival is not None and (best is None or arrival < best_arrival):
            best, best_arrival = (result, victim), arrival
    return best


def dispatch_now(
    *,
    session: Session,
    ticket_id: int,
    actor: User | None,
    now: dt.datetime | None = None,
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
        The current instant: the ticket is served no earlier (default now).
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
    if published is not None:
        region_id = published.region_id
    else:  # nothing covers its region: any engineer of the whole organisation may take it
        root = ticket.region
        while root.parent_id is not None and (parent := session.get(Region, root.parent_id)):
            root = parent
        region_id = root.id
    planning = build_problem(session=session, region_id=region_id, day=day, now=now, travel=travel)
    number = ticket.number
    if number not in planning.ticket_ids:
        why = planning.skipped.get(ticket.id, "it cannot be planned today")
        raise Conflict(f"ticket {number} cannot be dispatched today: {why}", field="ticket_id")
    planning = _from_now(planning, number, planning.seconds(now))
    problem = planning.problem
    matrix = problem.travel_matrix()
    # Every published plan below the chosen region: a new plan for the whole organisation
    # must carry the regions' published days, not drop them.
    below = published_under(session=session, region_id=region_id, day=day)
    current = solution_from_plan(problem, current_routes(planning, below, ticket.id), matrix=matrix)
    solver_ticket = next(t for t in problem.tickets if t.id == number)
    divertible = session_policy(session).divertible(ticket.priority)
    result, displaced, diverted = _place(problem, current, solver_ticket, matrix, divertible)
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
    region = session.get(Region, region_id)
    assert region is not None
    plan = new_plan(
        region=region,
        day=day,
        status=PlanStatus.SUCCEEDED,
        options={"source": "dispatch_now", "ticket_id": ticket.id},
        time_budget_seconds=1.0,
        actor=actor,
    )
    plan.progress, plan.attempts, plan.started_at, plan.finished_at = 1.0, 1, now, now
    session.add(plan)
    session.flush()
    apply_solution(session=session, plan=plan, planning=planning, solution=result.solution)
    engineer_id = planning.engineer_ids[result.engineer_id]
    plan.notes = [
        f"dispatch now: {number} inserted for {result.engineer_id} at position "
        f"{result.position} (+{result.added_travel_seconds} s travel) in "
        f"{result.seconds * 1000:.0f} ms"
        + (f"; {displaced} displaced (lower priority, back to the pool)" if displaced else ""),
        *plan.notes,
    ]
    if diverted is not None:
        called_off = session.get(Ticket, planning.ticket_ids[diverted])
        assert called_off is not None
        transition(
            session=session,
            ticket=called_off,
            action="divert",
            actor=actor,
            reason=f"engineer diverted to emergency {number}",
            at=now,
        )
        plan.notes = [f"{diverted} interrupted on the way (back to the pool)", *plan.notes]
        displaced = diverted
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
        displaced_ticket_ids=(planning.ticket_ids[displaced],) if displaced else (),
        diverted_ticket_ids=(planning.ticket_ids[diverted],) if diverted else (),
        added_travel_seconds=result.added_travel_seconds,
        insertion_seconds=result.seconds,
    )
