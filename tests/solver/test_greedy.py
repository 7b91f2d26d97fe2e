"""The greedy dispatcher: order, choice of engineer, rules and reasons."""

from __future__ import annotations

from solver.check.validate import validate
from solver.greedy import greedy
from solver.problem import Pin
from solver.solution import Reason
from tests.solver.linemodel import eng, line_problem, tk


def reasons(sol) -> dict[str, tuple[Reason, ...]]:
    return {u.ticket_id: u.reasons for u in sol.unassigned}


def test_most_urgent_first_takes_the_only_slot() -> None:
    # One engineer, room for one visit: the P1 wins although P4 is listed first and nearer.
    p = line_problem(
        [eng("E1", max_jobs=1)],
        [tk("LOW", 100, tier=4), tk("URGENT", 500, tier=1)],
    )
    sol = greedy(p)
    assert sol.routes[0].ticket_ids == ("URGENT",)
    assert reasons(sol) == {"LOW": (Reason.MAX_JOBS,)}
    assert validate(p, sol) == []


def test_within_a_tier_the_earlier_deadline_goes_first() -> None:
    p = line_problem(
        [eng("E1")],
        [tk("LATE", 100, windows=[(0, 5000)]), tk("SOON", 900, windows=[(0, 1000)])],
    )
    assert greedy(p).routes[0].ticket_ids == ("SOON", "LATE")


def test_goes_to_the_engineer_who_arrives_earliest() -> None:
    p = line_problem(
        [eng("FAR", x=0), eng("NEAR", x=900)],
        [tk("A", 1000)],
    )
    sol = greedy(p)
    assert sol.route_of("NEAR").ticket_ids == ("A",) and sol.route_of("FAR").ticket_ids == ()
    assert sol.route_of("NEAR").visits[0].arrival == 100


def test_skills_and_levels_decide_who_may_go() -> None:
    p = line_problem(
        [eng("JUNIOR", x=900, skills={"hvac": 1}), eng("SENIOR", x=0, skills={"hvac": 3})],
        [tk("A", 1000, min_level=2), tk("B", 1000, skill="gas")],
    )
    sol = greedy(p)
    assert sol.route_of("SENIOR").ticket_ids == ("A",)
    assert reasons(sol) == {"B": (Reason.NO_QUALIFIED_ENGINEER,)}


def test_reasons_for_window_shift_capacity_and_displacement() -> None:
    p = line_problem(
        [eng("E1", shift=(0, 5000), parts_capacity=5)],
        [
            tk("P1", 1000, tier=1, windows=[(1000, 1000)], duration=3000),
            tk("CLASH", 1000, tier=3, windows=[(1000, 1100)]),
            tk("NIGHT", 10, windows=[(8000, 9000)]),
            tk("FAR", 3000, windows=[(0, 100)]),
            tk("HEAVY", 10, parts_demand=9),
        ],
    )
    sol = greedy(p)
    assert sol.routes[0].ticket_ids == ("P1",)
    assert reasons(sol) == {
        "CLASH": (Reason.DISPLACED_BY_HIGHER_PRIORITY,),
        "NIGHT": (Reason.OUTSIDE_ALL_SHIFTS,),
        "FAR": (Reason.UNREACHABLE_IN_WINDOW,),
        "HEAVY": (Reason.CAPACITY,),
    }
    assert validate(p, sol) == []


def test_breaks_are_planned_and_respected() -> None:
    p = line_problem(
        [eng("E1", brk=(1000, 1200, 600))],
        [tk("A", 500, windows=[(500, 600)]), tk("B", 800, windows=[(0, 3000)])],
    )
    sol = greedy(p)
    r = sol.routes[0]
    assert r.ticket_ids == ("A", "B") and len(r.breaks) == 1
    assert 1000 <= r.breaks[0].start <= 1200
    assert validate(p, sol) == []


def test_pins_are_placed_first_and_conflicts_reported() -> None:
    p = line_problem(
        [eng("E1"), eng("E2", x=5000)],
        [tk("A", 100, tier=1), tk("PINNED", 4000, tier=4), tk("BAD", 50, skill="gas")],
        pins=[Pin("PINNED", "E1", position=0), Pin("BAD", "E1")],
    )
    sol = greedy(p)
    assert sol.route_of("E1").ticket_ids[0] == "PINNED"
    assert reasons(sol) == {"BAD": (Reason.PINNED_CONFLICT,)}
    assert validate(p, sol) == []


def test_unroutable_tickets_stay_out() -> None:
    p = line_problem([eng("E1")], [tk("A", 100)], unroutable=frozenset({"A"}))
    assert reasons(greedy(p)) == {"A": (Reason.NOT_ROUTABLE,)}
