"""Reasons and suggestions for unassigned tickets, on hand-built problems."""

from __future__ import annotations

from solver import Pin, Reason, SolveParams, Tier, TimeWindow, solve
from solver.solution import Solution
from tests.solver.test_solve_support import HOUR, assert_valid, eng, line_problem, tix

FAST = SolveParams(iterations=20, time_budget_seconds=60.0, seed=3)


def _why(sol: Solution, tid: str) -> tuple[Reason, ...]:
    return next(u.reasons for u in sol.unassigned if u.ticket_id == tid)


def test_no_qualified_engineer() -> None:
    p = line_problem(
        [eng("E1", 0, skills={"hvac": 2})], [tix("T1", 100, skill="hvac", min_level=3)]
    )
    sol = solve(p, FAST)
    assert_valid(p, sol)
    assert _why(sol, "T1") == (Reason.NO_QUALIFIED_ENGINEER,)
    sug = sol.unassigned[0].suggestion
    assert sug is not None and sug.kind == "LOWER_MIN_LEVEL" and sug.engineer_id == "E1"


def test_outside_all_shifts() -> None:
    p = line_problem(
        [eng("E1", 0, start=8 * HOUR, end=12 * HOUR)],
        [tix("T1", 100, windows=(TimeWindow(14 * HOUR, 15 * HOUR),))],
    )
    sol = solve(p, FAST)
    assert _why(sol, "T1") == (Reason.OUTSIDE_ALL_SHIFTS,)


def test_unreachable_in_window_with_a_window_suggestion() -> None:
    # 1 h drive, the window closes 30 min after the shift starts.
    p = line_problem(
        [eng("E1", 0)],
        [tix("T1", HOUR, windows=(TimeWindow(8 * HOUR, 8 * HOUR + 1800),))],
    )
    sol = solve(p, FAST)
    assert_valid(p, sol)
    assert _why(sol, "T1") == (Reason.UNREACHABLE_IN_WINDOW,)
    sug = sol.unassigned[0].suggestion
    assert sug is not None
    assert (sug.kind, sug.engineer_id, sug.amount) == ("WINDOW_LATER", "E1", 1800)


def test_displaced_by_higher_priority() -> None:
    slot = (TimeWindow(9 * HOUR, 9 * HOUR + 600),)
    p = line_problem(
        [eng("E1", 0, end=12 * HOUR)],
        [
            tix("High", 100, duration=2 * HOUR, tier=Tier.P1, windows=slot),
            tix("Low", 100, duration=2 * HOUR, tier=Tier.P3, windows=slot),
        ],
    )
    sol = solve(p, FAST)
    assert_valid(p, sol)
    assert sol.assignment() == {"High": "E1"}
    assert Reason.DISPLACED_BY_HIGHER_PRIORITY in _why(sol, "Low")


def test_no_room_beside_the_same_tier() -> None:
    slot = (TimeWindow(9 * HOUR, 9 * HOUR + 600),)
    p = line_problem(
        [eng("E1", 0, end=12 * HOUR)],
        [
            tix("A", 100, duration=2 * HOUR, tier=Tier.P3, windows=slot),
            tix("B", 100, duration=2 * HOUR, tier=Tier.P3, windows=slot),
        ],
    )
    sol = solve(p, FAST)
    assert_valid(p, sol)
    (left,) = sol.unassigned
    assert left.reasons == (Reason.NO_ROOM,)


def test_max_jobs_reason_and_suggestion() -> None:
    p = line_problem([eng("E1", 0, max_jobs=1)], [tix("A", 100), tix("B", 200)])
    sol = solve(p, FAST)
    (left,) = sol.unassigned
    assert Reason.MAX_JOBS in left.reasons
    assert left.suggestion is not None and left.suggestion.kind == "RAISE_MAX_JOBS"


def test_capacity_reason() -> None:
    p = line_problem([eng("E1", 0, parts_capacity=2)], [tix("A", 100, parts_demand=3)])
    sol = solve(p, FAST)
    assert _why(sol, "A") == (Reason.CAPACITY,)
    p2 = line_problem(
        [eng("E1", 0, parts_capacity=3)],
        [tix("A", 100, parts_demand=2), tix("B", 90, parts_demand=2)],
    )
    sol2 = solve(p2, FAST)
    (left,) = sol2.unassigned
    assert Reason.CAPACITY in left.reasons


def test_not_routable() -> None:
    p = line_problem([eng("E1", 0)], [tix("A", 100)], unroutable_tickets=frozenset({"A"}))
    sol = solve(p, FAST)
    assert _why(sol, "A") == (Reason.NOT_ROUTABLE,)


def test_pinned_conflict() -> None:
    p = line_problem(
        [eng("E1", 0, skills={"gas": 1}), eng("E2", 100)],
        [tix("A", 100, skill="gas")],
        pins=(Pin("A", "E2"),),
    )
    sol = solve(p, FAST)
    assert_valid(p, sol)
    assert _why(sol, "A") == (Reason.PINNED_CONFLICT,)


def test_extend_shift_suggestion_names_the_amount() -> None:
    # Shift ends 20 min too early for the second job.
    p = line_problem(
        [eng("E1", 0, start=8 * HOUR, end=10 * HOUR)],
        [tix("A", 300, duration=HOUR), tix("B", 300, duration=HOUR)],
    )
    sol = solve(p, FAST)
    (left,) = sol.unassigned
    assert left.reasons == (Reason.NO_ROOM,)
    sug = left.suggestion
    assert sug is not None and sug.kind == "EXTEND_SHIFT" and sug.engineer_id == "E1"
    assert sug.amount == 600
