"""Builders of small hand-made problems on a line (travel seconds = distance)."""

from __future__ import annotations

from typing import Any

import numpy as np

from solver.check.validate import validate
from solver.problem import Engineer, Problem, Ticket, TimeWindow
from solver.solution import Solution
from solver.travel.base import Location, TravelMatrix

HOUR = 3600


def eng(eid: str, x: int, start: int = 8 * HOUR, end: int = 17 * HOUR, **kw: Any) -> dict:
    """An engineer spec at position ``x`` (seconds along the line)."""
    return {"id": eid, "x": x, "shift": TimeWindow(start, end), **kw}


def tix(tid: str, x: int, duration: int = 1800, **kw: Any) -> dict:
    """A ticket spec at position ``x``."""
    return {"id": tid, "x": x, "duration": duration, **kw}


def line_problem(engineers: list[dict], tickets: list[dict], **kw: Any) -> Problem:
    """A problem whose travel time between two points is their distance on a line."""
    xs = (
        [e["x"] for e in engineers]
        + [e.get("end_x", e["x"]) for e in engineers]
        + [t["x"] for t in tickets]
    )
    pos = np.asarray(xs, dtype=np.int64)
    d = np.abs(pos[:, None] - pos[None, :])
    matrix = TravelMatrix(durations=d, distances=d * 10, provider="line")
    here = Location(31.2, 121.4)
    es = [
        Engineer(
            id=e["id"],
            start=here,
            end=here,
            **{k: v for k, v in e.items() if k not in ("id", "x", "end_x")},
        )
        for e in engineers
    ]
    ts = [
        Ticket(id=t["id"], location=here, **{k: v for k, v in t.items() if k not in ("id", "x")})
        for t in tickets
    ]
    return Problem(engineers=tuple(es), tickets=tuple(ts), travel=matrix, **kw)


def assert_valid(problem: Problem, solution: Solution) -> None:
    """The independent checker finds nothing wrong, and every ticket is accounted for."""
    violations = validate(problem, solution)
    assert violations == [], violations
    routed = {v.ticket_id for r in solution.routes for v in r.visits}
    left = {u.ticket_id for u in solution.unassigned}
    assert routed | left == {t.id for t in problem.tickets}
    assert not routed & left


def test_line_problem_travel_is_distance() -> None:
    p = line_problem([eng("E1", 0)], [tix("T1", 600)])
    m = p.travel_matrix()
    assert m.durations[0, 2] == 600
    assert m.durations[2, 1] == 600
