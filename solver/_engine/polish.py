"""OR-Tools local search started from the engine's plan (private).

The routing model mirrors the rules: a time dimension with service at the visited node,
windows on the service start, breaks as interval variables that may fall in a drive or
a wait, jobs and parts as capacity dimensions, banned engineers removed from each
ticket's vehicle variable, and one disjunction per ticket whose penalty encodes the
tier ordering (computed from the actual counts so that int64 never overflows). The
plan found is re-timed by the engine and kept only if it is better by the engine's own
lexicographic objective.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from solver._engine.model import I64, INF, Model
from solver._engine.plan import Plan

LIMIT = 1 << 62


def tier_penalties(m: Model) -> list[int] | None:
    """Disjunction penalty per tier P1..P4 (None when they would not fit in int64)."""
    bound = int(np.sum(m.shift_e - m.shift_s)) + 1
    counts = [int((m.tier == t).sum()) for t in (1, 2, 3, 4)]
    pen = [0, 0, 0, bound]
    for t in (2, 1, 0):
        pen[t] = (counts[t + 1] + 1) * pen[t + 1]
    total = sum(p * c for p, c in zip(pen, counts, strict=True))
    return pen if total < LIMIT else None


@dataclass
class _Routing:
    """The OR-Tools model of a plan: index manager, routing model, time dimension."""

    manager: Any
    routing: Any
    tdim: Any
    horizon: int
    service: I64


def polish(plan: Plan, seconds: float, descent: bool = False) -> bool:
    """Improve ``plan`` with OR-Tools guided local search for ``seconds``.

    With ``descent``, a plain local descent is run to its local optimum instead (it
    stops by itself, so the result is reproducible when ``seconds`` is generous).
    OR-Tools also gives the completion search of every neighbour (break intervals,
    service times) a wall-clock limit of its own, 0.1 s by default: a neighbour whose
    completion runs out of it is rejected, which happens only on a loaded machine and
    sends the descent down another path. A descent gives that search ``seconds`` too.

    Returns
    -------
    bool
        Whether the plan changed (only to a better one).
    """
    m = plan.m
    pen = tier_penalties(m)
    if pen is None or seconds < 0.5 or m.n_tix == 0:
        return False
    rm = _routing_model(m)
    _constrain_tickets(plan, rm, pen)
    _add_breaks(m, rm)
    routes = [[rm.manager.NodeToIndex(2 * m.n_eng + j) for j in r.seq] for r in plan.routes]
    initial = rm.routing.ReadAssignmentFromRoutes(routes, True)
    if initial is None:
        return False
    params = pywrapcp.DefaultRoutingSearchParameters()
    meta = routing_enums_pb2.LocalSearchMetaheuristic
    params.local_search_metaheuristic = meta.GREEDY_DESCENT if descent else meta.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(seconds * 1000))
    if descent:
        params.lns_time_limit.FromMilliseconds(int(seconds * 1000))
    sol = rm.routing.SolveFromAssignmentWithParameters(initial, params)
    if sol is None:
        return False
    return _adopt(plan, _read_routes(m, rm, sol))


def _routing_model(m: Model) -> _Routing:
    """Nodes, travel costs and the time, jobs, parts and work dimensions."""
    k_n, n = m.n_eng, m.n_tix
    n_nodes = 2 * k_n + n
    manager = pywrapcp.RoutingIndexManager(
        n_nodes, k_n, list(range(k_n)), [k_n + k for k in range(k_n)]
    )
    routing = pywrapcp.RoutingModel(manager)
    service = np.zeros(n_nodes, dtype=np.int64)
    service[2 * k_n :] = m.duration
    travel = m.dur_m.tolist()
    timed = (m.dur_m + service[:, None]).tolist()
    cost_cb = routing.RegisterTransitMatrix(travel)
    time_cb = routing.RegisterTransitMatrix(timed)
    routing.SetArcCostEvaluatorOfAllVehicles(cost_cb)
    horizon = max(int(np.max(m.shift_e)), 0) + 1
    routing.AddDimension(time_cb, horizon, horizon, False, "time")
    tdim = routing.GetDimensionOrDie("time")
    ones = [0] * (2 * k_n) + [1] * n
    jobs_cb = routing.RegisterUnaryTransitVector(ones)
    caps = [int(min(x, n)) for x in m.max_jobs]
    routing.AddDimensionWithVehicleCapacity(jobs_cb, 0, caps, True, "jobs")
    if int(m.demand.sum()) > 0:
        dem = [0] * (2 * k_n) + [int(x) for x in m.demand]
        dem_cb = routing.RegisterUnaryTransitVector(dem)
        pc = [int(min(x, int(m.demand.sum()) + 1)) for x in m.capacity]
        routing.AddDimensionWithVehicleCapacity(dem_cb, 0, pc, True, "parts")
    if any(e.max_work_seconds is not None for e in m.problem.engineers):
        routing.AddDimensionWithVehicleCapacity(
            time_cb, 0, [int(min(x, horizon)) for x in m.max_work], True, "work"
        )
    return _Routing(manager, routing, tdim, horizon, service)


def _constrain_tickets(plan: Plan, rm: _Routing, pen: list[int]) -> None:
    """Per ticket: its disjunction (or pin), banned engineers, windows and soft deadline."""
    m = plan.m
    k_n = m.n_eng
    routing, tdim, horizon = rm.routing, rm.tdim, rm.horizon
    py = m.py
    assert py is not None
    for j in range(m.n_tix):
        idx = rm.manager.NodeToIndex(2 * k_n + j)
        tier = int(m.tier[j])
        if m.pin_eng[j] >= 0:
            if plan.assigned[j] < 0:
                routing.ActiveVar(idx).SetValue(0)
                continue
        else:
            routing.AddDisjunction([idx], pen[tier - 1])
        banned = [k for k in range(k_n) if not m.eligible[j, k] or plan.alone[j, k] >= INF]
        if banned:
            routing.VehicleVar(idx).RemoveValues(banned)
        cum = tdim.CumulVar(idx)
        wins = [(a, min(b, py.hard[j])) for a, b in py.wins[j] if a <= py.hard[j]]
        if py.fixed[j] >= 0:
            wins = [(py.fixed[j], py.fixed[j])]
        lo = max(0, min(a for a, _ in wins)) if wins else 0
        hi = min(horizon, max(b for _, b in wins)) if wins else horizon
        if lo > hi:
            routing.VehicleVar(idx).SetValues([-1])
            continue
        cum.SetRange(lo, hi)
        for (_, b1), (a2, _) in itertools.pairwise(wins):
            if b1 + 1 <= a2 - 1:
                cum.RemoveInterval(b1 + 1, a2 - 1)
        if py.soft[j] < INF and py.late_w[j] > 0:
            tdim.SetCumulVarSoftUpperBound(idx, py.soft[j], max(1, py.late_w[j] // 60))


def _add_breaks(m: Model, rm: _Routing) -> None:
    """Shift bounds of every engineer and the breaks as interval variables."""
    routing, manager, tdim = rm.routing, rm.manager, rm.tdim
    solver = routing.solver()
    visit = [0] * routing.Size()
    for i in range(routing.Size()):
        node = manager.IndexToNode(i)
        visit[i] = int(rm.service[node])
    for k in range(m.n_eng):
        tdim.CumulVar(routing.Start(k)).SetRange(int(m.shift_s[k]), int(m.shift_s[k]))
        tdim.CumulVar(routing.End(k)).SetMax(int(m.shift_e[k]))
        brks = [
            solver.FixedDurationIntervalVar(ws, we, bd, False, f"b{k}_{i}")
            for i, (ws, we, bd) in enumerate(m.breaks[k])
        ]
        if brks:
            tdim.SetBreakIntervalsOfVehicle(brks, k, visit)


def _read_routes(m: Model, rm: _Routing, sol: Any) -> list[list[int]]:
    """Ticket sequences per engineer of an OR-Tools solution."""
    routing, k_n = rm.routing, m.n_eng
    seqs: list[list[int]] = []
    for k in range(k_n):
        idx = routing.Start(k)
        seq: list[int] = []
        idx = sol.Value(routing.NextVar(idx))
        while not routing.IsEnd(idx):
            seq.append(rm.manager.IndexToNode(idx) - 2 * k_n)
            idx = sol.Value(routing.NextVar(idx))
        seqs.append(seq)
    return seqs


def _adopt(plan: Plan, seqs: list[list[int]]) -> bool:
    """Take ``seqs`` when they keep the frozen prefixes and are better by the engine."""
    m = plan.m
    before = plan.objective()
    snap = plan.snapshot()
    changed = {k: seq for k, seq in enumerate(seqs) if seq != plan.routes[k].seq}
    for k, seq in changed.items():
        old = plan.routes[k].seq
        fixed = [j for j in old[: len(m.frozen[k])] if j in m.frozen[k]]
        if seq[: len(fixed)] != fixed:
            return False
    if not plan.set_routes(changed):
        return False
    if plan.objective() < before:
        plan.refresh_rows(plan.unassigned_pool())
        return True
    plan.restore(snap)
    return False
