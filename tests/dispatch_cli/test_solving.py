"""``dispatch solve`` and ``dispatch bench`` on tiny instances written by the tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dispatch_cli.main import app
from solver.check.validate import validate
from solver.formats import fieldservice, solomon

runner = CliRunner()


def _fieldservice(path: Path) -> Path:
    base = (31.23, 121.47)
    engineers = [
        {
            "id": f"E{i}",
            "lat": base[0] + 0.01 * i,
            "lon": base[1],
            "skills": {"hvac": 2, "elec": 1},
            "shift": [28800, 61200],
            "break": {"window": [41400, 48600], "duration": 1800},
            "max_jobs": 3,
        }
        for i in range(2)
    ]
    tickets = [
        {
            "id": f"T{j}",
            "lat": base[0] + 0.005 * j,
            "lon": base[1] + 0.004 * j,
            "skill": "elec" if j == 5 else "hvac",
            "min_level": 2 if j == 5 else 1,
            "tier": 1 + j % 4,
            "duration": 1800,
            "window": [28800, 57600],
        }
        for j in range(8)
    ]
    doc = {
        "name": "tiny",
        "seed": 1,
        "city": "test",
        "travel": {"speed_kmh": 30.0, "circuity": 1.3},
        "engineers": engineers,
        "tickets": tickets,
    }
    path.write_text(json.dumps(doc))
    return path


SOLOMON = """TINY

VEHICLE
NUMBER     CAPACITY
  3         20

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0      40         50          0          0       300          0
    1      45         68         10          0       200         10
    2      45         70         10          0       200         10
    3      42         66          5         20       150         10
    4      35         40          8          0       250         10
"""


def test_solve_fieldservice_writes_a_valid_plan(tmp_path: Path) -> None:
    inst = _fieldservice(tmp_path / "tiny.json")
    out = tmp_path / "plan.json"
    result = runner.invoke(app, ["solve", str(inst), "--solver", "greedy", "--out", str(out)])
    assert result.exit_code == 0, result.output
    plan = fieldservice.read_solution(out)
    problem = fieldservice.read_instance(inst).problem
    assert validate(problem, plan.routes) == []
    assert plan.unassigned["T5"] == ["NO_QUALIFIED_ENGINEER"]
    served = sum(len(v) for v in plan.routes.values())
    assert served + len(plan.unassigned) == 8 and served == 6  # max_jobs 3 x 2 engineers
    assert plan.stats["violations"] == 0 and plan.stats["solver"] == "greedy"


def test_solve_prints_a_summary_without_out(tmp_path: Path) -> None:
    inst = _fieldservice(tmp_path / "tiny.json")
    result = runner.invoke(app, ["solve", str(inst), "--solver", "greedy", "--travel", "geodesic"])
    assert result.exit_code == 0, result.output
    assert "P1" in result.output and "NO_QUALIFIED_ENGINEER: 1" in result.output


def test_unknown_travel_spec_is_refused(tmp_path: Path) -> None:
    inst = _fieldservice(tmp_path / "tiny.json")
    result = runner.invoke(app, ["solve", str(inst), "--solver", "greedy", "--travel", "teleport"])
    assert result.exit_code != 0
    assert "unknown travel spec" in result.output


def test_solve_solomon_reports_vehicles_and_distance(tmp_path: Path) -> None:
    txt = tmp_path / "TINY.txt"
    txt.write_text(SOLOMON.replace("\n", "\r\n"))
    out = tmp_path / "plan.json"
    result = runner.invoke(app, ["solve", str(txt), "--solver", "vroom", "--out", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    inst = solomon.read_instance(txt)
    assert solomon.exact_violations(inst, doc["routes"]) == []
    assert solomon.unserved(inst, doc["routes"]) == 0
    assert doc["stats"]["vehicles"] == 2  # capacity 20 for 33 units of demand
    assert doc["stats"]["distance"] == pytest.approx(solomon.plan_distance(inst, doc["routes"]))


def test_bench_fieldservice_table_and_markdown(tmp_path: Path) -> None:
    _fieldservice(tmp_path / "tiny.json")
    _fieldservice(tmp_path / "other.json")
    md = tmp_path / "out.md"
    result = runner.invoke(
        app,
        [
            "bench",
            "fieldservice",
            str(tmp_path),
            "--only",
            "tiny",
            "--seconds",
            "1",
            "--markdown",
            str(md),
            "--threads",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    table = md.read_text()
    assert "| tiny | vroom-l5 |" in table and "| tiny | greedy |" in table
    assert "other" not in table
    assert "PyVRP 0.14 cannot express" in table
    assert "invalid" not in table


def test_bench_solomon_gap_to_bks(tmp_path: Path) -> None:
    (tmp_path / "TINY.txt").write_text(SOLOMON)
    (tmp_path / "bks.csv").write_text("instance,vehicles,distance,source\nTINY,2,1.0,test\n")
    js = tmp_path / "rows.json"
    result = runner.invoke(
        app,
        ["bench", "solomon", str(tmp_path), "--seconds", "1", "--json", str(js), "--no-ours"],
    )
    assert result.exit_code == 0, result.output
    rows = {r["solver"]: r for r in json.loads(js.read_text())}
    assert rows["pyvrp"]["valid"] and rows["pyvrp"]["vehicles"] == 2
    assert rows["pyvrp"]["gap"].endswith("%") and rows["pyvrp"]["gap"].startswith("+")
    assert rows["greedy"]["valid"]


def test_bench_unknown_instance_name(tmp_path: Path) -> None:
    _fieldservice(tmp_path / "tiny.json")
    result = runner.invoke(app, ["bench", "fieldservice", str(tmp_path), "--only", "nope"])
    assert result.exit_code != 0 and "no instance named nope" in result.output


def test_solve_with_our_engine_is_valid(tmp_path: Path) -> None:
    inst = _fieldservice(tmp_path / "tiny.json")
    out = tmp_path / "plan.json"
    result = runner.invoke(app, ["solve", str(inst), "--seconds", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    plan = fieldservice.read_solution(out)
    assert plan.stats["solver"] == "ours" and plan.stats["violations"] == 0
    problem = fieldservice.read_instance(inst).problem
    assert validate(problem, plan.routes) == []
    assert sum(len(v) for v in plan.routes.values()) == 6  # all that max_jobs allows
