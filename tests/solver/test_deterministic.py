"""A deterministic solve: bounded by its iterations alone, never by the wall clock.

A budget far too small for anything (a microsecond) stands for a loaded machine: a
plain solve gives up its improvement there, a deterministic one does not notice. So does
a microsecond left to OR-Tools' completion search of each neighbour in the descent phase
(its own wall-clock limit, 0.1 s unless set: on a loaded machine some neighbours ran out
of it and the descent, hence the plan, changed).
"""

from __future__ import annotations

from typing import Any

import pytest
from ortools.constraint_solver import pywrapcp

from solver import SolveParams, Tier, solve
from solver.params import UNBOUNDED_SECONDS
from solver.problem import Break, Problem, TimeWindow
from solver.solution import Solution
from tests.solver.test_solve_support import HOUR, assert_valid, eng, line_problem, tix


def _problem() -> Problem:
    return line_problem(
        [eng(f"E{i}", 4000 * i) for i in range(4)],
        [tix(f"T{j}", 700 * j, duration=1500, tier=Tier(1 + j % 4)) for j in range(30)],
    )


def _routes(sol: Solution) -> dict[str, list[str]]:
    return {r.engineer_id: [v.ticket_id for v in r.visits] for r in sol.routes}


def _iterations(sol: Solution) -> str:
    return next(n for n in sol.notes if n.endswith("improvement iterations"))


@pytest.mark.parametrize("decompose_above", [0, 12])
def test_a_microsecond_budget_changes_nothing_when_deterministic(decompose_above: int) -> None:
    p = _problem()
    roomy = SolveParams(
        seed=3,
        iterations=400,
        time_budget_seconds=600.0,
        workers=1,
        deterministic=True,
        decompose_above=decompose_above,
        region_tickets=10,
    )
    starved = SolveParams(
        seed=3,
        iterations=400,
        time_budget_seconds=1e-6,
        workers=1,
        deterministic=True,
        decompose_above=decompose_above,
        region_tickets=10,
    )
    a, b = solve(p, roomy), solve(p, starved)
    assert_valid(p, a)
    assert _routes(a) == _routes(b)
    assert [u.ticket_id for u in a.unassigned] == [u.ticket_id for u in b.unassigned]
    assert _iterations(a) == _iterations(b) != "0 improvement iterations"


def test_without_it_the_same_budget_cuts_the_improvement() -> None:
    p = _problem()
    starved = SolveParams(seed=3, iterations=400, time_budget_seconds=1e-6, workers=1)
    assert _iterations(solve(p, starved)) == "0 improvement iterations"


def test_two_workers_give_the_same_plan_whatever_the_budget() -> None:
    p = _problem()
    base = {"seed": 5, "iterations": 300, "workers": 2, "deterministic": True}
    a = solve(p, SolveParams(time_budget_seconds=600.0, **base))  # type: ignore[arg-type]
    b = solve(p, SolveParams(time_budget_seconds=1e-6, **base))  # type: ignore[arg-type]
    assert _routes(a) == _routes(b)


def test_deterministic_needs_an_iteration_budget() -> None:
    with pytest.raises(ValueError, match="iterations"):
        SolveParams(deterministic=True)
    assert SolveParams(iterations=10, deterministic=True).wall_seconds() == UNBOUNDED_SECONDS
    assert SolveParams(iterations=10, time_budget_seconds=7.0).wall_seconds() == 7.0


def _with_breaks() -> Problem:
    """Lunch breaks and appointment windows: the descent's neighbours need completing."""
    lunch = (Break(1800, TimeWindow(12 * HOUR, 13 * HOUR)),)
    return line_problem(
        [eng(f"E{i}", 6000 * i, breaks=lunch) for i in range(3)],
        [
            tix(
                f"T{j}",
                (j * 4100) % 19000,
                duration=1800 + (j * 900) % 3600,
                tier=Tier(1 + j % 4),
                windows=((TimeWindow((8 + j % 7) * HOUR, (10 + j % 7) * HOUR),) if j % 3 else ()),
            )
            for j in range(22)
        ],
    )


def test_a_starved_or_tools_neighbour_limit_changes_nothing_when_deterministic(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    p = _with_breaks()
    params = SolveParams(seed=1, iterations=20, workers=1, deterministic=True, suggestions=False)
    roomy = solve(p, params)
    defaults = pywrapcp.DefaultRoutingSearchParameters

    def starved() -> Any:
        search = defaults()
        search.lns_time_limit.FromNanoseconds(1000)
        return search

    monkeypatch.setattr(pywrapcp, "DefaultRoutingSearchParameters", starved)
    loaded = solve(p, params)
    assert_valid(p, loaded)
    assert _routes(loaded) == _routes(roomy)
    assert [u.ticket_id for u in loaded.unassigned] == [u.ticket_id for u in roomy.unassigned]
