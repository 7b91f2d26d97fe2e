"""The compiled search core: its route timing agrees with the Python engine's, its
search keeps pins, never returns a worse plan and is reproducible."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver import Break, Pin, SolveParams, Tier, TimeWindow, solve
from solver._engine import core
from solver._engine.core import CoreKnobs, core_evaluate, core_improve, core_search
from solver._engine.plan import Plan
from solver._engine.route import evaluate
from solver._engine.ruins import neighbours
from solver._engine.run import model_of
from solver._engine.search import Budget, construct
from tests.solver.test_properties import problems
from tests.solver.test_solve_support import HOUR, assert_valid, eng, line_problem, tix


def test_the_core_is_built() -> None:
    # `pip install -e .` compiles it (setup.py); the build is optional for users
    # without a compiler, but the project's own installs must have it
    assert core.AVAILABLE, "solver/_engine/_core.c was not compiled: run `make dev`"


def _two_break_problem(seed: int) -> tuple[list[dict], list[dict], tuple[Pin, ...]]:
    """Engineers with two breaks, tickets with two windows, soft deadlines and a fixed start."""
    rng = np.random.default_rng(seed)
    breaks = (
        Break(900, TimeWindow(10 * HOUR, 11 * HOUR)),
        Break(1800, TimeWindow(12 * HOUR, 14 * HOUR)),
    )
    engineers = [eng(f"E{i}", int(rng.integers(0, 4000)), breaks=breaks) for i in range(2)]
    tickets = []
    for i in range(9):
        o = int(rng.integers(8, 14))
        kw: dict = {
            "tier": Tier(int(rng.integers(1, 5))),
            "duration": int(rng.integers(600, 5400)),
            "windows": (TimeWindow(o * HOUR, o * HOUR + 3600), TimeWindow(15 * HOUR, 16 * HOUR)),
        }
        if rng.random() < 0.5:
            kw["sla_deadline"] = int(rng.integers(9, 16)) * HOUR
            kw["sla_hard"] = False
        tickets.append(tix(f"T{i}", int(rng.integers(0, 6000)), **kw))
    pins = (Pin("T0", "E1", position=0, start=8 * HOUR + 1200),)
    return engineers, tickets, pins


def _agree(spec: tuple, seed: int, trials: int) -> int:
    engineers, tickets, pins = spec
    m = model_of(line_problem(engineers, tickets, pins=pins))
    rng = np.random.default_rng(seed)
    feasible = 0
    for _ in range(trials):
        k = int(rng.integers(m.n_eng))
        n = int(rng.integers(0, min(6, m.n_tix) + 1))
        seq = [int(x) for x in rng.choice(m.n_tix, size=n, replace=False)] if n else []
        py = evaluate(m, k, seq, with_arrays=False)
        expect = None if py is None else (py.cost, py.work, py.load)
        assert core_evaluate(m, k, seq) == expect, (k, seq)
        feasible += py is not None
    return feasible


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.integers(0, 100))
def test_core_timing_matches_the_python_engine(spec: tuple, seed: int) -> None:
    if not spec[1]:
        return
    _agree(spec, seed, 40)


@pytest.mark.parametrize("seed", range(6))
def test_core_timing_with_two_breaks_windows_and_a_fixed_start(seed: int) -> None:
    spec = _two_break_problem(seed)
    feasible = _agree(spec, seed, 400)
    assert feasible > 20  # the comparison covered feasible routes, not only refusals


def _day(seed: int = 3) -> tuple:
    rng = np.random.default_rng(seed)
    brk = (Break(1800, TimeWindow(12 * HOUR, 13 * HOUR)),)
    engineers = [eng(f"E{i}", int(rng.integers(0, 3000)), breaks=brk, max_jobs=5) for i in range(4)]
    tickets = [
        tix(
            f"T{i:02d}",
            int(rng.integers(0, 8000)),
            duration=int(rng.integers(1200, 4800)),
            tier=Tier(int(rng.integers(1, 5))),
            windows=(TimeWindow(int(rng.integers(8, 14)) * HOUR, 17 * HOUR),),
        )
        for i in range(30)
    ]
    pins = (Pin("T00", "E0", position=0), Pin("T01", "E2"))
    return line_problem(engineers, tickets, pins=pins)


def test_core_search_keeps_pins_never_worsens_and_repeats() -> None:
    p = _day()
    m = model_of(p)
    plan = Plan(m)
    construct(plan, np.random.default_rng(0), "regret")
    t00, t01 = 0, 1
    assert plan.routes[0].seq[0] == t00 and plan.assigned[t01] == 2
    before = plan.objective()
    nb = neighbours(m).order
    args = (m, plan.seqs(), plan.in_pool, nb, 60.0, 3000, 7, CoreKnobs())
    first, its = core_search(*args)
    again, _ = core_search(*args)
    assert its == 3000 and first == again
    assert first[0][0] == t00 and t01 in first[2]
    after = Plan(m)
    assert after.set_routes(dict(enumerate(first)))
    assert after.objective() <= before

    improved = Plan(m)
    construct(improved, np.random.default_rng(0), "regret")
    core_improve(improved, np.random.default_rng(1), Budget(2000, float("inf")))
    assert improved.objective() <= before


def test_core_refuses_an_infeasible_start() -> None:
    p = line_problem([eng("E0", 0, max_jobs=1)], [tix("T0", 10), tix("T1", 20)], pins=())
    m = model_of(p)
    with pytest.raises(ValueError, match="route 0 is not feasible"):
        core_search(m, [[0, 1]], np.ones(2, np.bool_), neighbours(m).order, 1.0, 10, 0, CoreKnobs())


@pytest.mark.parametrize("compiled", [True, False])
def test_solve_with_and_without_the_core(compiled: bool) -> None:
    p = _day(5)
    sol = solve(p, SolveParams(iterations=200, time_budget_seconds=60.0, seed=1, compiled=compiled))
    assert_valid(p, sol)
    served = {v.ticket_id for r in sol.routes for v in r.visits}
    assert {"T00", "T01"} <= served
    assert sol.route_of("E0") is not None and sol.route_of("E0").visits[0].ticket_id == "T00"


def test_core_stops_when_served_counts_stall() -> None:
    p = _day()
    m = model_of(p)
    plan = Plan(m)
    construct(plan, np.random.default_rng(0), "regret")
    nb = neighbours(m).order
    seqs = plan.seqs()
    _, full = core_search(m, seqs, plan.in_pool, nb, 60.0, 5000, 3, CoreKnobs())
    _, stalled = core_search(m, seqs, plan.in_pool, nb, 60.0, 5000, 3, CoreKnobs(stall=0.05))
    assert full == 5000
    assert 250 <= stalled < 5000


def test_the_model_buffers_are_the_ones_the_core_names() -> None:
    m = model_of(_day(3))
    none = np.zeros((m.n_tix, 0), np.int64)
    shape, bufs = core.model_arrays(m, np.zeros(m.n_tix, np.bool_), none, [0] * m.n_eng)
    assert core._core is not None
    assert sorted(bufs) == sorted(core._core.BUFFERS)
    del bufs["soft"]
    bufs["sla"] = np.zeros(m.n_tix, np.int64)
    with pytest.raises(KeyError, match="model buffer soft is missing"):
        core._core.evaluate(shape, bufs, int(m.travel_w), int(m.load_balance_w), 0, [])
