"""Decomposition: regions solved separately, then repaired as a whole."""

from __future__ import annotations

import pytest

from solver import SolveParams, Tier, solve
from solver._engine.insert_eval import alone_costs
from solver._engine.run import model_of
from solver.decompose import split
from tests.solver.test_solve_support import assert_valid, eng, line_problem, tix


def _two_towns() -> tuple:
    engineers = [eng(f"W{i}", 200 * i) for i in range(3)] + [
        eng(f"E{i}", 20000 + 200 * i) for i in range(3)
    ]
    tickets = [tix(f"A{i}", 150 * i, duration=1200, tier=Tier(1 + i % 4)) for i in range(15)]
    tickets += [
        tix(f"B{i}", 20000 + 150 * i, duration=1200, tier=Tier(1 + i % 4)) for i in range(15)
    ]
    return engineers, tickets


def test_regions_follow_geography() -> None:
    engineers, tickets = _two_towns()
    p = line_problem(engineers, tickets)
    m = model_of(p)
    regions = split(m, alone_costs(m), target_tickets=15, seed=0)
    assert len(regions) == 2
    for r in regions:
        names = {p.engineers[int(k)].id[0] for k in r.engineers}
        towns = {p.tickets[int(j)].id[0] for j in r.tickets}
        assert len(names) == 1 and towns == {"A" if names == {"W"} else "B"}


@pytest.mark.parametrize("workers", [1, 2])
def test_decomposed_solve_is_valid_and_says_so(workers: int) -> None:
    engineers, tickets = _two_towns()
    p = line_problem(engineers, tickets)
    params = SolveParams(
        iterations=40,
        time_budget_seconds=120.0,
        decompose_above=20,
        region_tickets=15,
        workers=workers,
    )
    sol = solve(p, params)
    assert sol.decomposed
    assert any("decomposed into 2 regions" in n for n in sol.notes)
    assert_valid(p, sol)
    assert sol.kpis.served == 30


def test_decomposed_solve_is_reproducible() -> None:
    engineers, tickets = _two_towns()
    p = line_problem(engineers, tickets)
    params = SolveParams(
        iterations=30, time_budget_seconds=120.0, decompose_above=20, region_tickets=15, workers=2
    )
    a, b = solve(p, params), solve(p, params)
    assert [r.ticket_ids for r in a.routes] == [r.ticket_ids for r in b.routes]
