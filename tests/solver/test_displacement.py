"""Making room for an urgent ticket: calling an engineer off the way to a lower-tier visit."""

from __future__ import annotations

from solver import Pin, Reason, Tier, insert_diverting
from solver.assemble import solution_from_plan
from tests.solver.test_solve_support import eng, line_problem, tix


def test_only_an_engineer_on_the_way_to_a_divertible_tier_is_called_off() -> None:
    problem = line_problem(
        [eng("E0", 0), eng("E1", 0)],
        [
            tix("URGENT", 100, duration=600, tier=Tier.P1),
            tix("FAR", 3000, tier=Tier.P4),
            tix("MID", 2000, tier=Tier.P3),
        ],
        pins=(Pin("FAR", "E0", position=0), Pin("MID", "E1", position=0)),
    )
    matrix = problem.travel_matrix()
    current = solution_from_plan(problem, {"E0": ["FAR"], "E1": ["MID"]}, matrix=matrix)
    urgent = next(t for t in problem.tickets if t.id == "URGENT")

    found = insert_diverting(
        problem, current, urgent, matrix=matrix, divertible=frozenset({int(Tier.P4)})
    )

    assert found is not None
    result, diverted_from = found
    assert diverted_from == "FAR" and result.inserted
    e0 = result.solution.route_of("E0")
    assert e0 is not None and "FAR" not in e0.ticket_ids
    (far,) = (u for u in result.solution.unassigned if u.ticket_id == "FAR")
    assert far.reasons == (Reason.DISPLACED_BY_HIGHER_PRIORITY,)


def test_no_diversion_when_no_engineer_is_on_the_way_to_a_divertible_tier() -> None:
    problem = line_problem(
        [eng("E1", 0)],
        [tix("URGENT", 100, duration=600, tier=Tier.P1), tix("MID", 2000, tier=Tier.P3)],
        pins=(Pin("MID", "E1", position=0),),
    )
    matrix = problem.travel_matrix()
    current = solution_from_plan(problem, {"E1": ["MID"]}, matrix=matrix)
    urgent = next(t for t in problem.tickets if t.id == "URGENT")

    assert (
        insert_diverting(
            problem, current, urgent, matrix=matrix, divertible=frozenset({int(Tier.P4)})
        )
        is None
    )
