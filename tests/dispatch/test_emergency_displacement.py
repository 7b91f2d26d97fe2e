"""Dispatch now makes room only on the routes of engineers who may take the emergency."""

from __future__ import annotations

from solver import Tier, insert
from solver.assemble import solution_from_plan
from solver.displace import MAX_DISPLACEMENT_TRIES
from tests.solver.test_solve_support import HOUR, eng, line_problem, tix


def test_the_displaced_visit_is_on_a_qualified_engineers_route() -> None:
    # E1 cannot do gas work; its many P4 visits are the lowest tier and the nearest, so
    # without looking at qualification every removal tried would be one of them.
    many = MAX_DISPLACEMENT_TRIES + 5
    engineers = [
        eng("E0", 3000, skills={"gas": 2}, max_jobs=1),
        eng("E1", 0, end=20 * HOUR),
    ]
    tickets = [
        tix("URGENT", 100, duration=600, tier=Tier.P1, skill="gas"),
        tix("Q", 3000, duration=600, tier=Tier.P3),
        *(tix(f"L{i:02d}", 100 + i, duration=60, tier=Tier.P4) for i in range(many)),
    ]
    problem = line_problem(engineers, tickets)
    matrix = problem.travel_matrix()
    current = solution_from_plan(
        problem, {"E0": ["Q"], "E1": [f"L{i:02d}" for i in range(many)]}, matrix=matrix
    )
    urgent = next(t for t in problem.tickets if t.id == "URGENT")
    result = insert(problem, current, urgent, matrix=matrix, displace=True)
    assert result.inserted
    assert result.displaced_ticket_id == "Q"
    assert result.engineer_id == "E0"
