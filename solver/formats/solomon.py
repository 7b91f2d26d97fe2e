"""Solomon and Gehring-Homberger VRPTW instances (``.txt``) and their best-known solutions.

Mapping to a :class:`~solver.problem.Problem`: each vehicle becomes an engineer
(``V00``, ``V01``...) starting and ending at the depot, with ``parts_capacity`` = the
vehicle capacity and shift = the depot's ``[ready, due]``; each customer becomes a
ticket (id = customer number) with ``parts_demand`` = demand, one window
``[ready, due]`` and its service time; all tickets are tier P3 and need no skill.

Travel is a ready :class:`~solver.travel.TravelMatrix` in integer units of
``1 / scale`` (default :data:`SCALE` = 1000, so 1 unit = 0.001 of the instance's
distance); times and durations are multiplied by the same scale. Distances are the
Euclidean distances rounded to the nearest unit; durations are rounded *up*, so that a
plan feasible on the integer matrix is feasible in double precision too. Plans are
scored in double precision with :func:`plan_distance` (the BKS convention).
Locations are placeholders proportional to the coordinates
(``lat = y / 100``, ``lon = x / 100``); they are not geographic.
"""

from __future__ import annotations

import csv
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import vrplib

from solver.problem import Engineer, Problem, Ticket, Tier, TimeWindow
from solver.travel.base import Location, TravelMatrix

SCALE = 1000
"""Integer units per instance distance/time unit."""


@dataclass(frozen=True)
class SolomonInstance:
    """A VRPTW instance and its problem.

    Attributes
    ----------
    name
        Instance name (e.g. ``C101``).
    problem
        The problem with the scaled integer travel matrix.
    coords
        ``(n + 1, 2)`` coordinates, row 0 the depot.
    demand, ready, due, service
        Per node (row 0 the depot), in the instance's units.
    vehicles, capacity
        Fleet size and the capacity of every vehicle.
    scale
        Integer units per instance unit in ``problem``.
    """

    name: str
    problem: Problem
    coords: npt.NDArray[np.float64]
    demand: npt.NDArray[np.int64]
    ready: npt.NDArray[np.float64]
    due: npt.NDArray[np.float64]
    service: npt.NDArray[np.float64]
    vehicles: int
    capacity: int
    scale: int

    def euclidean(self) -> npt.NDArray[np.float64]:
        """Double-precision distance matrix between nodes (row 0 the depot)."""
        return _euclidean(self.coords)

    def node(self, ticket_id: str) -> int:
        """Node number (row in :attr:`coords`) of a ticket id."""
        return int(ticket_id)


@dataclass(frozen=True, slots=True)
class Bks:
    """A best-known solution: vehicles first, then distance (double precision)."""

    vehicles: int
    distance: float
    source: str


def read_instance(path: str | Path, *, scale: int = SCALE) -> SolomonInstance:
    """Read a Solomon / Gehring-Homberger ``.txt`` instance with ``vrplib``.

    Parameters
    ----------
    path
        The instance file.
    scale
        Integer units per instance unit (see the module docstring).

    Returns
    -------
    SolomonInstance
        The instance with its :class:`~solver.problem.Problem`.
    """
    raw = vrplib.read_instance(str(path), instance_format="solomon")
    coords = np.asarray(raw["node_coord"], dtype=np.float64)
    demand = np.asarray(raw["demand"], dtype=np.int64)
    tw = np.asarray(raw["time_window"], dtype=np.float64)
    service = np.asarray(raw["service_time"], dtype=np.float64)
    vehicles, capacity = int(raw["vehicles"]), int(raw["capacity"])
    depot = Location(float(coords[0, 1]) / 100.0, float(coords[0, 0]) / 100.0)
    shift = TimeWindow(_units(tw[0, 0], scale), _units(tw[0, 1], scale))
    engineers = tuple(
        Engineer(id=f"V{v:02d}", start=depot, end=depot, shift=shift, parts_capacity=capacity)
        for v in range(vehicles)
    )
    tickets = tuple(
        Ticket(
            id=str(i),
            location=Location(float(coords[i, 1]) / 100.0, float(coords[i, 0]) / 100.0),
            duration=_units(service[i], scale),
            tier=Tier.P3,
            windows=(TimeWindow(_units(tw[i, 0], scale), _units(tw[i, 1], scale)),),
            parts_demand=int(demand[i]),
        )
        for i in range(1, len(coords))
    )
    matrix = _scaled_matrix(_euclidean(coords), vehicles, scale)
    return SolomonInstance(
        name=str(raw.get("name", Path(path).stem)),
        problem=Problem(engineers=engineers, tickets=tickets, travel=matrix),
        coords=coords,
        demand=demand,
        ready=tw[:, 0],
        due=tw[:, 1],
        service=service,
        vehicles=vehicles,
        capacity=capacity,
        scale=scale,
    )


def _units(value: float, scale: int) -> int:
    return round(float(value) * scale)


def _euclidean(coords: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    diff = coords[:, None, :] - coords[None, :, :]
    return np.sqrt((diff**2).sum(axis=2))


def _scaled_matrix(d: npt.NDArray[np.float64], vehicles: int, scale: int) -> TravelMatrix:
    """Matrix over the problem's points: vehicle starts, vehicle ends (depot), customers."""
    nodes = np.concatenate([np.zeros(2 * vehicles, dtype=np.int64), np.arange(1, len(d))])
    sub = d[np.ix_(nodes, nodes)] * scale
    durations = np.ceil(np.round(sub, 6)).astype(np.int64)
    distances = np.rint(sub).astype(np.int64)
    return TravelMatrix(durations=durations, distances=distances, provider=f"euclidean/{scale}")


def plan_distance(instance: SolomonInstance, plan: Mapping[str, Sequence[str]]) -> float:
    """Total double-precision Euclidean distance of a plan (depot to depot per route).

    Parameters
    ----------
    instance
        The instance whose coordinates measure the plan.
    plan
        Engineer (vehicle) id -> ticket (customer) ids in order; empty routes add nothing.

    Returns
    -------
    float
        The distance in the instance's units, unrounded.
    """
    d = instance.euclidean()
    total = 0.0
    for tids in plan.values():
        if not tids:
            continue
        nodes = [0, *(instance.node(t) for t in tids), 0]
        total += math.fsum(float(d[a, b]) for a, b in itertools.pairwise(nodes))
    return total


def vehicles_used(plan: Mapping[str, Sequence[str]]) -> int:
    """Number of non-empty routes."""
    return sum(1 for tids in plan.values() if tids)


def exact_violations(instance: SolomonInstance, plan: Mapping[str, Sequence[str]]) -> list[str]:
    """Re-check a plan in double precision: windows, capacity, depot due, repeats.

    Parameters
    ----------
    instance
        The instance whose windows, demands, capacity and depot due the plan must keep.
    plan
        Engineer (vehicle) id -> ticket (customer) ids in visiting order.

    Returns
    -------
    list of str
        One message per broken rule (empty: feasible, no customer served twice and
        no more routes than vehicles). Unserved customers are not a violation: see
        :func:`unserved`.
    """
    d = instance.euclidean()
    issues: list[str] = []
    seen: list[int] = []
    for vid, tids in plan.items():
        t = float(instance.ready[0])
        prev, load = 0, 0
        for tid in tids:
            i = instance.node(tid)
            seen.append(i)
            load += int(instance.demand[i])
            t = max(t + float(d[prev, i]), float(instance.ready[i]))
            if t > float(instance.due[i]) + 1e-9:
                issues.append(f"{vid}: customer {i} starts at {t:.4f} > due {instance.due[i]}")
            t += float(instance.service[i])
            prev = i
        if tids and t + float(d[prev, 0]) > float(instance.due[0]) + 1e-9:
            issues.append(f"{vid}: back at the depot after {instance.due[0]}")
        if load > instance.capacity:
            issues.append(f"{vid}: load {load} > capacity {instance.capacity}")
    if len(set(seen)) != len(seen):
        issues.append(f"{len(seen) - len(set(seen))} customers served more than once")
    if vehicles_used(plan) > instance.vehicles:
        issues.append(f"{vehicles_used(plan)} routes, {instance.vehicles} vehicles")
    return issues


def unserved(instance: SolomonInstance, plan: Mapping[str, Sequence[str]]) -> int:
    """Number of customers in no route."""
    served = {instance.node(t) for tids in plan.values() for t in tids}
    return len(instance.coords) - 1 - len(served)


def read_bks(path: str | Path) -> dict[str, Bks]:
    """Read a ``bks.csv`` (columns ``instance,vehicles,distance,source``).

    Returns
    -------
    dict
        Instance name -> :class:`Bks`.
    """
    with Path(path).open(newline="", encoding="utf-8") as fh:
        return {
            row["instance"]: Bks(int(row["vehicles"]), float(row["distance"]), row["source"])
            for row in csv.DictReader(fh)
        }
