"""A plan to start from (``Problem.initial_routes``, e.g. the published day): the solve
completes it and keeps it when it beats its own construction, so a re-plan never serves
less than the day it replaces."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from solver import SolveParams, Tier, solve
from solver.solution import Solution
from tests.solver.test_solve_support import assert_valid, eng, line_problem, tix


def _problem():
    rng = np.random.default_rng(7)
    return line_problem(
        [eng(f"E{i}", int(x)) for i, x in enumerate(rng.integers(0, 20_000, 5))],
        [
            tix(f"T{j}", int(x), duration=1200 + 300 * (j % 3), tier=Tier(1 + j % 4))
            for j, x in enumerate(rng.integers(0, 20_000, 48))
        ],
    )


def _routes(solution: Solution) -> dict[str, tuple[str, ...]]:
    return {r.engineer_id: tuple(v.ticket_id for v in r.visits) for r in solution.routes}


def _served(solution: Solution) -> list[int]:
    return [solution.kpis.served_by_tier.get(t, 0) for t in (1, 2, 3, 4)]


def test_a_construction_only_solve_keeps_a_better_starting_plan() -> None:
    problem = _problem()
    good = solve(problem, SolveParams(seed=1, iterations=3000, workers=1))
    quick = SolveParams(seed=2, iterations=0, local_search="none", workers=1)
    alone = solve(problem, quick)
    assert (_served(alone), -alone.kpis.travel_seconds) < (
        _served(good),
        -good.kpis.travel_seconds,
    ), "the instance must show the difference: construction alone is worse"

    warm = solve(dataclasses.replace(problem, initial_routes=_routes(good)), quick)

    assert_valid(problem, warm)
    assert _served(warm) >= _served(good)
    assert warm.kpis.travel_seconds <= good.kpis.travel_seconds


def test_a_partial_starting_plan_is_completed() -> None:
    problem = _problem()
    good = solve(problem, SolveParams(seed=1, iterations=1500, workers=1))
    half = {e: ts[: len(ts) // 2] for e, ts in _routes(good).items()}

    warm = solve(
        dataclasses.replace(problem, initial_routes=half),
        SolveParams(seed=3, iterations=200, workers=1),
    )

    assert_valid(problem, warm)
    assert sum(_served(warm)) >= sum(len(ts) for ts in half.values())


@pytest.mark.parametrize(
    ("routes", "message"),
    [
        ({"E9": ("T0",)}, "unknown engineer"),
        ({"E0": ("T99",)}, "unknown ticket"),
        ({"E0": ("T0",), "E1": ("T0",)}, "two initial routes"),
    ],
)
def test_initial_routes_are_checked(routes, message) -> None:
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(_problem(), initial_routes=routes)
