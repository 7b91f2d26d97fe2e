"""Property tests: every plan of a random small problem passes the independent checker."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver import Break, Pin, SolveParams, Tier, TimeWindow, solve
from tests.solver.test_solve_support import HOUR, assert_valid, eng, line_problem, tix

SKILLS = ("gas", "hvac")


@st.composite
def problems(draw: st.DrawFn) -> tuple:
    n_eng = draw(st.integers(1, 3))
    engineers = []
    for i in range(n_eng):
        start = draw(st.integers(7, 9)) * HOUR
        end = start + draw(st.integers(4, 9)) * HOUR
        kw: dict = {
            "skills": {s: draw(st.integers(1, 3)) for s in SKILLS if draw(st.booleans())},
            "max_jobs": draw(st.one_of(st.none(), st.integers(1, 6))),
        }
        if draw(st.booleans()):
            ws = draw(st.integers(11, 13)) * HOUR
            kw["breaks"] = (Break(draw(st.sampled_from([900, 1800])), TimeWindow(ws, ws + HOUR)),)
        if draw(st.booleans()):
            kw["parts_capacity"] = draw(st.integers(0, 5))
        if draw(st.booleans()):
            kw["max_work_seconds"] = draw(st.integers(2, 8)) * HOUR
        engineers.append(eng(f"E{i}", draw(st.integers(0, 5000)), start=start, end=end, **kw))
    tickets = []
    n_tix = draw(st.integers(0, 12))
    for i in range(n_tix):
        kw = {
            "tier": Tier(draw(st.integers(1, 4))),
            "duration": draw(st.integers(0, 2 * HOUR)),
            "parts_demand": draw(st.integers(0, 2)),
        }
        if draw(st.booleans()):
            kw["skill"] = draw(st.sampled_from(SKILLS))
            kw["min_level"] = draw(st.integers(1, 3))
        n_win = draw(st.integers(0, 2))
        opens = sorted(
            draw(st.lists(st.integers(7, 17), min_size=n_win, max_size=n_win, unique=True))
        )
        kw["windows"] = tuple(
            TimeWindow(o * HOUR, o * HOUR + draw(st.integers(0, 7200)) % 3600) for o in opens
        )
        if draw(st.booleans()):
            kw["sla_deadline"] = draw(st.integers(9, 16)) * HOUR
            kw["sla_hard"] = draw(st.booleans())
        if draw(st.booleans()) and engineers:
            kw["excluded_engineers"] = frozenset({engineers[0]["id"]})
        tickets.append(tix(f"T{i}", draw(st.integers(0, 6000)), **kw))
    pins = []
    if tickets and draw(st.booleans()):
        pins.append(
            Pin(tickets[0]["id"], engineers[-1]["id"], position=0 if draw(st.booleans()) else None)
        )
    return engineers, tickets, tuple(pins)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.integers(0, 3))
def test_every_plan_validates(spec: tuple, seed: int) -> None:
    engineers, tickets, pins = spec
    p = line_problem(engineers, tickets, pins=pins)
    sol = solve(p, SolveParams(iterations=15, time_budget_seconds=60.0, seed=seed))
    assert_valid(p, sol)
    for u in sol.unassigned:
        assert u.reasons
