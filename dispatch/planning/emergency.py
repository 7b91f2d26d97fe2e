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
from dispatch.infra.day_clock import local_day
from dispatch.models import Plan, Region, Ticket, TicketStatus, User, Visit, utcnow
from dispatch.org.regions import region_and_ancestors, root_id
from dispatch.planning.problem import PlanningInput, build_problem, current_plan
from dispatch.planning.published_day import current_routes
from dispatch.planning.publishing import PlanSource, publish_solution, published_under
from dispatch.sla.policy import session_policy
from dispatch.tickets.lifecycle import transition
from solver import (
    InsertionResult,
    Problem,
    Solution,
    TimeWindow,
    TravelMatrix,
    TravelTimeProvider,
    insert,
    insert_diverting,
    solution_from_plan,
)
from solver import Ticket as SolverTicket

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


def _covering_region(session: Session, region: Region, day: dt.date) -> int:
    """The region whose published plan of ``day`` covers ``region`` (its own, else the
    nearest ancestor's); none: the root (any engineer of the organisation may take it)."""
    for region_id in region_and_ancestors(session=session, region_id=region.id):
        if current_plan(session=session, region_id=region_id, day=day) is not None:
            return region_id
    return root_id(session=session, region_id=region.id)


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
    result = insert(problem, current, ticket, matrix=matrix, displace=True)
    displaced = result.displaced_ticket_id
    arrival = result.arrival_of(ticket.id)
    in_time = arrival is not None and (
        ticket.sla_deadline is None or arrival <= ticket.sla_deadline
    )
    if in_time or not divertible:
        return result, displaced, None
    diverted = insert_diverting(problem, current, ticket, matrix=matrix, divertible=divertible)
    if diverted is None:
        return result, displaced, None
    other, victim = diverted
    sooner = other.arrival_of(ticket.id)
    if arrival is None or (sooner is not None and sooner < arrival):
        return other, None, victim
    return result, displaced, None


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
    ticket = _waiting_ticket(session, ticket_id, actor, now)
    day = local_day(now, ZoneInfo(ticket.region.timezone))
    region_id = _covering_region(session, ticket.region, day)
    placement = _placement(session, ticket, region_id, day, now, travel)
    plan = _publish(session, ticket, placement, actor, now)
    result, ids = placement.result, placement.planning.ticket_ids
    assert result.engineer_id is not None  # (placed: see _placement)
    transition(
        session=session,
        ticket=ticket,
        action="dispatch",
        actor=actor,
        reason="dispatch now",
        at=now,
        engineer_id=placement.planning.engineer_ids[result.engineer_id],
    )
    visit = next(v for v in plan.visits if v.ticket_id == ticket.id)
    taken_off = placement.diverted or placement.displaced
    return DispatchNowResult(
        plan=plan,
        visit=visit,
        displaced_ticket_ids=(ids[taken_off],) if taken_off else (),
        diverted_ticket_ids=(ids[placement.diverted],) if placement.diverted else (),
        added_travel_seconds=result.added_travel_seconds,
        insertion_seconds=result.seconds,
    )


def _waiting_ticket(
    session: Session, ticket_id: int, actor: User | None, now: dt.datetime
) -> Ticket:
    """The ticket to dispatch now, triaged if it was new or reopened.

    Raises
    ------
    NotFound
        No such ticket.
    Conflict
        It is not waiting for an engineer.
    """
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
    return ticket


@dataclass(frozen=True)
class _Placement:
    """Where the insertion put the emergency, in the day's problem from now."""

    planning: PlanningInput
    result: InsertionResult
    displaced: str | None
    """The lower-tier ticket taken out of a route to make room."""
    diverted: str | None
    """The ticket whose engineer was called off on the way to it."""


def _placement(
    session: Session,
    ticket: Ticket,
    region_id: int,
    day: dt.date,
    now: dt.datetime,
    travel: TravelTimeProvider | None,
) -> _Placement:
    """Insert ``ticket`` into the published day of ``region_id`` (and the regions below).

    Raises
    ------
    Conflict
        The ticket cannot be planned today, has no window left, or fits in no route.
    """
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
        raise _fits_nowhere(number, result)
    return _Placement(planning, result, displaced, diverted)


def _fits_nowhere(number: str, result: InsertionResult) -> Conflict:
    """The refusal of a ticket no route can take, with the solver's reasons and suggestion."""
    unassigned = result.unassigned
    suggestion = unassigned.suggestion if unassigned is not None else None
    return Conflict(
        f"ticket {number} fits in no engineer's route today"
        + (f"; {suggestion.message}" if suggestion is not None else ""),
        field="ticket_id",
        reasons=[str(r) for r in unassigned.reasons] if unassigned is not None else [],
        suggestion=suggestion.message if suggestion is not None else None,
    )


def _publish(
    session: Session, ticket: Ticket, placement: _Placement, actor: User | None, now: dt.datetime
) -> Plan:
    """Publish the day with the emergency in it; an engineer called off on the way to a
    visit has that ticket sent back to the pool first (``divert``)."""
    result, number = placement.result, ticket.number
    displaced, diverted = placement.displaced, placement.diverted
    notes = [
        f"dispatch now: {number} inserted for {result.engineer_id} at position "
        f"{result.position} (+{result.added_travel_seconds} s travel) in "
        f"{result.seconds * 1000:.0f} ms"
        + (f"; {displaced} displaced (lower priority, back to the pool)" if displaced else "")
    ]
    if diverted is not None:
        called_off = session.get(Ticket, placement.planning.ticket_ids[diverted])
        assert called_off is not None
        transition(
            session=session,
            ticket=called_off,
            action="divert",
            actor=actor,
            reason=f"engineer diverted to emergency {number}",
            at=now,
        )
        notes.insert(0, f"{diverted} interrupted on the way (back to the pool)")
    source = PlanSource(
        options={"source": "dispatch_now", "ticket_id": ticket.id},
        reason=f"dispatch now {number}",
        notes=tuple(notes),
    )
    return publish_solution(
        session=session,
        planning=placement.planning,
        solution=result.solution,
        source=source,
        actor=actor,
        at=now,
    )
