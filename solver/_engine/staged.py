"""Tier-by-tier search: the ticket pool grows one priority tier at a time (private).

The objective is lexicographic by tier, so how many P1..Pt tickets a plan can serve
does not depend on the lower tiers: they only take room. Stage ``t`` therefore
searches with only the tickets of tiers ``1..t`` (and pinned visits) in the plan, on
shorter routes and a smaller pool, so the ruin-and-recreate moves concentrate on the
tier being decided and run faster. The next stage starts from that plan, adds tier
``t + 1`` to the pool and recreates. A stage is skipped when every ticket of its pool
is served (nothing left to decide there).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from solver._engine.plan import Plan, Snapshot
from solver._engine.search import Budget, improve, recreate

TIERS = (1, 2, 3, 4)

STALL = 0.4
"""A stage below the last ends once its served tickets have not improved for this share
of its budget; the time left goes to the next stages."""


def _restrict(plan: Plan, full: np.ndarray, top: int) -> None:
    """Limit the pool to the tickets of ``full`` with tier <= ``top``."""
    m = plan.m
    plan.in_pool = full & (m.tier <= top)
    plan.pool = np.flatnonzero(plan.in_pool)


def stage_weights(plan: Plan, full: np.ndarray) -> list[float]:
    """Share of the budget of each stage: the pool tickets of its tier (at least 1)."""
    m = plan.m
    return [float(max(1, int((full & (m.tier == t)).sum()))) for t in TIERS]


def staged_improve(
    plan: Plan,
    rng: np.random.Generator,
    budget: Budget,
    min_ruin: int,
    max_ruin: int,
    temperature: float,
    sacrifice: float = 0.0,
    mix: float = 0.0,
    step: Callable[[Plan, np.random.Generator, Budget, float | None], int] | None = None,
) -> int:
    """Improve ``plan`` tier by tier (see the module docstring); returns iterations run.

    Parameters
    ----------
    plan
        A complete plan (construction done); it is first emptied of the unpinned
        visits below P1 and refilled stage by stage.
    rng
        Random source.
    budget
        Iterations and/or deadline of all stages together.
    min_ruin, max_ruin, temperature, sacrifice, mix
        As for :func:`solver._engine.search.improve`.
    step
        The search of one stage, ``step(plan, rng, budget, stall)`` returning its
        iterations (default: :func:`~solver._engine.search.improve` with the
        arguments above).
    """
    if step is None:

        def step(p: Plan, r: np.random.Generator, b: Budget, stall: float | None) -> int:
            return improve(p, r, b, min_ruin, max_ruin, temperature, sacrifice, mix, stall=stall)

    full = plan.in_pool.copy()
    start_best = plan.objective()
    start_snap = plan.snapshot()
    weights = stage_weights(plan, full)
    _keep_top_tier(plan, full)
    its_total = 0
    left_its = budget.iterations
    for i, top in enumerate(TIERS):
        if i > 0:
            _open_tier(plan, rng, full, top)
        share = weights[i] / sum(weights[i:])
        waiting = plan.unassigned_pool()
        if waiting.size == 0 and top < TIERS[-1]:
            continue
        last = top == TIERS[-1]
        n = step(plan, rng, _stage_budget(budget, left_its, share, last), None if last else STALL)
        its_total += n
        if left_its is not None:
            left_its = max(0, left_its - n)
    _reopen(plan, full, start_best, start_snap)
    return its_total


def _reopen(
    plan: Plan, full: np.ndarray, start_best: tuple[int, ...], start_snap: Snapshot
) -> None:
    """Give the plan its whole pool back; back to the start when the stages did worse."""
    plan.in_pool = full
    plan.pool = np.flatnonzero(full)
    plan.refresh_rows(plan.unassigned_pool())
    if plan.objective() > start_best:
        plan.restore(start_snap)
        plan.in_pool = full
        plan.pool = np.flatnonzero(full)


def _keep_top_tier(plan: Plan, full: np.ndarray) -> None:
    """Take out the unpinned visits below P1 and limit the pool to P1."""
    m = plan.m
    lower = [int(j) for j in np.flatnonzero((plan.assigned >= 0) & (m.tier > 1) & (m.pin_eng < 0))]
    changed = plan.remove(lower)
    _restrict(plan, full, 1)
    plan.refresh_columns(changed)


def _open_tier(plan: Plan, rng: np.random.Generator, full: np.ndarray, top: int) -> None:
    """Let the tickets of tier ``top`` into the pool and recreate."""
    m = plan.m
    _restrict(plan, full, top)
    fresh = np.flatnonzero(full & (m.tier == top) & (plan.assigned < 0))
    plan.refresh_rows(fresh)
    recreate(plan, rng, "regret")


def _stage_budget(budget: Budget, left_its: int | None, share: float, last: bool) -> Budget:
    """The budget of one stage: its ``share`` of what is left (all of it for the last)."""
    if left_its is not None:
        its_here: int | None = int(left_its * share)
        deadline = budget.deadline
    else:
        its_here = None
        now = time.perf_counter()
        deadline = now + max(0.0, budget.deadline - now) * share
    if last:
        its_here = left_its
        deadline = budget.deadline
    return Budget(its_here, deadline)
