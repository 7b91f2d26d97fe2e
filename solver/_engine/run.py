"""One engine run: compile, construct or start from given routes, improve (private)."""

from __future__ import annotations

import time

import numpy as np

from solver._engine import core
from solver._engine.core import core_improve, core_stage
from solver._engine.exchange import exchange_pass
from solver._engine.model import Model, compile_problem
from solver._engine.plan import Plan
from solver._engine.polish import polish
from solver._engine.search import Budget, construct, improve, recreate
from solver._engine.staged import staged_improve
from solver.params import SolveParams
from solver.problem import Problem

POLISH_MAX_TICKETS = 1200
"""Above this many tickets (the whole of a large problem) the OR-Tools phase is skipped."""


def model_of(problem: Problem) -> Model:
    """Compile ``problem`` (asks its travel provider once)."""
    tm = problem.travel_matrix()
    return compile_problem(problem, tm.durations, tm.distances)


def _from_routes(
    m: Model, routes: list[list[int]], rng: np.random.Generator, deadline: float | None = None
) -> tuple[Plan, list[int]]:
    """A plan from given sequences (infeasible tails dropped), completed by insertion.

    Past ``deadline`` the plan is the given sequences alone (nothing is inserted).
    """
    plan = Plan(m)
    for k, seq in enumerate(routes):
        if seq and not plan.set_route(k, seq):
            kept: list[int] = []
            for j in seq:
                if plan.set_route(k, [*kept, j]):
                    kept.append(j)
    pinned = np.flatnonzero(m.pin_eng >= 0)
    conflicts = [int(j) for j in pinned if plan.assigned[j] < 0]
    plan.in_pool[pinned] = False
    plan.pool = np.flatnonzero(plan.in_pool)
    if deadline is None or time.perf_counter() < deadline:
        plan.refresh_rows(plan.unassigned_pool(), deadline=deadline)
        recreate(plan, rng, "regret", deadline=deadline)
    return plan, conflicts


def run_engine(
    problem: Problem,
    seconds: float,
    iterations: int | None,
    seed: int,
    params: SolveParams | None = None,
    model: Model | None = None,
    start: list[list[int]] | None = None,
    rival: list[list[int]] | None = None,
) -> tuple[Plan, list[int], int]:
    """Plan ``problem`` within ``seconds`` (and ``iterations``, when given).

    Parameters
    ----------
    problem
        The problem.
    seconds, iterations
        Budget of the whole run from its start: construction (or completing
        ``start``) stops inserting when ``seconds`` have passed without an iteration
        budget, and the improvement phases run only while time is left. With
        ``iterations`` the construction always completes (the plan stays
        reproducible) and ``seconds`` only caps the improvement.
    seed
        Random seed.
    params
        Search choices (defaults when ``None``).
    model
        The compiled problem, when already at hand.
    start
        Ticket sequences per engineer to start from instead of constructing.
    rival
        Partial sequences per engineer (e.g. another dispatcher's high-tier visits):
        completed like ``start`` and kept instead of the construction when better.

    Returns
    -------
    tuple
        The plan, the pinned tickets that could not be placed, iterations run.
    """
    params = params or SolveParams(seed=seed)
    t0 = time.perf_counter()
    end = t0 + seconds
    cap = end if iterations is None else None
    m = model if model is not None else model_of(problem)
    rng = np.random.default_rng(seed)
    if start is None:
        plan, conflicts = _construct(m, rng, params, rival, cap, end)
    else:
        plan, conflicts = _from_routes(m, start, rng, cap)
    if params.local_search == "none" or time.perf_counter() >= end:
        return plan, conflicts, 0
    its = _improve(plan, rng, params, iterations, end, start is None)
    return plan, conflicts, its


def _improve(
    plan: Plan,
    rng: np.random.Generator,
    params: SolveParams,
    iterations: int | None,
    end: float,
    constructed: bool,
) -> int:
    """The improvement phases until ``end``: search, then (polish, search) per polish
    round, each search followed by an exchange pass; returns the iterations run."""
    rounds = params.polish_rounds if plan.m.n_tix <= POLISH_MAX_TICKETS else 0
    shares = _phase_shares(params.polish_share, rounds)
    its = 0
    for phase, share in enumerate(shares):
        left = max(0.0, end - time.perf_counter())
        if left <= 0.0:
            break
        part = left * share / sum(shares[phase:])
        if phase % 2 == 1:
            if iterations is None:
                polish(plan, part)
            else:
                polish(plan, max(left, 1.0), descent=True)
            continue
        its_here = None if iterations is None else iterations // (rounds + 1)
        last = phase == len(shares) - 1
        deadline = end if last else time.perf_counter() + part
        staged = phase == 0 and constructed and params.staged
        its += _search_phase(plan, rng, params, Budget(its_here, deadline), staged)
        exchange_pass(plan, rng, deadline=end - plan.refresh_seconds())
    return its


def _construct(
    m: Model,
    rng: np.random.Generator,
    params: SolveParams,
    rival: list[list[int]] | None,
    cap: float | None,
    end: float,
) -> tuple[Plan, list[int]]:
    """Construct a plan; ``rival`` completed instead when that is better (same pins kept)."""
    plan = Plan(m)
    conflicts = construct(plan, rng, params.first_solution, deadline=cap)
    if rival is not None and time.perf_counter() < end:
        other, other_conflicts = _from_routes(m, rival, rng, cap)
        kept_pins = set(other_conflicts) <= set(conflicts)
        if kept_pins and other.objective() < plan.objective():
            plan, conflicts = other, other_conflicts
    return plan, conflicts


def _phase_shares(polish_share: float, rounds: int) -> list[float]:
    """Shares of the budget of the phases: search, then (polish, search) ``rounds`` times."""
    shares = [1.0]
    if rounds:
        ps, rs = polish_share / rounds, (1.0 - polish_share) / (rounds + 1)
        shares = [rs]
        for _ in range(rounds):
            shares += [ps, rs]
    return shares


def _search_phase(
    plan: Plan, rng: np.random.Generator, params: SolveParams, budget: Budget, staged: bool
) -> int:
    """One ruin-and-recreate phase (compiled core when built, else numpy); iterations run."""
    if params.compiled and core.AVAILABLE:
        if staged:
            return staged_improve(plan, rng, budget, 0, 0, 0.0, step=core_stage)
        return core_improve(plan, rng, budget)
    search = staged_improve if staged else improve
    return search(
        plan,
        rng,
        budget,
        params.min_ruin,
        params.max_ruin,
        params.temperature,
        params.sacrifice,
        params.mix,
    )
