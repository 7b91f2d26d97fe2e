"""solve(): the rules of the model hold and the tier ordering wins."""

from __future__ import annotations

import pytest

from solver import Break, Pin, Reason, SolveParams, SolveStatus, Tier, TimeWindow, solve
from tests.solver.test_solve_support import HOUR, assert_valid, eng, line_problem, tix

FAST = SolveParams(iterations=30, time_budget_seconds=60.0, seed=1, workers=1)


def test_empty_problem_is_empty() -> None:
    p = line_problem([eng("E1", 0)], [])
    sol = solve(p, FAST)
    assert sol.status == SolveStatus.EMPTY
    assert sol.unassigned == ()


def test_without_engineers_every_ticket_says_nobody_is_on_shift() -> None:
    p = line_problem([], [tix("T1", 0), tix("T2", 10)])
    sol = solve(p, FAST)
    assert sol.status == SolveStatus.EMPTY
    assert {u.ticket_id: u.reasons for u in sol.unassigned} == {
        "T1": (Reason.NO_ENGINEER_ON_SHIFT,),
        "T2": (Reason.NO_ENGINEER_ON_SHIFT,),
    }


def test_serves_everything_that_fits_and_validates() -> None:
    p = line_problem(
        [eng("E1", 0), eng("E2", 5000)],
        [tix(f"T{i}", 500 * i) for i in range(10)],
    )
    sol = solve(p, FAST)
    assert_valid(p, sol)
    assert sol.kpis.served == 10
    assert sol.status == SolveStatus.FEASIBLE


def test_one_p1_beats_two_p2() -> None:
    # One engineer, room for one 4 h job or two 2 h jobs in the same slot.
    slot = (TimeWindow(9 * HOUR, 9 * HOUR),)
    p = line_problem(
        [eng("E1", 0, start=8 * HOUR, end=13 * HOUR + 600)],
        [
            tix("P1", 60, duration=4 * HOUR, tier=Tier.P1, windows=slot),
            tix("P2a", 60, duration=2 * HOUR, tier=Tier.P2, windows=slot),
            tix(
                "P2b",
                60,
                duration=2 * HOUR,
                tier=Tier.P2,
                windows=(TimeWindow(11 * HOUR, 11 * HOUR + 600),),
            ),
        ],
    )
    sol = solve(p, FAST)
    assert_valid(p, sol)
    assert sol.assignment() == {"P1": "E1"}
    left = {u.ticket_id for u in sol.unassigned}
    assert left == {"P2a", "P2b"}


def test_windows_are_kept() -> None:
    w = TimeWindow(14 * HOUR, 14 * HOUR + 900)
    p = line_problem([eng("E1", 0)], [tix("T1", 300, windows=(w,)), tix("T2", 600)])
    sol = solve(p, FAST)
    assert_valid(p, sol)
    visit = next(v for r in sol.routes for v in r.visits if v.ticket_id == "T1")
    assert w.start <= visit.start <= w.end


def test_break_is_placed_in_its_window() -> None:
    lunch = Break(1800, TimeWindow(12 * HOUR, 13 * HOUR))
    p = line_problem(
        [eng("E1", 0, breaks=(lunch,))],
        [tix(f"T{i}", 300 * (i + 1), duration=HOUR) for i in range(7)],
    )
    sol = solve(p, FAST)
    assert_valid(p, sol)
    route = sol.route_of("E1")
    assert route is not None and len(route.breaks) == 1
    b = route.breaks[0]
    assert lunch.window.start <= b.start <= lunch.window.end
    for v in route.visits:
        assert v.end <= b.start or v.start >= b.end


def test_skill_levels_decide_who_goes() -> None:
    p = line_problem(
        [
            eng("Junior", 0, skills={"hvac": 1, "gas": 2}),
            eng("Senior", 9000, skills={"hvac": 3}),
        ],
        [
            tix("T1", 100, skill="hvac", min_level=3),
            tix("T2", 100, skill="gas", min_level=2),
            tix("T3", 100, skill="gas", min_level=3),
        ],
    )
    sol = solve(p, FAST)
    assert_valid(p, sol)
    assert sol.assignment() == {"T1": "Senior", "T2": "Junior"}
    assert [u.ticket_id for u in sol.unassigned] == ["T3"]


def test_required_and_excluded_engineers() -> None:
    p = line_problem(
        [eng("Near", 0), eng("Far", 9000)],
        [
            tix("Req", 100, required_engineers=frozenset({"Far"})),
            tix("Exc", 100, excluded_engineers=frozenset({"Near"})),
        ],
    )
    sol = solve(p, FAST)
    assert_valid(p, sol)
    assert sol.assignment() == {"Req": "Far", "Exc": "Far"}


def test_parts_capacity_limits_the_route() -> None:
    p = line_problem(
        [eng("E1", 0, parts_capacity=3)],
        [tix(f"T{i}", 100 * i, parts_demand=2) for i in range(3)],
    )
    sol = solve(p, FAST)
    assert_valid(p, sol)
    assert sol.kpis.served == 1


def test_max_jobs_limits_the_route() -> None:
    p = line_problem([eng("E1", 0, max_jobs=2)], [tix(f"T{i}", 100 * i) for i in range(5)])
    sol = solve(p, FAST)
    assert_valid(p, sol)
    assert sol.kpis.served == 2


def test_max_working_time_limits_the_route() -> None:
    p = line_problem(
        [eng("E1", 0, max_work_seconds=2 * HOUR)],
        [tix(f"T{i}", 60, duration=HOUR - 200) for i in range(4)],
    )
    sol = solve(p, FAST)
    assert_valid(p, sol)
    route = sol.route_of("E1")
    assert route is not None and route.working_seconds <= 2 * HOUR
    assert sol.kpis.served == 2


def test_pins_never_move() -> None:
    # Left alone the solver would give T1 to Near; the pin keeps it with Far, first.
    p = line_problem(
        [eng("Near", 0), eng("Far", 9000)],
        [tix("T1", 100), tix("T2", 200), tix("T3", 8900)],
        pins=(Pin("T1", "Far", position=0),),
    )
    sol = solve(p, FAST)
    assert_valid(p, sol)
    far = sol.route_of("Far")
    assert far is not None and far.visits[0].ticket_id == "T1"
    assert far.visits[0].pinned


def test_pinned_start_is_kept() -> None:
    p = line_problem(
        [eng("E1", 0)],
        [tix("T1", 100), tix("T2", 200)],
        pins=(Pin("T2", "E1", start=10 * HOUR),),
    )
    sol = solve(p, FAST)
    assert_valid(p, sol)
    visit = next(v for r in sol.routes for v in r.visits if v.ticket_id == "T2")
    assert visit.start == 10 * HOUR


def test_soft_sla_serves_p1_late_and_reports_it() -> None:
    # Overloaded: the P1's soft deadline cannot be met, it is still served, late.
    p = line_problem(
        [eng("E1", 0, start=8 * HOUR, end=18 * HOUR)],
        [
            tix(
                "Busy",
                100,
                duration=3 * HOUR,
                tier=Tier.P1,
                windows=(TimeWindow(8 * HOUR, 8 * HOUR + 300),),
            ),
            tix("Late", 200, duration=HOUR, tier=Tier.P1, sla_deadline=9 * HOUR),
        ],
    )
    sol = solve(p, FAST)
    assert_valid(p, sol)
    assert sol.kpis.served_by_tier[1] == 2
    visit = next(v for r in sol.routes for v in r.visits if v.ticket_id == "Late")
    assert visit.lateness == visit.start - 9 * HOUR > 0
    assert sol.kpis.lateness_seconds_by_tier[1] == visit.lateness


def test_hard_sla_drops_instead() -> None:
    p = line_problem(
        [eng("E1", 0)],
        [
            tix(
                "Busy",
                100,
                duration=3 * HOUR,
                tier=Tier.P1,
                windows=(TimeWindow(8 * HOUR, 8 * HOUR + 300),),
            ),
            tix("Late", 200, duration=HOUR, tier=Tier.P2, sla_deadline=9 * HOUR, sla_hard=True),
        ],
    )
    sol = solve(p, FAST)
    assert_valid(p, sol)
    assert "Late" not in sol.assignment()


@pytest.mark.parametrize("workers", [1, 2])
def test_same_seed_and_iterations_give_the_same_plan(workers: int) -> None:
    engineers = [eng(f"E{i}", 3000 * i) for i in range(3)]
    tickets = [
        tix(f"T{i}", (i * 7919) % 9000, duration=1200 + 60 * (i % 7), tier=Tier(1 + i % 4))
        for i in range(30)
    ]
    p = line_problem(engineers, tickets)
    params = SolveParams(iterations=60, time_budget_seconds=120.0, seed=7, workers=workers)
    a, b = solve(p, params), solve(p, params)
    assert [r.ticket_ids for r in a.routes] == [r.ticket_ids for r in b.routes]
    assert_valid(p, a)


def test_params_are_validated() -> None:
    with pytest.raises(ValueError):
        SolveParams(time_budget_seconds=0)
    with pytest.raises(ValueError):
        SolveParams(first_solution="nope")
    with pytest.raises(ValueError):
        SolveParams(min_ruin=5, max_ruin=2)


def test_more_workers_never_serve_fewer() -> None:
    engineers = [eng(f"E{i}", 2500 * i, max_jobs=4) for i in range(3)]
    tickets = [
        tix(f"T{i}", (i * 3571) % 8000, duration=1500 + 90 * (i % 5), tier=Tier(1 + i % 4))
        for i in range(24)
    ]
    p = line_problem(engineers, tickets)
    one = solve(p, SolveParams(iterations=40, time_budget_seconds=120.0, seed=3, workers=1))
    two = solve(p, SolveParams(iterations=40, time_budget_seconds=120.0, seed=3, workers=2))
    assert_valid(p, two)
    assert two.kpis.served_vector() >= one.kpis.served_vector()
