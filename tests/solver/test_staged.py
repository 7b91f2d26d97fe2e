"""The tier-by-tier search stage: validity, pins, determinism and its bookkeeping."""

from __future__ import annotations

import numpy as np

from solver import Pin, SolveParams, Tier, solve
from solver._engine.model import INF
from solver._engine.plan import Plan
from solver._engine.run import model_of
from solver._engine.search import Budget, construct
from solver._engine.staged import staged_improve
from solver.problem import Problem
from tests.solver.test_solve_support import assert_valid, eng, line_problem, tix


def _overloaded(pins: tuple[Pin, ...] = ()) -> Problem:
    """Three engineers and more work than fits, in every tier."""
    engineers = [eng(f"E{i}", 3000 * i, max_jobs=6) for i in range(3)]
    tickets = [
        tix(f"T{i}", (i * 7919) % 9000, duration=1500 + 60 * (i % 7), tier=Tier(1 + i % 4))
        for i in range(36)
    ]
    return line_problem(engineers, tickets, pins=pins)


def test_staged_plan_is_valid_and_keeps_pins() -> None:
    # T3 is P4: the staged search empties the routes of lower tiers, never of pins
    pins = (Pin("T3", "E2", position=0), Pin("T5", "E0"))
    p = _overloaded(pins)
    sol = solve(p, SolveParams(iterations=80, time_budget_seconds=120.0, seed=1, workers=1))
    assert_valid(p, sol)
    e2 = sol.route_of("E2")
    assert e2 is not None and e2.visits[0].ticket_id == "T3"
    assert "T5" in sol.route_of("E0").ticket_ids  # type: ignore[union-attr]


def test_staged_search_is_deterministic() -> None:
    p = _overloaded()
    params = SolveParams(iterations=80, time_budget_seconds=120.0, seed=5, workers=1, staged=True)
    a, b = solve(p, params), solve(p, params)
    assert [r.ticket_ids for r in a.routes] == [r.ticket_ids for r in b.routes]
    assert_valid(p, a)


def test_staged_search_never_ends_below_its_start() -> None:
    p = _overloaded()
    m = model_of(p)
    for seed in range(3):
        rng = np.random.default_rng(seed)
        plan = Plan(m)
        construct(plan, rng, "regret")
        before = plan.objective()
        staged_improve(plan, rng, Budget(40, float("inf")), 2, 8, 0.05)
        assert plan.objective() <= before
        # the whole pool is back and the insertion cache is exact for waiting tickets
        assert plan.in_pool.sum() == (plan.alone < INF).any(axis=1).sum()
        waiting = plan.unassigned_pool()
        cached = plan.cache[waiting].copy()
        plan.refresh_rows(waiting)
        assert np.array_equal(cached, plan.cache[waiting])
