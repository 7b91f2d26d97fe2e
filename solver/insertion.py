"""Fast insertion of one new ticket (an emergency arriving mid-day) into a plan.

:func:`insert` puts the ticket at the cheapest feasible place of an existing plan
without moving any other visit to another engineer or reordering a route; only the
route that receives it is re-timed. The check is vectorised over every gap of every
qualified engineer's route; when it finds nothing, each position of the nearest
routes is timed exactly (a break may then move) before the ticket is declared
unplaceable, with reasons and a suggestion.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np

from solver._engine.insert_eval import gaps_of, insertion_costs
from solver._engine.model import INF, compile_problem
from solver._engine.plan import Plan
from solver._engine.route import evaluate
from solver.assemble import kpis_of
from solver.check.retime import RouteContext
from solver.displace import displacement_trials, diversion_trials
from solver.problem import Problem, Ticket
from solver.reasons import explain
from solver.solution import Solution, Unassigned
from solver.travel.base import TravelMatrix

EXACT_ROUTES = 20
"""Routes timed position by position when the vectorised check finds no place."""


@dataclass(frozen=True)
class InsertionResult:
    """Outcome of :func:`insert`.

    Attributes
    ----------
    solution
        The plan with the ticket in it (or the unchanged plan, with the ticket added to
        the unassigned, when it does not fit).
    inserted
        Whether the ticket was placed.
    engineer_id, position
        Where it went (0-based position in that engineer's route).
    added_travel_seconds
        Extra driving the insertion causes.
    unassigned
        Reasons and suggestion when it was not placed.
    seconds
        Wall time of the insertion.
    displaced_ticket_id
        The lower-priority ticket taken out of a route to make room (``displace=True``).
    """

    solution: Solution
    inserted: bool
    engineer_id: str | None = None
    position: int | None = None
    added_travel_seconds: int = 0
    unassigned: Unassigned | None = None
    seconds: float = 0.0
    displaced_ticket_id: str | None = None

    def arrival_of(self, ticket_id: str) -> int | None:
        """When the engineer who got ``ticket_id`` arrives (solver seconds), if placed."""
        if not self.inserted or self.engineer_id is None:
            return None
        route = self.solution.route_of(self.engineer_id)
        if route is None:
            return None
        return next((v.arrival for v in route.visits if v.ticket_id == ticket_id), None)


def _extended(problem: Problem, ticket: Ticket) -> Problem:
    if any(t.id == ticket.id for t in problem.tickets):
        return problem
    if isinstance(problem.travel, TravelMatrix):
        raise ValueError(
            "the problem's travel is a fixed matrix without the new ticket: pass a problem "
            "that already contains the ticket (and its matrix), or one with a provider"
        )
    return dataclasses.replace(problem, tickets=(*problem.tickets, ticket))


def insert(
    problem: Problem,
    solution: Solution,
    ticket: Ticket,
    *,
    matrix: TravelMatrix | None = None,
    displace: bool = False,
) -> InsertionResult:
    """Insert ``ticket`` into ``solution`` at its cheapest feasible place.

    Parameters
    ----------
    problem
        The problem ``solution`` answers; it may already contain ``ticket`` (then
        ``solution`` must not route it yet), else it needs a travel provider.
    solution
        The current plan; its routes are kept (pins included), only one gains a visit.
    ticket
        The new ticket.
    matrix
        The travel matrix of the problem *with* the ticket, when already computed.
    displace
        When the ticket fits nowhere as things are, take one lower-priority visit out of
        a route to make room (see :func:`solver.displace.displacement_trials`; the first
        removal that lets the ticket in wins, and the result names it in
        ``displaced_ticket_id``).

    Returns
    -------
    InsertionResult
        The new plan and where the ticket went, or why it could not go anywhere.
    """
    result = _insert_one(problem, solution, ticket, matrix)
    if result.inserted or not displace:
        return result
    prob = _extended(problem, ticket)
    tm = matrix if matrix is not None else prob.travel_matrix()
    for trial, victim in displacement_trials(prob, solution, ticket, tm):
        found = _insert_one(prob, trial, ticket, tm)
        if found.inserted:
            return dataclasses.replace(found, displaced_ticket_id=victim)
    return result


def insert_diverting(
    problem: Problem,
    solution: Solution,
    ticket: Ticket,
    *,
    matrix: TravelMatrix,
    divertible: frozenset[int],
) -> tuple[InsertionResult, str] | None:
    """The earliest insertion after calling one engineer off the way to a lower-tier visit.

    Parameters
    ----------
    problem
        The problem ``solution`` answers, with ``ticket`` in it.
    solution
        The current plan.
    ticket
        The urgent ticket.
    matrix
        The travel matrix of ``problem``.
    divertible
        Tiers (as numbers) whose visits an engineer on the way may be called off from.

    Returns
    -------
    tuple[InsertionResult, str] or None
        The insertion that gets someone to ``ticket`` earliest and the ticket the engineer
        was diverted from (candidates as in :func:`solver.displace.diversion_trials`), or
        ``None`` when no diversion places it.
    """
    best: tuple[InsertionResult, str] | None = None
    best_arrival = 0
    for freed, trial, victim in diversion_trials(problem, solution, ticket, matrix, divertible):
        result = insert(freed, trial, ticket, matrix=matrix)
        arrival = result.arrival_of(ticket.id)
        if arrival is not None and (best is None or arrival < best_arrival):
            best, best_arrival = (result, victim), arrival
    return best


def _insert_one(
    problem: Problem, solution: Solution, ticket: Ticket, matrix: TravelMatrix | None
) -> InsertionResult:
    """:func:`insert` without displacement."""
    t0 = time.perf_counter()
    prob = _extended(problem, ticket)
    tm = matrix if matrix is not None else prob.travel_matrix()
    m = compile_problem(prob, tm.durations, tm.distances)
    t_index = {t.id: i for i, t in enumerate(prob.tickets)}
    j = t_index[ticket.id]
    if ticket.id in solution.assignment():
        raise ValueError(f"ticket {ticket.id} is already in the plan")
    plan = Plan(m, focus=np.array([j], dtype=np.int64))
    usable = _usable_routes(plan, prob, solution, t_index, j)
    best = _vectorised(plan, j, usable)
    if best is None:
        best = _exact(plan, j, usable)
    old_unassigned = tuple(u for u in solution.unassigned if u.ticket_id != ticket.id)
    if best is None:
        (mine,) = explain(m, plan, [], suggestions=True, only=[j])
        sol = dataclasses.replace(
            solution,
            unassigned=(*old_unassigned, mine),
            kpis=dataclasses.replace(
                solution.kpis, total_by_tier=kpis_of(prob, solution.routes).total_by_tier
            ),
        )
        return InsertionResult(sol, False, unassigned=mine, seconds=time.perf_counter() - t0)
    k, g, added = best
    eid = prob.engineers[k].id
    ids: list[str] = [prob.tickets[x].id for x in plan.routes[k].seq]
    timed = RouteContext.of(prob, tm).retime(eid, [*ids[:g], ticket.id, *ids[g:]]).route
    routes = tuple(timed if r.engineer_id == eid else r for r in solution.routes)
    if all(r.engineer_id != eid for r in solution.routes):
        routes = (*routes, timed)
    sol = dataclasses.replace(
        solution, routes=routes, unassigned=old_unassigned, kpis=kpis_of(prob, routes)
    )
    return InsertionResult(sol, True, eid, g, added, None, time.perf_counter() - t0)


def _usable_routes(
    plan: Plan, prob: Problem, solution: Solution, t_index: dict[str, int], j: int
) -> list[int]:
    """Engineers qualified for ticket ``j`` whose current route loads into ``plan``."""
    usable: list[int] = []
    for k in np.flatnonzero(plan.m.eligible[j]).tolist():
        route = solution.route_of(prob.engineers[k].id)
        seq = [t_index[v.ticket_id] for v in route.visits] if route is not None else []
        if not seq or plan.set_route(k, seq):
            usable.append(k)
    return usable


def _vectorised(plan: Plan, j: int, engineers: list[int]) -> tuple[int, int, int] | None:
    """Cheapest (engineer, gap, added travel) by the vectorised check."""
    m = plan.m
    busy = [k for k in engineers if plan.routes[k].seq]
    best: tuple[int, int, int, int] | None = None  # cost, k, gap, added travel
    if busy:
        g = gaps_of([plan.routes[k] for k in busy], busy)
        n_jobs, load, work = plan.route_stats()
        costs, _ = insertion_costs(m, np.array([j], dtype=np.int64), g, n_jobs, load, work)
        i = int(np.argmin(costs[0]))
        if costs[0, i] < INF:
            k = int(g.k[i])
            a, c, tn = int(g.a[i]), int(g.c[i]), m.tnode(j)
            added = int(m.dur_m[a, tn] + m.dur_m[tn, c] - m.dur_m[a, c])
            best = (int(costs[0, i]), k, int(g.pos[i]), added)
    for k in engineers:
        if not plan.routes[k].seq and plan.alone[j, k] < INF:
            cost = int(plan.alone[j, k])
            if best is None or cost < best[0]:
                tn = m.tnode(j)
                best = (cost, k, 0, int(m.dur_m[k, tn] + m.dur_m[tn, m.n_eng + k]))
    return None if best is None else best[1:]


def _exact(plan: Plan, j: int, engineers: list[int]) -> tuple[int, int, int] | None:
    """Cheapest place by timing every position of the nearest routes exactly."""
    m = plan.m
    tn = m.tnode(j)
    near = sorted(
        (k for k in engineers if plan.routes[k].seq),
        key=lambda k: int(m.dur_m[k, tn]),
    )[:EXACT_ROUTES]
    best: tuple[int, int, int, int] | None = None
    for k in near:
        r = plan.routes[k]
        frozen = 0
        while frozen < len(r.seq) and frozen < len(m.frozen[k]):
            if r.seq[frozen] != m.frozen[k][frozen]:
                break
            frozen += 1
        for g in range(frozen, len(r.seq) + 1):
            ev = evaluate(m, k, [*r.seq[:g], j, *r.seq[g:]], with_arrays=False)
            if ev is not None and (best is None or ev.cost - r.cost < best[0]):
                best = (ev.cost - r.cost, k, g, ev.travel - r.travel)
    return None if best is None else best[1:]
