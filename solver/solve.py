"""The solve entry point: a plan for a :class:`~solver.problem.Problem`.

:func:`solve` is pure: the same problem, parameters and seed (with an iteration
budget, on the same number of workers) give the same plan.

How it searches:

1. Construction tier by tier with regret-2 insertion (numpy-vectorised feasibility
   of every ticket in every gap of every route, breaks included).
2. Ruin-and-recreate accepted lexicographically: served P1, P2, P3, P4, then cost
   (lateness, travel and the other weights) under annealing. It runs in the compiled
   core (:mod:`solver._engine.core`: SISR-style string removals around a served or a
   waiting ticket, tier-ordered insertion with blinks, tens of thousands of moves a
   second). Without the core, the numpy search (random, related, string and targeted
   ruins; regret, greedy or random-order recreate) runs instead, its first phase tier
   by tier (:mod:`solver._engine.staged`).
3. Unassigned-for-assigned exchanges, and an OR-Tools guided-local-search phase
   started from the plan (``ReadAssignmentFromRoutes``), kept only when better.
4. One such search per CPU with different seeds (the second may start from the
   urgent-first dispatcher's P1/P2 visits when that is the better start); the best
   plan is kept. Problems above :attr:`SolveParams.decompose_above` tickets are
   split into regions instead (see :mod:`solver.decompose`).
5. Every ticket left out is explained (:mod:`solver.reasons`).

The time limit holds for the whole call: one deadline is set at entry and every phase
(travel matrix, compilation, regions, repair, improvement, explanations) starts from what
is left of it. A phase that finds no time left is skipped (construction stops inserting),
so the plan is always feasible, only less complete or less improved.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from solver._engine import core
from solver._engine.insert_eval import alone_of
from solver._engine.model import Model
from solver._engine.parallel import fork_map, usable_workers
from solver._engine.plan import Plan
from solver._engine.run import model_of, run_engine
from solver.assemble import solution_from_plan
from solver.decompose import solve_regions, split, subproblem
from solver.greedy import greedy
from solver.params import SolveParams
from solver.problem import Problem
from solver.reasons import explain
from solver.solution import Reason, Solution, SolveStatus

EXPLAIN_SHARE = 0.05
"""Share of the time limit kept for reasons and suggestions (suggestions stop at the limit;
with an iteration budget they are all searched, so the result stays reproducible)."""

DECOMPOSE_ABOVE = {True: 5000, False: 1200}
"""Default size above which a problem is split, with and without the compiled core."""

REPAIR_SHARE = 0.25
"""Share of the budget left to the whole-problem repair after a decomposed solve."""


def solve(problem: Problem, params: SolveParams | None = None) -> Solution:
    """Plan ``problem``.

    Parameters
    ----------
    problem
        Engineers, tickets, pins and travel.
    params
        Budgets, seed and search choices (defaults: :class:`SolveParams`).

    Returns
    -------
    Solution
        Timed routes for every engineer, unassigned tickets with reasons and
        suggestions, KPIs, status and notes.
    """
    params = params or SolveParams()
    t0 = time.perf_counter()
    seconds = params.wall_seconds()
    deadline = t0 + seconds
    search_end = deadline - EXPLAIN_SHARE * seconds
    if not problem.tickets or not problem.engineers:
        nobody = {t.id: (Reason.NO_ENGINEER_ON_SHIFT,) for t in problem.tickets}
        sol = solution_from_plan(problem, {}, nobody, seconds=time.perf_counter() - t0)
        return dataclasses.replace(sol, status=SolveStatus.EMPTY)
    matrix = problem.travel_matrix()
    fixed = problem if matrix is problem.travel else dataclasses.replace(problem, travel=matrix)
    model = model_of(fixed)
    alone_of(model)  # once, before any worker forks
    notes: list[str] = []
    limit = params.decompose_above
    if limit is None:
        limit = DECOMPOSE_ABOVE[params.compiled and core.AVAILABLE]
    decomposed = 0 < limit < len(problem.tickets)
    if decomposed:
        plan, conflicts, its = _decomposed(fixed, model, params, search_end, notes)
    else:
        plan, conflicts, its = _multistart(fixed, model, params, search_end, notes)
    notes.append(f"{its} improvement iterations")
    unassigned = explain(
        model,
        plan,
        conflicts,
        suggestions=params.suggestions,
        deadline=None if params.iterations is not None else deadline,
    )
    ids = [t.id for t in problem.tickets]
    routes = {problem.engineers[k].id: [ids[j] for j in seq] for k, seq in enumerate(plan.seqs())}
    sol = solution_from_plan(fixed, routes, seconds=0.0, matrix=matrix, notes=notes)
    status = SolveStatus.FEASIBLE
    if not any(r.visits for r in sol.routes) and len(unassigned) == len(problem.tickets):
        status = SolveStatus.FAILED if plan.pool.size else SolveStatus.FEASIBLE
    return dataclasses.replace(
        sol,
        unassigned=tuple(unassigned),
        status=status,
        decomposed=decomposed,
        seconds=time.perf_counter() - t0,
        provider=matrix.provider,
    )


def _one_start(
    problem: Problem, model: Model, params: SolveParams, end: float, seed: int, rival: bool
) -> tuple[tuple[int, ...], list[list[int]], list[int], int]:
    seeds = _dispatcher_seed(problem, model) if rival else _initial_seed(problem)
    left = max(0.0, end - time.perf_counter())
    plan, conflicts, its = run_engine(
        problem, left, params.iterations, seed, params, model=model, rival=seeds
    )
    return plan.objective(), plan.seqs(), conflicts, its


def _initial_seed(problem: Problem) -> list[list[int]] | None:
    """The problem's ``initial_routes`` as ticket indices per engineer (``None``: none)."""
    if not problem.initial_routes:
        return None
    index = {t.id: j for j, t in enumerate(problem.tickets)}
    return [[index[t] for t in problem.initial_routes.get(e.id, ())] for e in problem.engineers]


def _dispatcher_seed(problem: Problem, model: Model) -> list[list[int]]:
    """The P1, P2 and pinned visits of the most-urgent-first dispatcher, per engineer."""
    index = {t.id: j for j, t in enumerate(problem.tickets)}
    sol = greedy(problem, matrix=problem.travel_matrix())
    out: list[list[int]] = [[] for _ in problem.engineers]
    for k, e in enumerate(problem.engineers):
        route = sol.route_of(e.id)
        if route is not None:
            out[k] = [
                j
                for j in (index[v.ticket_id] for v in route.visits)
                if model.tier[j] <= 2 or model.pin_eng[j] >= 0
            ]
    return out


def _multistart(
    problem: Problem, model: Model, params: SolveParams, end: float, notes: list[str]
) -> tuple[Plan, list[int], int]:
    """One search per worker (seeds ``seed``, ``seed + 1``...), the best plan kept.

    Every search stops at ``end`` (a ``time.perf_counter()`` instant).
    """
    workers = usable_workers(params.resolved_workers())
    if workers <= 1:
        left = max(0.0, end - time.perf_counter())
        return run_engine(
            problem,
            left,
            params.iterations,
            params.seed,
            params,
            model=model,
            rival=_initial_seed(problem),
        )
    # the second search may start from the urgent-first dispatcher's P1/P2 visits, the
    # others from the initial routes (the published day) when the problem has them
    jobs = [
        (_one_start, (problem, model, params, end, params.seed + i, i == 1)) for i in range(workers)
    ]
    results = fork_map(jobs, workers)
    best = min(range(workers), key=lambda i: (results[i][0], i))
    _, seqs, conflicts, _ = results[best]
    notes.append(f"best of {workers} parallel searches (seed {params.seed + best})")
    rebuild = dataclasses.replace(params, local_search="none")
    left = max(0.0, end - time.perf_counter())
    plan, _, _ = run_engine(problem, left, 0, params.seed, rebuild, model=model, start=seqs)
    return plan, conflicts, sum(r[3] for r in results)


def _decomposed(
    problem: Problem, model: Model, params: SolveParams, end: float, notes: list[str]
) -> tuple[Plan, list[int], int]:
    """Regions solved side by side until a share of the time left, then repaired as a whole.

    The regions stop at :data:`REPAIR_SHARE` of the time left before ``end`` (a
    ``time.perf_counter()`` instant), whatever their own budgets; the repair stops at
    ``end``.
    """
    regions = split(model, alone_of(model), params.region_tickets, params.seed)
    matrix = problem.travel_matrix()
    subs = [subproblem(problem, matrix, r) for r in regions]
    total = max(1, sum(r.tickets.size for r in regions))
    workers = usable_workers(params.resolved_workers())
    budget = max(0.0, end - time.perf_counter())
    regions_end = end - REPAIR_SHARE * budget
    share = budget * (1.0 - REPAIR_SHARE) * min(workers, len(regions))
    budgets: list[tuple[float, int | None]] = []
    for r in regions:
        frac = r.tickets.size / total
        its = None if params.iterations is None else int(params.iterations * frac)
        budgets.append((max(0.1, share * frac), its))
    results = solve_regions(subs, budgets, params.seed, workers, deadline=regions_end)
    del subs  # their matrix slices: hundreds of MB on a large problem, not needed any more
    start: list[list[int]] = [[] for _ in problem.engineers]
    for r, seqs in zip(regions, results, strict=True):
        for local_k, seq in enumerate(seqs):
            start[int(r.engineers[local_k])] = [int(r.tickets[j]) for j in seq]
    notes.append(
        f"decomposed into {len(regions)} regions of "
        f"{', '.join(str(r.tickets.size) for r in regions)} tickets"
    )
    left = max(0.0, end - time.perf_counter())
    its = None if params.iterations is None else max(0, params.iterations // 4)
    plan, conflicts, n = run_engine(
        problem, left, its, params.seed, params, model=model, start=start
    )
    if np.any(plan.assigned >= 0):
        notes.append("repaired and improved as a whole after the regions")
    return plan, conflicts, n
