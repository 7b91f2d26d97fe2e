"""Instance and solution formats: field-service JSON and Solomon text."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest

from solver.check.validate import plan_of, validate
from solver.formats import fieldservice, solomon
from solver.greedy import greedy
from solver.problem import Tier
from tests.shared_data import shared_dir

SHARED = Path(os.environ.get("DISPATCH_BENCHMARKS", shared_dir() / "benchmarks"))
FS_SMALL = SHARED / "fieldservice" / "pub-sh-small.json"
C101 = SHARED / "solomon" / "C101.txt"
needs_shared = pytest.mark.skipif(not FS_SMALL.exists(), reason="shared benchmarks not present")


def _format_seconds(
    a: tuple[float, float], b: tuple[float, float], speed: float, circ: float
) -> int:
    """FORMAT.md, literally: haversine (6371 km) x circuity / speed, whole seconds."""
    p1, l1, p2, l2 = map(math.radians, (*a, *b))
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin((l2 - l1) / 2) ** 2
    km = 2 * 6371.0 * math.asin(math.sqrt(h))
    return round(km * circ / speed * 3600)


def test_fieldservice_parse_and_durations_match_the_format() -> None:
    raw = {
        "name": "x",
        "travel": {"speed_kmh": 25.0, "circuity": 1.4},
        "engineers": [
            {
                "id": "E0",
                "lat": 31.2,
                "lon": 121.4,
                "skills": {"hvac": 2},
                "shift": [100, 900],
                "break": {"window": [300, 400], "duration": 60},
                "max_jobs": 4,
            }
        ],
        "tickets": [
            {"id": "T0", "lat": 31.25, "lon": 121.5, "skill": "hvac", "min_level": 2}
            | {"tier": 1, "duration": 50, "window": [200, 500]},
            {"id": "T1", "lat": 31.1, "lon": 121.3, "skill": "gas", "min_level": 1}
            | {"tier": 4, "duration": 70, "window": [0, 800]},
        ],
    }
    inst = fieldservice.parse_instance(raw)
    p = inst.problem
    e, t0 = p.engineers[0], p.tickets[0]
    assert (e.shift.start, e.shift.end, e.max_jobs, dict(e.skills)) == (100, 900, 4, {"hvac": 2})
    assert (e.breaks[0].duration, e.breaks[0].window.start, e.breaks[0].window.end) == (
        60,
        300,
        400,
    )
    assert t0.tier is Tier.P1 and t0.sla_hard and t0.sla_deadline == 500
    assert (t0.windows[0].start, t0.windows[0].end, t0.duration) == (200, 500, 50)
    m = p.travel_matrix().durations
    pts = [(31.2, 121.4), (31.2, 121.4), (31.25, 121.5), (31.1, 121.3)]
    want = [[_format_seconds(a, b, 25.0, 1.4) for b in pts] for a in pts]
    assert m.tolist() == want


@needs_shared
def test_public_instance_durations_match_the_format_exactly() -> None:
    inst = fieldservice.read_instance(FS_SMALL)
    raw = fieldservice.json.loads(FS_SMALL.read_text())
    pts = [(e["lat"], e["lon"]) for e in raw["engineers"]] * 2
    pts += [(t["lat"], t["lon"]) for t in raw["tickets"]]
    m = inst.problem.travel_matrix().durations
    want = np.array([[_format_seconds(a, b, 30.0, 1.3) for b in pts] for a in pts])
    assert np.array_equal(m, want)


@needs_shared
def test_solution_round_trip(tmp_path: Path) -> None:
    inst = fieldservice.read_instance(FS_SMALL)
    sol = greedy(inst.problem)
    out = tmp_path / "plan.json"
    ids = [e.id for e in inst.problem.engineers]
    fieldservice.write_solution(out, sol, ids, {"note": "t"})
    back = fieldservice.read_solution(out)
    assert set(back.routes) == set(ids)
    assert {k: list(v) for k, v in back.routes.items()} == {
        e: list(plan_of(sol).get(e, [])) for e in ids
    }
    assert back.unassigned == {u.ticket_id: [str(r) for r in u.reasons] for u in sol.unassigned}
    assert back.stats["note"] == "t" and back.stats["travel_seconds"] == sol.kpis.travel_seconds
    assert validate(inst.problem, back.routes) == []


def test_solution_file_must_have_routes() -> None:
    with pytest.raises(ValueError, match="routes"):
        fieldservice.parse_solution({"unassigned": {}})


TXT = """T3

VEHICLE
NUMBER     CAPACITY
  2         10

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0      0          0           0          0       100          0
    1      1          1           4          0        50          5
    2      3          4           6         10        60          5
    3      0          2           5          0        90          0
"""


def test_solomon_mapping_and_scaled_matrix(tmp_path: Path) -> None:
    path = tmp_path / "T3.txt"
    path.write_text(TXT)
    inst = solomon.read_instance(path)
    p = inst.problem
    assert [e.id for e in p.engineers] == ["V00", "V01"]
    assert all(e.parts_capacity == 10 and e.shift.end == 100_000 for e in p.engineers)
    t1 = p.tickets[0]
    assert (t1.id, t1.parts_demand, t1.duration) == ("1", 4, 5000)
    assert (t1.windows[0].start, t1.windows[0].end) == (0, 50_000)
    m = p.travel_matrix()
    depot, c1, c2 = 0, 4, 5  # 2 starts, 2 ends, then customers
    assert m.distances[depot, c1] == round(math.sqrt(2) * 1000)  # 1414
    assert m.durations[depot, c1] == math.ceil(math.sqrt(2) * 1000)  # 1415: rounded up
    assert m.durations[depot, c2] == 5000 and m.distances[c1, c2] == round(math.sqrt(13) * 1000)


def test_solomon_plan_distance_and_exact_check(tmp_path: Path) -> None:
    path = tmp_path / "T3.txt"
    path.write_text(TXT)
    inst = solomon.read_instance(path)
    plan = {"V00": ["1", "2"], "V01": ["3"]}
    want = math.sqrt(2) + math.sqrt(13) + 5 + 2 + 2
    assert solomon.plan_distance(inst, plan) == pytest.approx(want, abs=1e-12)
    assert solomon.vehicles_used(plan) == 2 and solomon.unserved(inst, plan) == 0
    assert solomon.exact_violations(inst, plan) == []
    assert validate(inst.problem, plan) == []
    heavy = {"V00": ["1", "2", "3"]}
    assert any("capacity" in m for m in solomon.exact_violations(inst, heavy))
    assert [v.code for v in validate(inst.problem, heavy)] == ["CAPACITY"]
    assert solomon.unserved(inst, {"V00": ["1"]}) == 2


def test_bks_table(tmp_path: Path) -> None:
    f = tmp_path / "bks.csv"
    f.write_text("instance,vehicles,distance,source\nC101,10,828.94,x\n")
    assert solomon.read_bks(f)["C101"] == solomon.Bks(10, 828.94, "x")


@needs_shared
def test_c101_reads_with_vrplib() -> None:
    inst = solomon.read_instance(C101)
    assert (inst.name, inst.vehicles, inst.capacity, len(inst.problem.tickets)) == (
        "C101",
        25,
        200,
        100,
    )
