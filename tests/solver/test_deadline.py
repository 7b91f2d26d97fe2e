"""One deadline for the whole solve: every phase honours a deadline already past.

No wall-clock figures are asserted (speed is measured in ``benchmarks/``): a deadline
in the past, or a budget far too small to construct anything, is a state the code must
handle the same way on any machine.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from solver import SolveParams, Tier, solve
from solver._engine.model import Model
from solver._engine.plan import Plan
from solver._engine.ruins import NEAREST_BLOCK, _nearest
from solver._engine.run import model_of, run_engine
from solver._engine.search import construct
from solver.decompose import solve_regions
from solver.travel.base import HaversineProvider, Location, haversine_metres
from tests.solver.test_solve_support import assert_valid, eng, line_problem, tix


def _problem(n: int = 24, engineers: int = 4):
    return line_problem(
        [eng(f"E{i}", 3000 * i) for i in range(engineers)],
        [tix(f"T{j}", 500 * j, duration=900, tier=Tier(1 + j % 4)) for j in range(n)],
    )


def test_construction_stops_at_a_deadline_already_past() -> None:
    p = _problem()
    m = model_of(p)
    late = Plan(m)
    construct(late, np.random.default_rng(0), "regret", deadline=time.perf_counter() - 1.0)
    assert not (late.assigned >= 0).any()
    full = Plan(m)
    construct(full, np.random.default_rng(0), "regret")
    assert (full.assigned >= 0).sum() == 24


def test_an_engine_run_without_time_is_an_empty_feasible_plan() -> None:
    p = _problem()
    plan, conflicts, its = run_engine(p, 0.0, None, 0)
    assert its == 0 and conflicts == []
    assert all(not seq for seq in plan.seqs())


def test_with_an_iteration_budget_the_construction_still_completes() -> None:
    p = _problem()
    plan, _, its = run_engine(p, 0.0, 50, 0)
    assert its == 0  # the time cap stops the improvement, not the construction
    assert sum(len(seq) for seq in plan.seqs()) == 24


def test_regions_started_after_the_deadline_are_left_to_the_repair() -> None:
    subs = [_problem(6, 2), _problem(8, 2)]
    budgets: list[tuple[float, int | None]] = [(5.0, None), (5.0, None)]
    out = solve_regions(subs, budgets, 0, 1, deadline=time.perf_counter() - 1.0)
    assert out == [[[], []], [[], []]]


@pytest.mark.parametrize("decompose_above", [0, 10])
def test_a_tiny_budget_still_returns_a_valid_solution(decompose_above: int) -> None:
    p = _problem()
    params = SolveParams(
        time_budget_seconds=1e-6, decompose_above=decompose_above, region_tickets=10, workers=1
    )
    sol = solve(p, params)
    assert_valid(p, sol)
    assert len(sol.unassigned) == 24 - sum(len(r.visits) for r in sol.routes)
    assert "0 improvement iterations" in sol.notes


def test_straight_line_matrix_is_int32_symmetric_and_exactly_haversine() -> None:
    rng = np.random.default_rng(3)
    points = [Location(31.0 + 0.4 * a, 121.2 + 0.5 * b) for a, b in rng.random((700, 2))]
    m = HaversineProvider(speed_kmh=27.0, circuity=1.25).matrix(points)
    metres = haversine_metres([q.lat for q in points], [q.lon for q in points]) * 1.25
    assert m.durations.dtype == np.int32 and m.distances.dtype == np.int32
    assert (m.durations == np.rint(metres / (27.0 / 3.6))).all()
    assert (m.distances == np.rint(metres)).all()
    assert (m.durations == m.durations.T).all() and not np.diag(m.durations).any()


def _nearest_whole(m: Model, keep: int) -> np.ndarray:
    t0 = 2 * m.n_eng
    d = m.dur_m[t0:, t0:].astype(np.int64)
    d = d + d.T
    np.fill_diagonal(d, np.iinfo(np.int64).max)
    part = np.argpartition(d, keep - 1, axis=1)[:, :keep]
    rows = np.take_along_axis(d, part, axis=1)
    return np.take_along_axis(part, np.argsort(rows, axis=1, kind="stable"), axis=1)


def test_nearest_tickets_by_blocks_equal_the_whole_matrix_answer() -> None:
    n = NEAREST_BLOCK + 88
    rng = np.random.default_rng(5)
    xs = rng.integers(0, 50_000, size=n)
    p = line_problem([eng("E0", 0)], [tix(f"T{j}", int(x)) for j, x in enumerate(xs)])
    m = model_of(p)
    assert m.dur_m.dtype == np.int32
    assert (_nearest(m, 12) == _nearest_whole(m, 12)).all()
