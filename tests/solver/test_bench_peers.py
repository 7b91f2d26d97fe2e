"""Peers get the same problem: VROOM's skill ids, priorities and rules; harness gaps."""

from __future__ import annotations

from solver.bench.harness import Row, _fs_gaps
from solver.bench.pyvrp_peer import fieldservice_skip_reason
from solver.bench.vroom_peer import run_vroom
from solver.check.validate import validate
from tests.solver.linemodel import eng, line_problem, tk


def test_vroom_respects_skill_levels_and_engineer_rules() -> None:
    p = line_problem(
        [
            eng("JUNIOR", x=1000, skills={"hvac": 1}),
            eng("SENIOR", x=0, skills={"hvac": 3, "gas": 2}),
        ],
        [
            tk("NEEDS2", 1000, min_level=2),  # only SENIOR, although JUNIOR sits on it
            tk("ANY", 1000),
            tk("GAS", 50, skill="gas", min_level=2),
            tk("ONLY_J", 50, required_engineers=frozenset({"JUNIOR"})),
            tk("NOT_S", 60, excluded_engineers=frozenset({"SENIOR"})),
            tk("NOONE", 70, skill="gas", min_level=3),
        ],
    )
    res = run_vroom(p, exploration_level=1, threads=1)
    where = {t: e for e, ts in res.plan.items() for t in ts}
    assert where["NEEDS2"] == "SENIOR" and where["GAS"] == "SENIOR"
    assert where["ONLY_J"] == "JUNIOR" and where["NOT_S"] == "JUNIOR"
    assert "NOONE" not in where
    assert validate(p, res.plan) == []


def test_vroom_prefers_the_higher_tier_and_keeps_breaks() -> None:
    p = line_problem(
        [eng("E1", shift=(0, 4000), brk=(1000, 1500, 300))],
        [tk("LOW", 1000, tier=4, duration=1000), tk("HIGH", 1000, tier=1, duration=1000)],
    )
    res = run_vroom(p, exploration_level=1, threads=1)
    assert res.plan["E1"] == ["HIGH"]  # both would end at 4300 with the break
    assert validate(p, res.plan) == []


def test_vroom_with_nothing_feasible_returns_empty_routes() -> None:
    p = line_problem([eng("E1", shift=(0, 100))], [tk("A", 1000)])
    res = run_vroom(p, exploration_level=0, threads=1)
    assert res.plan == {"E1": []}


def test_pyvrp_skip_reason_names_what_it_lacks() -> None:
    reason = fieldservice_skip_reason()
    assert "breaks" in reason and "max_jobs" in reason


def _row(solver: str, served: tuple[int, int, int, int], travel: float, valid: bool = True) -> Row:
    return Row("x", solver, served=served, travel=travel, valid=valid)


def test_fieldservice_gap_is_lexicographic_and_ignores_invalid_plans() -> None:
    rows = _fs_gaps(
        [
            _row("a", (3, 2, 0, 0), 900.0),
            _row("b", (3, 1, 9, 9), 100.0),
            _row("c", (3, 2, 0, 0), 990.0),
            _row("d", (9, 9, 9, 9), 1.0, valid=False),
        ]
    )
    assert [r.gap for r in rows] == ["best", "P2 -1", "+10.00%", "invalid"]
