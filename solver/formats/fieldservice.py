"""The field-service benchmark format: instances in, solutions out.

See ``shared/benchmarks/fieldservice/FORMAT.md``. Every rule of the format is hard:
time windows (with ``sla_deadline`` = window end, ``sla_hard``), shifts, the break,
skills and ``max_jobs``. Travel is :class:`~solver.travel.HaversineProvider` with the
instance's ``speed_kmh`` and ``circuity`` (great-circle distance on a 6371 km sphere x
circuity / speed, rounded to whole seconds), unless another provider is given.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from solver.problem import Break, Engineer, Problem, Ticket, Tier, TimeWindow
from solver.solution import Solution
from solver.travel.base import HaversineProvider, Location, TravelMatrix, TravelTimeProvider


@dataclass(frozen=True)
class Instance:
    """A field-service instance: its problem and identification.

    Attributes
    ----------
    name
        The instance's ``name``.
    problem
        Engineers, tickets and travel, ready for :func:`solver.solve.solve`.
    speed_kmh, circuity
        The instance's travel parameters.
    """

    name: str
    problem: Problem
    speed_kmh: float
    circuity: float


@dataclass(frozen=True)
class PlanFile:
    """A solution file: routes, unassigned tickets with reasons, statistics."""

    routes: Mapping[str, Sequence[str]]
    unassigned: Mapping[str, Sequence[str]]
    stats: Mapping[str, Any]


def parse_instance(
    raw: Mapping[str, Any], *, travel: TravelTimeProvider | TravelMatrix | None = None
) -> Instance:
    """Build an :class:`Instance` from the decoded JSON of an instance file.

    Parameters
    ----------
    raw
        The decoded JSON object.
    travel
        Travel provider or matrix to use instead of the instance's haversine figures.

    Returns
    -------
    Instance
        The instance with all rules hard.
    """
    engineers = []
    for e in raw["engineers"]:
        home = Location(float(e["lat"]), float(e["lon"]))
        br = e.get("break")
        breaks: tuple[Break, ...] = ()
        if br:
            window = TimeWindow(int(br["window"][0]), int(br["window"][1]))
            breaks = (Break(int(br["duration"]), window),)
        engineers.append(
            Engineer(
                id=str(e["id"]),
                start=home,
                end=home,
                shift=TimeWindow(int(e["shift"][0]), int(e["shift"][1])),
                skills={str(k): int(v) for k, v in e.get("skills", {}).items()},
                breaks=breaks,
                max_jobs=None if e.get("max_jobs") is None else int(e["max_jobs"]),
            )
        )
    tickets = []
    for t in raw["tickets"]:
        w = t.get("window")
        windows = (TimeWindow(int(w[0]), int(w[1])),) if w else ()
        tickets.append(
            Ticket(
                id=str(t["id"]),
                location=Location(float(t["lat"]), float(t["lon"])),
                duration=int(t["duration"]),
                skill=t.get("skill"),
                min_level=int(t.get("min_level", 1)),
                tier=Tier(int(t.get("tier", 3))),
                windows=windows,
                sla_deadline=windows[0].end if windows else None,
                sla_hard=True,
            )
        )
    tr = raw.get("travel", {})
    speed = float(tr.get("speed_kmh", 30.0))
    circuity = float(tr.get("circuity", 1.3))
    provider = travel if travel is not None else HaversineProvider(speed, circuity)
    problem = Problem(engineers=tuple(engineers), tickets=tuple(tickets), travel=provider)
    return Instance(str(raw.get("name", "")), problem, speed, circuity)


def read_instance(
    path: str | Path, *, travel: TravelTimeProvider | TravelMatrix | None = None
) -> Instance:
    """Read a field-service instance file.

    Parameters
    ----------
    path
        A ``*.json`` instance.
    travel
        Travel provider or matrix to use instead of the instance's haversine figures.

    Returns
    -------
    Instance
        See :func:`parse_instance`.
    """
    return parse_instance(json.loads(Path(path).read_text()), travel=travel)


def read_travel(path: str | Path) -> tuple[float, float]:
    """The ``(speed_kmh, circuity)`` of an instance file (defaults 30 km/h, 1.3)."""
    tr = json.loads(Path(path).read_text()).get("travel", {})
    return float(tr.get("speed_kmh", 30.0)), float(tr.get("circuity", 1.3))


def solution_to_json(
    solution: Solution, engineer_ids: Sequence[str], stats: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The solution format of a :class:`~solver.solution.Solution`.

    Parameters
    ----------
    solution
        The plan.
    engineer_ids
        Every engineer of the problem (each gets a route, empty when unused).
    stats
        Extra statistics merged into ``stats``.

    Returns
    -------
    dict
        ``{"routes": {engineer: [tickets]}, "unassigned": {ticket: [reasons]},
        "stats": {...}}``.
    """
    routes: dict[str, list[str]] = {e: [] for e in engineer_ids}
    for r in solution.routes:
        routes.setdefault(r.engineer_id, []).extend(r.ticket_ids)
    k = solution.kpis
    base: dict[str, Any] = {
        "seconds": round(solution.seconds, 3),
        "status": str(solution.status),
        "provider": solution.provider,
        "served_by_tier": {str(t): k.served_by_tier.get(t, 0) for t in (1, 2, 3, 4)},
        "total_by_tier": {str(t): k.total_by_tier.get(t, 0) for t in (1, 2, 3, 4)},
        "travel_seconds": k.travel_seconds,
        "travel_metres": k.travel_metres,
        "engineers_used": k.engineers_used,
    }
    base.update(stats or {})
    return {
        "routes": routes,
        "unassigned": {u.ticket_id: [str(r) for r in u.reasons] for u in solution.unassigned},
        "stats": base,
    }


def write_solution(
    path: str | Path,
    solution: Solution,
    engineer_ids: Sequence[str],
    stats: Mapping[str, Any] | None = None,
) -> None:
    """Write :func:`solution_to_json` to ``path`` (UTF-8, indented)."""
    doc = solution_to_json(solution, engineer_ids, stats)
    Path(path).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


def parse_solution(raw: Mapping[str, Any]) -> PlanFile:
    """Build a :class:`PlanFile` from a decoded solution JSON object.

    Raises
    ------
    ValueError
        When ``routes`` is missing or not a mapping of lists of ids.
    """
    routes = raw.get("routes")
    if not isinstance(routes, Mapping) or not all(isinstance(v, list) for v in routes.values()):
        raise ValueError("a solution needs 'routes': {engineer id: [ticket ids]}")
    unassigned = raw.get("unassigned", {})
    if not isinstance(unassigned, Mapping):
        raise ValueError("'unassigned' must map ticket ids to lists of reasons")
    return PlanFile(
        routes={str(e): [str(t) for t in ts] for e, ts in routes.items()},
        unassigned={str(t): [str(r) for r in rs] for t, rs in unassigned.items()},
        stats=dict(raw.get("stats", {})),
    )


def read_solution(path: str | Path) -> PlanFile:
    """Read a solution file written by :func:`write_solution`."""
    return parse_solution(json.loads(Path(path).read_text()))
