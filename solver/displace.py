"""Making room for an urgent ticket: trial plans with one lower-priority visit taken out.

:func:`solver.insertion.insert` (``displace=True``) and
:func:`solver.insertion.insert_diverting` try the urgent ticket on each trial plan
yielded here, in order. A trial plan is the current one with one visit taken off a
route (back in the pool as :attr:`~solver.solution.Reason.DISPLACED_BY_HIGHER_PRIORITY`)
and the rest of that route re-timed; a removal that leaves the route infeasible is
skipped.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from solver.check.retime import RouteContext, ticket_point
from solver.problem import Problem, Ticket
from solver.solution import Reason, Solution, Unassigned
from solver.travel.base import TravelMatrix

MAX_DISPLACEMENT_TRIES = 40
"""Lower-priority visits tried for removal when the urgent ticket fits nowhere as things are."""


def displacement_trials(
    problem: Problem, current: Solution, ticket: Ticket, matrix: TravelMatrix
) -> Iterator[tuple[Solution, str]]:
    """Plans with one lower-priority visit taken out of a route, and that visit's ticket.

    Candidates are unpinned visits of a lower tier on the routes of engineers qualified
    for ``ticket``, lowest tier first, then nearest to the ticket (at most
    :data:`MAX_DISPLACEMENT_TRIES`).
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
        trial = without(ctx, current, engineer, victim)
        if trial is not None:
            yield trial, victim


def diversion_trials(
    problem: Problem,
    current: Solution,
    ticket: Ticket,
    matrix: TravelMatrix,
    divertible: frozenset[int],
) -> Iterator[tuple[Problem, Solution, str]]:
    """Problems and plans with one engineer called off the way to a lower-tier visit.

    Candidates are engineers qualified for ``ticket`` who are en route (pinned first
    visit) to a visit of a ``divertible`` tier, nearest to the ticket first (at most
    :data:`MAX_DISPLACEMENT_TRIES`). Each trial's problem drops that visit's pin.
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
    for _, victim, engineer in candidates[:MAX_DISPLACEMENT_TRIES]:
        freed = dataclasses.replace(
            problem, pins=tuple(p for p in problem.pins if p.ticket_id != victim)
        )
        trial = without(RouteContext.of(freed, matrix), current, engineer, victim)
        if trial is not None:
            yield freed, trial, victim


def without(ctx: RouteContext, current: Solution, engineer: str, victim: str) -> Solution | None:
    """``current`` with ``victim`` taken off ``engineer``'s route and back in the pool.

    Returns ``None`` when the engineer has no route or the rest of it is then infeasible.
    """
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
