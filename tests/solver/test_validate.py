"""The independent checker: one hand-built plan per broken rule, and re-timing by hand."""

from __future__ import annotations

import dataclasses

import pytest

from solver.assemble import solution_from_plan
from solver.check.validate import Code, retime_plan, retime_route, validate
from solver.problem import Pin
from solver.solution import Reason, Unassigned
from tests.solver.linemodel import eng, line_problem, tk


def codes(violations: list) -> list[str]:
    return sorted(v.code for v in violations)


def base(**ekw: object):
    return line_problem([eng("E1", **ekw), eng("E2")], [tk("A", 1000), tk("B", 2000)])


def test_feasible_plan_is_clean_and_timed_by_hand() -> None:
    p = base()
    assert validate(p, {"E1": ["A", "B"], "E2": []}) == []
    r = retime_route(p, "E1", ["A", "B"]).route
    assert [(v.arrival, v.start, v.end) for v in r.visits] == [
        (1000, 1000, 1100),
        (2100, 2100, 2200),
    ]
    assert (r.depart, r.arrive, r.travel_seconds, r.travel_metres) == (0, 4200, 4000, 40000)


def test_unknown_and_repeated_ids() -> None:
    p = base()
    got = validate(p, {"E1": ["A", "Z", "A"], "E9": ["B"], "E2": ["A"]})
    assert codes(got) == [
        "DUPLICATE_TICKET",
        "DUPLICATE_TICKET",
        "UNKNOWN_ENGINEER",
        "UNKNOWN_TICKET",
    ]
    assert {(v.engineer_id, v.ticket_id) for v in got if v.code == Code.DUPLICATE_TICKET} == {
        ("E1", "A"),
        ("E2", "A"),
    }


def test_skill_level_and_missing_skill() -> None:
    p = line_problem(
        [eng("E1", skills={"elec": 1})],
        [tk("A", 10, skill="elec", min_level=2), tk("B", 20, skill="gas"), tk("C", 30, skill=None)],
    )
    got = validate(p, {"E1": ["A", "B", "C"]})
    assert [(v.code, v.ticket_id) for v in got] == [(Code.SKILL, "A"), (Code.SKILL, "B")]


def test_required_excluded_and_unroutable() -> None:
    p = line_problem(
        [eng("E1"), eng("E2")],
        [
            tk("A", 10, required_engineers=frozenset({"E2"})),
            tk("B", 20, excluded_engineers=frozenset({"E1"})),
            tk("C", 30),
        ],
        unroutable=frozenset({"C"}),
    )
    got = validate(p, {"E1": ["A", "B", "C"]})
    assert [(v.code, v.ticket_id) for v in got] == [
        (Code.REQUIRED_ENGINEER, "A"),
        (Code.EXCLUDED_ENGINEER, "B"),
        (Code.NOT_ROUTABLE, "C"),
    ]
    assert validate(p, {"E2": ["A", "B"]}) == []


def test_max_jobs_capacity_and_working_time() -> None:
    p = line_problem(
        [eng("E1", max_jobs=1, parts_capacity=3, max_work_seconds=2000)],
        [tk("A", 1000, parts_demand=2), tk("B", 1000, parts_demand=2)],
    )
    assert codes(validate(p, {"E1": ["A"]})) == ["MAX_WORK"]  # 2000 travel + 100 service
    assert codes(validate(p, {"E1": ["A", "B"]})) == ["CAPACITY", "MAX_JOBS", "MAX_WORK"]


def test_windows_waiting_and_second_window() -> None:
    p = line_problem(
        [eng("E1")],
        [
            tk("A", 1000, windows=[(0, 500)]),
            tk("W", 1000, windows=[(1500, 1600)]),
            tk("M", 1000, windows=[(0, 500), (1200, 1300)]),
        ],
    )
    assert codes(validate(p, {"E1": ["A"]})) == ["TIME_WINDOW"]
    assert retime_route(p, "E1", ["W"]).route.visits[0].start == 1500
    assert retime_route(p, "E1", ["M"]).route.visits[0].start == 1200
    assert validate(p, {"E1": ["W"]}) == [] and validate(p, {"E1": ["M"]}) == []


def test_hard_and_soft_sla() -> None:
    p = line_problem(
        [eng("E1")],
        [
            tk("H", 1000, windows=[(0, 5000)], sla_deadline=900, sla_hard=True),
            tk("S", 1000, windows=[(0, 5000)], sla_deadline=900),
        ],
    )
    assert codes(validate(p, {"E1": ["H"]})) == ["SLA_DEADLINE"]
    assert validate(p, {"E1": ["S"]}) == []
    assert retime_route(p, "E1", ["S"]).route.visits[0].lateness == 100


def test_shift_end() -> None:
    p = base(shift=(0, 2000))
    got = validate(p, {"E1": ["A"]})
    assert codes(got) == ["SHIFT_END"] and got[0].engineer_id == "E1"


def test_break_in_the_middle_of_a_drive() -> None:
    p = base(brk=(500, 600, 300))
    timing = retime_route(p, "E1", ["A"])
    assert timing.feasible
    r = timing.route
    assert [(b.start, b.end, b.after_visit) for b in r.breaks] == [(500, 800, -1)]
    assert (r.visits[0].arrival, r.visits[0].start, r.arrive) == (1300, 1300, 2400)


def test_break_placement_is_searched_not_taken_first() -> None:
    # Taking the break before A (from 1000) misses A's window; after A it fits.
    p = line_problem(
        [eng("E1", brk=(1000, 1150, 300))],
        [tk("A", 1000, windows=[(1000, 1000)]), tk("B", 1100, windows=[(1450, 1500)])],
    )
    timing = retime_route(p, "E1", ["A", "B"])
    assert timing.feasible
    assert [(b.start, b.after_visit) for b in timing.route.breaks] == [(1100, 0)]
    assert timing.route.visits[1].start == 1500


def test_break_not_owed_when_home_before_window() -> None:
    p = base(brk=(5000, 6000, 1800))
    timing = retime_route(p, "E1", ["A"])
    assert timing.feasible and timing.route.breaks == () and timing.route.arrive == 2100


def test_break_after_last_job_on_the_way_home() -> None:
    p = base(brk=(1500, 3000, 1800))
    timing = retime_route(p, "E1", ["A"])
    assert timing.feasible
    assert [(b.start, b.after_visit) for b in timing.route.breaks] == [(1500, 0)]
    assert timing.route.arrive == 3900


def test_break_that_cannot_be_taken() -> None:
    p = line_problem(
        [eng("E1", brk=(1000, 1050, 300))], [tk("A", 500, duration=2000, windows=[(500, 500)])]
    )
    assert codes(validate(p, {"E1": ["A"]})) == ["BREAK_MISSED"]


def test_unused_engineer_owes_no_break() -> None:
    p = base(brk=(0, 10, 300), shift=(100, 10_000))
    assert validate(p, {"E1": [], "E2": ["A"]}) == []


def test_pins_engineer_position_and_start() -> None:
    p = line_problem(
        [eng("E1"), eng("E2")],
        [tk("A", 1000, windows=[(0, 1100)]), tk("B", 2000), tk("C", 3000)],
        pins=[Pin("A", "E2"), Pin("B", "E1", position=0), Pin("C", "E1", start=900)],
    )
    got = validate(p, {"E1": ["A", "B", "C"]})
    assert [(v.code, v.ticket_id) for v in got] == [
        (Code.PIN_START, "C"),
        (Code.PIN_ENGINEER, "A"),
        (Code.PIN_POSITION, "B"),
    ]


def test_fixed_start_is_kept_even_outside_the_window() -> None:
    p = line_problem(
        [eng("E1")], [tk("A", 1000, windows=[(0, 1100)])], pins=[Pin("A", "E1", start=1500)]
    )
    timing = retime_route(p, "E1", ["A"])
    assert timing.feasible and timing.route.visits[0].start == 1500


def test_engineer_already_on_site_may_have_started_before_the_shift_start() -> None:
    p = line_problem([eng("E1", shift=(100, 5000))], [tk("A", 0)], pins=[Pin("A", "E1", start=50)])
    timing = retime_route(p, "E1", ["A"])
    assert timing.feasible and timing.route.visits[0].start == 50


def _solution(**ekw: object):
    p = line_problem(
        [eng("E1", **ekw), eng("E2")],
        [tk("A", 1000, windows=[(1000, 1000)]), tk("B", 2000), tk("C", 500, skill="gas")],
    )
    sol = solution_from_plan(p, {"E1": ["A", "B"]}, {"C": [Reason.NO_QUALIFIED_ENGINEER]})
    return p, sol


def test_consistent_solution_is_clean() -> None:
    p, sol = _solution(brk=(1500, 1600, 300))
    assert validate(p, sol) == []
    assert sol.kpis.served_vector() == (0, 0, 2, 0)


def test_solution_coverage() -> None:
    p, sol = _solution()
    assert codes(validate(p, dataclasses.replace(sol, unassigned=()))) == ["MISSING_TICKET"]
    extra = (
        *sol.unassigned,
        Unassigned("A", (Reason.NO_ROOM,)),
        Unassigned("Q", (Reason.NO_ROOM,)),
    )
    assert codes(validate(p, dataclasses.replace(sol, unassigned=extra))) == [
        "ROUTED_AND_UNASSIGNED",
        "UNKNOWN_TICKET",
    ]
    doubled = dataclasses.replace(sol, routes=(*sol.routes, sol.routes[0]))
    assert "DUPLICATE_ROUTE" in codes(validate(p, doubled))


def _tamper_first_visit(sol, **changes: int):
    r = sol.routes[0]
    v = dataclasses.replace(r.visits[0], **changes)
    return dataclasses.replace(
        sol, routes=(dataclasses.replace(r, visits=(v, *r.visits[1:])), *sol.routes[1:])
    )


def test_reported_times_are_checked() -> None:
    p, sol = _solution()
    late = codes(validate(p, _tamper_first_visit(sol, start=1001, end=1101)))
    assert set(late) == {"REPORTED_TIMES"}  # outside A's window, and too little time to drive to B
    assert codes(validate(p, _tamper_first_visit(sol, arrival=999))) == ["REPORTED_TIMES"]
    short = codes(validate(p, _tamper_first_visit(sol, end=1000)))
    assert short == ["REPORTED_KPIS", "REPORTED_TIMES"]  # service and KPI service seconds


def test_reported_travel_and_kpis_are_checked() -> None:
    p, sol = _solution()
    assert codes(validate(p, _tamper_first_visit(sol, travel_seconds=999))) == ["REPORTED_TRAVEL"]
    kpis = dataclasses.replace(sol.kpis, travel_seconds=sol.kpis.travel_seconds + 1)
    assert codes(validate(p, dataclasses.replace(sol, kpis=kpis))) == ["REPORTED_KPIS"]


@pytest.mark.parametrize(
    ("breaks", "why"),
    [
        ((), "owed but missing"),
        (((1100, 1300, 0),), "wrong duration"),
        (((1700, 2000, 0),), "outside window"),
    ],
)
def test_reported_breaks_are_checked(breaks: tuple, why: str) -> None:
    from solver.solution import BreakPlacement

    p, sol = _solution(brk=(1100, 1600, 300))
    assert validate(p, sol) == [], why
    r = sol.routes[0]
    fake = tuple(BreakPlacement(*b) for b in breaks)
    bad = dataclasses.replace(sol, routes=(dataclasses.replace(r, breaks=fake), *sol.routes[1:]))
    assert "REPORTED_BREAK" in codes(validate(p, bad)), why


def test_reported_drive_must_fit_around_the_break() -> None:
    p, sol = _solution(brk=(1100, 1600, 300))
    r = sol.routes[0]
    (b,) = r.breaks  # taken after A, on the way to B
    late = dataclasses.replace(
        r.visits[1],
        arrival=r.visits[1].arrival - 300,
        start=r.visits[1].start - 300,
        end=r.visits[1].end - 300,
    )
    bad = dataclasses.replace(
        sol, routes=(dataclasses.replace(r, visits=(r.visits[0], late)), *sol.routes[1:])
    )
    assert b.after_visit == 0
    assert "REPORTED_TIMES" in codes(validate(p, bad)) or "REPORTED_BREAK" in codes(
        validate(p, bad)
    )


def test_retime_plan_skips_unknown_ids() -> None:
    p = base()
    timings = retime_plan(p, {"E1": ["A", "Z"], "E9": ["B"]})
    assert list(timings) == ["E1"] and timings["E1"].route.ticket_ids == ("A",)
