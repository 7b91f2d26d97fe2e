"""insert(): one new ticket into an existing plan, nothing else moves."""

from __future__ import annotations

import dataclasses

from solver import Pin, Reason, SolveParams, Ticket, Tier, TimeWindow, insert, solve
from solver.travel.base import Location
from tests.solver.test_solve_support import HOUR, assert_valid, eng, line_problem, tix

FAST = SolveParams(iterations=20, time_budget_seconds=60.0, seed=5)


def _base() -> tuple:
    engineers = [eng("E1", 0), eng("E2", 6000)]
    tickets = [tix(f"T{i}", 700 * i, duration=1500) for i in range(8)]
    emergency = tix(
        "NEW", 3000, duration=1200, tier=Tier.P1, windows=(TimeWindow(10 * HOUR, 12 * HOUR),)
    )
    full = line_problem(engineers, [*tickets, emergency])
    before = line_problem(engineers, tickets)
    return full, before


def test_inserts_without_moving_other_visits() -> None:
    full, before = _base()
    sol = solve(before, FAST)
    new = next(t for t in full.tickets if t.id == "NEW")
    res = insert(full, dataclasses.replace(sol), new)
    assert res.inserted and res.engineer_id is not None and res.position is not None
    assert_valid(full, res.solution)
    for r_old in sol.routes:
        r_new = res.solution.route_of(r_old.engineer_id)
        assert r_new is not None
        kept = [t for t in r_new.ticket_ids if t != "NEW"]
        assert kept == list(r_old.ticket_ids)
    route = res.solution.route_of(res.engineer_id)
    assert route is not None and route.ticket_ids[res.position] == "NEW"
    assert res.solution.kpis.served == sol.kpis.served + 1


def test_insert_with_a_provider_extends_the_problem() -> None:
    from solver.problem import Engineer, Problem
    from solver.travel.base import HaversineProvider

    home = Location(31.20, 121.40)
    e = Engineer("E1", home, home, TimeWindow(8 * HOUR, 17 * HOUR))
    t1 = Ticket("T1", Location(31.21, 121.41), 1800)
    p = Problem((e,), (t1,), travel=HaversineProvider())
    sol = solve(p, FAST)
    new = Ticket("T2", Location(31.22, 121.42), 1800, tier=Tier.P1)
    res = insert(p, sol, new)
    assert res.inserted and res.engineer_id == "E1"
    assert res.solution.assignment() == {"T1": "E1", "T2": "E1"}


def test_respects_a_pinned_prefix() -> None:
    engineers = [eng("E1", 0)]
    tickets = [tix("A", 100), tix("B", 200)]
    pins = (Pin("A", "E1", position=0),)
    full = line_problem(engineers, [*tickets, tix("NEW", 50)], pins=pins)
    before = line_problem(engineers, tickets, pins=pins)
    sol = solve(before, FAST)
    res = insert(full, sol, next(t for t in full.tickets if t.id == "NEW"))
    assert res.inserted
    route = res.solution.route_of("E1")
    assert route is not None and route.ticket_ids[0] == "A"
    assert_valid(full, res.solution)


def test_explains_when_nothing_fits() -> None:
    engineers = [eng("E1", 0, skills={"gas": 1})]
    tickets = [tix("A", 100)]
    full = line_problem(engineers, [*tickets, tix("NEW", 100, skill="gas", min_level=2)])
    before = line_problem(engineers, tickets)
    sol = solve(before, FAST)
    res = insert(full, sol, next(t for t in full.tickets if t.id == "NEW"))
    assert not res.inserted
    assert res.unassigned is not None
    assert res.unassigned.reasons == (Reason.NO_QUALIFIED_ENGINEER,)
    assert res.solution.assignment() == sol.assignment()
    assert_valid(full, res.solution)
    assert any(u.ticket_id == "NEW" for u in res.solution.unassigned)
