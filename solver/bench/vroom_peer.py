"""VROOM (``pyvroom``) as a benchmark peer, on exactly our travel matrix.

Mapping: each engineer is a vehicle (start/end points, shift as time window, breaks
with their window and duration, ``max_jobs`` as ``max_tasks``, parts capacity); each
ticket a job (service, windows cut at a hard SLA deadline, parts demand, priority by
tier :data:`PRIORITY`). Skills become integer ids: an engineer of level L in skill S
has the ids of (S, 1..L) and a ticket needs the id of (S, min_level). Required and
excluded engineers become one extra id per ticket, held by the allowed engineers.
VROOM maximises the summed priority, then minimises cost: travel durations (or the
distance matrix with a fixed cost per vehicle when ``minimise_vehicles``). It cannot
express ``max_work_seconds`` (travel + service) or fixed-start pins; they are
reported in the result's notes and left to the validator.
"""

from __future__ import annotations

import time
from datetime import timedelta

import numpy as np
import vroom

from solver.bench.result import PeerResult
from solver.problem import Problem
from solver.travel.base import TravelMatrix

PRIORITY = {1: 100, 2: 20, 3: 4, 4: 1}
"""VROOM job priority (0..100) per tier."""

_VEHICLE_FIXED = 10**8


def _matrix(values: np.ndarray) -> np.ndarray:
    if values.size and (values.min() < 0 or values.max() >= 2**32):
        raise ValueError("VROOM needs matrix values in [0, 2**32)")
    return np.ascontiguousarray(values, dtype=np.uint32)


def build_input(
    problem: Problem, matrix: TravelMatrix, *, minimise_vehicles: bool = False
) -> tuple[vroom.Input, list[str]]:
    """The VROOM input for ``problem`` and the notes on what it cannot express.

    Parameters
    ----------
    problem
        The problem.
    matrix
        Its travel matrix (durations in seconds or scaled units).
    minimise_vehicles
        Cost = distance matrix plus a large fixed cost per vehicle used (Solomon's
        hierarchical objective) instead of travel duration.

    Returns
    -------
    tuple
        The input and a list of notes.
    """
    inp = vroom.Input()
    inp.set_durations_matrix(profile="car", matrix_input=_matrix(matrix.durations))
    if minimise_vehicles:
        inp.set_costs_matrix(profile="car", matrix_input=_matrix(matrix.distances))
    per_engineer, job_skills = _skills(problem)
    uses_capacity = any(e.parts_capacity is not None for e in problem.engineers)
    notes = _add_vehicles(inp, problem, per_engineer, uses_capacity, minimise_vehicles)
    pins = {p.ticket_id for p in problem.pins}
    if pins:
        notes.append(f"{len(pins)} pins not expressed")
    _add_jobs(inp, problem, job_skills, uses_capacity)
    return inp, notes


def _skills(problem: Problem) -> tuple[list[set[int]], list[set[int]]]:
    """VROOM skill numbers of each engineer and each ticket.

    A skill at a level is one number per level up to it; a ticket's allowed or excluded
    engineers become a skill of its own held by the engineers allowed.
    """
    ids: dict[tuple[str, int] | str, int] = {}

    def sid(key: tuple[str, int] | str) -> int:
        return ids.setdefault(key, len(ids) + 1)

    per_engineer: list[set[int]] = [
        {sid((s, lv)) for s, level in e.skills.items() for lv in range(1, int(level) + 1)}
        for e in problem.engineers
    ]
    job_skills: list[set[int]] = []
    for t in problem.tickets:
        need = {sid((t.skill, t.min_level))} if t.skill is not None else set()
        if t.required_engineers or t.excluded_engineers:
            key = sid(f"allowed:{t.id}")
            need.add(key)
            for i, e in enumerate(problem.engineers):
                allowed = not t.required_engineers or e.id in t.required_engineers
                if allowed and e.id not in t.excluded_engineers:
                    per_engineer[i].add(key)
        job_skills.append(need)
    return per_engineer, job_skills


def _add_vehicles(
    inp: vroom.Input,
    problem: Problem,
    per_engineer: list[set[int]],
    uses_capacity: bool,
    minimise_vehicles: bool,
) -> list[str]:
    """Add one vehicle per engineer; returns the notes on what VROOM cannot express."""
    ne = len(problem.engineers)
    notes: list[str] = []
    brk = 0
    for i, e in enumerate(problem.engineers):
        breaks = []
        for b in e.breaks:
            brk += 1
            window = vroom.TimeWindow(b.window.start, b.window.end)
            breaks.append(vroom.Break(brk, time_windows=[window], service=b.duration))
        if e.max_work_seconds is not None:
            notes.append(f"{e.id}: max_work_seconds not expressible, ignored")
        cap = e.parts_capacity if e.parts_capacity is not None else 2**31 - 1
        inp.add_vehicle(
            vroom.Vehicle(
                i,
                start=i,
                end=ne + i,
                capacity=[cap] if uses_capacity else [],
                skills=per_engineer[i],
                time_window=vroom.TimeWindow(e.shift.start, e.shift.end),
                breaks=breaks,
                max_tasks=e.max_jobs if e.max_jobs is not None else 2**31 - 1,
                costs=vroom.VehicleCosts(fixed=_VEHICLE_FIXED if minimise_vehicles else 0),
            )
        )
    return notes


def _add_jobs(
    inp: vroom.Input, problem: Problem, job_skills: list[set[int]], uses_capacity: bool
) -> None:
    """Add one job per routable ticket (windows cut at a hard SLA deadline)."""
    ne = len(problem.engineers)
    for j, t in enumerate(problem.tickets):
        if t.id in problem.unroutable_tickets:
            continue
        hard = t.sla_deadline if t.sla_hard else None
        windows = [
            vroom.TimeWindow(w.start, w.end if hard is None else min(w.end, hard))
            for w in t.windows
            if hard is None or w.start <= hard
        ]
        if not windows and t.windows:
            continue  # no start allowed before the hard deadline
        if not windows and hard is not None:
            windows = [vroom.TimeWindow(0, hard)]
        inp.add_job(
            vroom.Job(
                j,
                location=2 * ne + j,
                default_service=t.duration,
                delivery=[t.parts_demand] if uses_capacity else [],
                skills=job_skills[j],
                priority=PRIORITY[int(t.tier)],
                time_windows=windows,
            )
        )


def run_vroom(
    problem: Problem,
    *,
    matrix: TravelMatrix | None = None,
    exploration_level: int = 5,
    threads: int = 4,
    timeout: float | None = None,
    minimise_vehicles: bool = False,
) -> PeerResult:
    """Solve ``problem`` with VROOM.

    Parameters
    ----------
    problem
        The problem.
    matrix
        Its travel matrix when already computed.
    exploration_level
        VROOM's search depth, 0..5.
    threads
        VROOM worker threads.
    timeout
        Optional cap in seconds.
    minimise_vehicles
        See :func:`build_input`.

    Returns
    -------
    PeerResult
        The plan (``solver`` = ``"vroom-l<level>"``) and the wall time of the solve.
    """
    m = matrix if matrix is not None else problem.travel_matrix()
    inp, notes = build_input(problem, m, minimise_vehicles=minimise_vehicles)
    t0 = time.perf_counter()
    sol = inp.solve(
        exploration_level=exploration_level,
        nb_threads=threads,
        timeout=None if timeout is None else timedelta(seconds=timeout),
    )
    seconds = time.perf_counter() - t0
    if timeout is not None:
        notes.append(f"VROOM timeout {timeout:.0f} s")
    plan: dict[str, list[str]] = {e.id: [] for e in problem.engineers}
    df = sol.routes
    if "id" not in df.columns:  # nothing routed: VROOM leaves the column out
        return PeerResult(f"vroom-l{exploration_level}", plan, seconds, None, tuple(notes))
    jobs = df[df["type"] == "job"]
    for vid, jid in zip(jobs["vehicle_id"].tolist(), jobs["id"].tolist(), strict=True):
        plan[problem.engineers[int(vid)].id].append(problem.tickets[int(jid)].id)
    return PeerResult(f"vroom-l{exploration_level}", plan, seconds, None, tuple(notes))
