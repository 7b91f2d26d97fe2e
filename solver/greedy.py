"""The greedy dispatcher a busy human uses: most urgent first, to whoever gets there first.

Tickets are taken in order of tier, then deadline (latest allowed start), then
earliest window start. Each goes to the end of the route of the qualified engineer
who can arrive there earliest (ties: the shorter drive) among those for whom
appending keeps the whole route feasible: windows, hard SLA, breaks (best placement),
shift end, ``max_jobs``, working time and parts capacity. Nothing is ever re-ordered.

Feasibility of an append is checked for all engineers at once with numpy, on the
earliest finishing time of the route for each number of breaks already taken (exact:
earlier is never worse). Pinned tickets are placed first, in pin position order; a pin
that cannot be honoured by appending leaves its ticket unassigned
(``PINNED_CONFLICT``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from solver.assemble import solution_from_plan
from solver.problem import Problem, Ticket
from solver.solution import Reason, Solution
from solver.travel.base import TravelMatrix

_INF = np.int64(1 << 60)
_BIG = 1 << 58
I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]


@dataclass
class _Fleet:
    """Per-engineer arrays and the growing state of every route."""

    shift_s: I64
    shift_e: I64
    end_pt: I64
    bws: I64  # (ne, B) break window starts, padded with free breaks
    bwe: I64
    bd: I64
    limit: I64  # max travel + service
    max_jobs: I64
    capacity: I64
    state: I64  # (ne, B + 1) earliest end of the last service with j breaks taken
    loc: I64
    jobs: I64
    load: I64
    work: I64  # travel + service so far, without the way home
    best_tier: I64  # most urgent tier on the route (5: none)


def _fleet(problem: Problem) -> _Fleet:
    engs = problem.engineers
    ne = len(engs)
    nb = max((len(e.breaks) for e in engs), default=0)
    bws = np.full((ne, nb), -_BIG, dtype=np.int64)
    bwe = np.full((ne, nb), _BIG, dtype=np.int64)
    bd = np.zeros((ne, nb), dtype=np.int64)
    for i, e in enumerate(engs):
        for k, (ws, we, d) in enumerate(
            sorted((b.window.start, b.window.end, b.duration) for b in e.breaks)
        ):
            bws[i, k], bwe[i, k], bd[i, k] = ws, we, d
    shift_s = np.array([e.shift.start for e in engs], dtype=np.int64)
    shift_e = np.array([e.shift.end for e in engs], dtype=np.int64)
    state = np.full((ne, nb + 1), _INF, dtype=np.int64)
    state[:, 0] = shift_s
    big = np.int64(_BIG)
    return _Fleet(
        shift_s=shift_s,
        shift_e=shift_e,
        end_pt=np.arange(ne, 2 * ne, dtype=np.int64),
        bws=bws,
        bwe=bwe,
        bd=bd,
        limit=np.array(
            [big if e.max_work_seconds is None else e.max_work_seconds for e in engs],
            dtype=np.int64,
        ),
        max_jobs=np.array([big if e.max_jobs is None else e.max_jobs for e in engs]),
        capacity=np.array([big if e.parts_capacity is None else e.parts_capacity for e in engs]),
        state=state,
        loc=np.arange(ne, dtype=np.int64),
        jobs=np.zeros(ne, dtype=np.int64),
        load=np.zeros(ne, dtype=np.int64),
        work=np.zeros(ne, dtype=np.int64),
        best_tier=np.full(ne, 5, dtype=np.int64),
    )


def _drive(f: _Fleet, idx: I64, clock: I64, travel: I64, j: int, k: int) -> tuple[I64, Bool]:
    """Ready time after driving ``travel`` from ``clock`` taking breaks ``j..k-1``."""
    rem = travel.copy()
    ok = np.ones(len(idx), dtype=np.bool_)
    for m in range(j, k):
        b = np.maximum(clock, f.bws[idx, m])
        ok &= b <= f.bwe[idx, m]
        moved = b - clock
        rem = np.where(moved >= rem, 0, rem - moved)
        clock = b + f.bd[idx, m]
    return clock + rem, ok


def _windows(t: Ticket, fixed: int | None) -> list[tuple[int, int]]:
    if fixed is not None:
        return [(fixed, fixed)]
    hard = t.sla_deadline if t.sla_hard else None
    raw = [(w.start, w.end) for w in t.windows] or [(-_BIG, _BIG)]
    return [(s, e if hard is None else min(e, hard)) for s, e in raw if hard is None or s <= hard]


def _append(
    f: _Fleet,
    m: TravelMatrix,
    idx: I64,
    t: Ticket,
    point: int,
    fixed: int | None = None,
) -> tuple[I64, I64, Bool]:
    """Try ``t`` at the end of the routes of ``idx``.

    Returns the new state rows ``(len(idx), B + 1)``, the earliest ready time at the
    ticket and whether the route (with the way home) stays feasible in time.
    """
    nb = f.state.shape[1] - 1
    travel = m.durations[f.loc[idx], point].astype(np.int64)
    windows = _windows(t, fixed)
    new = np.full((len(idx), nb + 1), _INF, dtype=np.int64)
    ready_at = np.full((len(idx), nb + 1), _INF, dtype=np.int64)
    for j in range(nb + 1):
        clock = f.state[idx, j]
        alive = clock < _INF
        if not alive.any():
            continue
        for k in range(j, nb + 1):
            ready, ok = _drive(f, idx, clock, travel, j, k)
            start = np.full(len(idx), _INF, dtype=np.int64)
            for ws, we in windows:
                take = (start == _INF) & (ready <= we)
                start = np.where(take, np.maximum(ready, ws), start)
            good = alive & ok & (start < _INF)
            new[:, k] = np.where(good, np.minimum(new[:, k], start + t.duration), new[:, k])
            ready_at[:, k] = np.where(good, np.minimum(ready_at[:, k], ready), ready_at[:, k])
    home = m.durations[point, f.end_pt[idx]].astype(np.int64)
    closes = np.zeros((len(idx), nb + 1), dtype=np.bool_)
    for j in range(nb + 1):
        alive = new[:, j] < _INF
        for k in range(j, nb + 1):
            back, ok = _drive(f, idx, new[:, j], home, j, k)
            ok &= back <= f.shift_e[idx]
            for q in range(k, nb):
                ok &= back <= f.bws[idx, q]
            closes[:, j] |= alive & ok
    arrival = np.where(closes, ready_at, _INF).min(axis=1)
    new = np.where(closes, new, _INF)
    return new, arrival, arrival < _INF


def _commit(f: _Fleet, m: TravelMatrix, e: int, t: Ticket, point: int, new_row: I64) -> None:
    f.work[e] += int(m.durations[f.loc[e], point]) + t.duration
    f.state[e] = new_row
    f.loc[e] = point
    f.jobs[e] += 1
    f.load[e] += t.parts_demand
    f.best_tier[e] = min(int(f.best_tier[e]), int(t.tier))


def _resources(f: _Fleet, m: TravelMatrix, idx: I64, t: Ticket, point: int) -> dict[Reason, Bool]:
    travel = m.durations[f.loc[idx], point].astype(np.int64)
    home = m.durations[point, f.end_pt[idx]].astype(np.int64)
    return {
        Reason.MAX_JOBS: f.jobs[idx] < f.max_jobs[idx],
        Reason.CAPACITY: f.load[idx] + t.parts_demand <= f.capacity[idx],
        Reason.MAX_WORKING_TIME: f.work[idx] + travel + t.duration + home <= f.limit[idx],
    }


def _qualified(problem: Problem, t: Ticket) -> I64:
    ok = [i for i, e in enumerate(problem.engineers) if e.qualified_for(t)]
    return np.array(ok, dtype=np.int64)


def _urgency(t: Ticket) -> tuple[int, int, int, str]:
    ws = _windows(t, None)
    latest = max((e for _, e in ws), default=-_BIG)
    earliest = min((s for s, _ in ws), default=_BIG)
    return int(t.tier), latest, earliest, t.id


def greedy(
    problem: Problem, *, matrix: TravelMatrix | None = None, time_origin: float | None = None
) -> Solution:
    """Dispatch greedily: most urgent ticket first, to the engineer who arrives earliest.

    Parameters
    ----------
    problem
        The problem (pins are placed first, in position order).
    matrix
        The problem's travel matrix when already computed.
    time_origin
        ``time.perf_counter()`` at which the reported ``seconds`` start (default: now,
        so computing the matrix before the call is not counted).

    Returns
    -------
    Solution
        Timed routes for every engineer and the unassigned tickets with reasons.
    """
    t0 = time.perf_counter() if time_origin is None else time_origin
    m = matrix if matrix is not None else problem.travel_matrix()
    f = _fleet(problem)
    plan: dict[str, list[str]] = {e.id: [] for e in problem.engineers}
    reasons: dict[str, tuple[Reason, ...]] = {}
    g = _Greedy(problem, f, m, plan, reasons)
    _place_pins(g)
    _place_urgent_first(g)
    return solution_from_plan(
        problem,
        plan,
        {k: list(v) for k, v in reasons.items()},
        seconds=time.perf_counter() - t0,
        matrix=m,
        notes=("greedy: most urgent first, appended to the earliest arrival",),
    )


@dataclass(frozen=True)
class _Greedy:
    """One greedy build: the problem, its fleet and matrix, and the plan and reasons it fills."""

    problem: Problem
    f: _Fleet
    m: TravelMatrix
    plan: dict[str, list[str]]
    reasons: dict[str, tuple[Reason, ...]]


def _place_pins(g: _Greedy) -> None:
    """Append the pinned tickets to their engineers in position order (else a conflict)."""
    problem, f, m, plan, reasons = g.problem, g.f, g.m, g.plan, g.reasons
    ne = len(problem.engineers)
    e_index = {e.id: i for i, e in enumerate(problem.engineers)}
    index = {t.id: i for i, t in enumerate(problem.tickets)}
    big = 1 << 30
    for pin in sorted(
        problem.pins,
        key=lambda p: (
            p.position if p.position is not None else big,
            p.start if p.start is not None else big,
        ),
    ):
        ti = index[pin.ticket_id]
        t = problem.tickets[ti]
        e = e_index[pin.engineer_id]
        idx = np.array([e], dtype=np.int64)
        placed = False
        if (
            t.id not in problem.unroutable_tickets
            and e in set(_qualified(problem, t).tolist())
            and (pin.position is None or pin.position == len(plan[pin.engineer_id]))
            and all(ok[0] for ok in _resources(f, m, idx, t, 2 * ne + ti).values())
        ):
            new, _, feasible = _append(f, m, idx, t, 2 * ne + ti, pin.start)
            if feasible[0]:
                _commit(f, m, e, t, 2 * ne + ti, new[0])
                plan[pin.engineer_id].append(t.id)
                placed = True
        if not placed:
            reasons[t.id] = (Reason.PINNED_CONFLICT,)


def _place_urgent_first(g: _Greedy) -> None:
    """Append the other tickets, most urgent first, to the engineer who arrives earliest."""
    problem, f, m, plan, reasons = g.problem, g.f, g.m, g.plan, g.reasons
    ne = len(problem.engineers)
    index = {t.id: i for i, t in enumerate(problem.tickets)}
    pinned = {p.ticket_id for p in problem.pins}
    order = sorted((t for t in problem.tickets if t.id not in pinned), key=_urgency)
    for t in order:
        ti = index[t.id]
        point = 2 * ne + ti
        if t.id in problem.unroutable_tickets:
            reasons[t.id] = (Reason.NOT_ROUTABLE,)
            continue
        idx = _qualified(problem, t)
        if len(idx) == 0:
            reasons[t.id] = (Reason.NO_QUALIFIED_ENGINEER,)
            continue
        res = _resources(f, m, idx, t, point)
        usable = res[Reason.MAX_JOBS] & res[Reason.CAPACITY] & res[Reason.MAX_WORKING_TIME]
        new, arrival, feasible = _append(f, m, idx, t, point)
        feasible &= usable
        if feasible.any():
            travel = m.durations[f.loc[idx], point].astype(np.int64)
            cand = np.flatnonzero(feasible)
            best = cand[np.lexsort((idx[cand], travel[cand], arrival[cand]))[0]]
            e = int(idx[best])
            _commit(f, m, e, t, point, new[best])
            plan[problem.engineers[e].id].append(t.id)
        else:
            reasons[t.id] = _why(problem, f, m, idx, t, point, res)


def _why(
    problem: Problem,
    f: _Fleet,
    m: TravelMatrix,
    idx: I64,
    t: Ticket,
    point: int,
    res: dict[Reason, Bool],
) -> tuple[Reason, ...]:
    """Reasons for a ticket no qualified engineer could take now."""
    shifts = [(problem.engineers[i].shift.start, problem.engineers[i].shift.end) for i in idx]
    ws = _windows(t, None)
    if not any(s <= se and e >= ss for ss, se in shifts for s, e in ws):
        return (Reason.OUTSIDE_ALL_SHIFTS,)
    empty = _empty_fleet(f, idx)
    sub = np.arange(len(idx), dtype=np.int64)
    fits_time = _append(empty, m, sub, t, point)[2]
    if not fits_time.any():
        return (Reason.UNREACHABLE_IN_WINDOW,)
    alone_res = _resources(empty, m, sub, t, point)
    alone = fits_time.copy()
    for ok in alone_res.values():
        alone &= ok
    if not alone.any():
        return tuple(r for r, ok in alone_res.items() if not (ok & fits_time).any())
    found: set[Reason] = set()
    for c in np.flatnonzero(alone):
        blocked = [r for r, ok in res.items() if not ok[c]]
        if blocked:
            found.update(blocked)
        elif f.best_tier[idx[c]] < int(t.tier):
            found.add(Reason.DISPLACED_BY_HIGHER_PRIORITY)
        else:
            found.add(Reason.NO_ROOM)
    return tuple(r for r in Reason if r in found)


def _empty_fleet(f: _Fleet, idx: Sequence[int] | I64) -> _Fleet:
    """The engineers ``idx`` with empty routes (re-indexed 0..len-1)."""
    ix = np.asarray(idx, dtype=np.int64)
    state = np.full((len(ix), f.state.shape[1]), _INF, dtype=np.int64)
    state[:, 0] = f.shift_s[ix]
    n = len(ix)
    return _Fleet(
        shift_s=f.shift_s[ix],
        shift_e=f.shift_e[ix],
        end_pt=f.end_pt[ix],
        bws=f.bws[ix],
        bwe=f.bwe[ix],
        bd=f.bd[ix],
        limit=f.limit[ix],
        max_jobs=f.max_jobs[ix],
        capacity=f.capacity[ix],
        state=state,
        loc=ix.copy(),
        jobs=np.zeros(n, dtype=np.int64),
        load=np.zeros(n, dtype=np.int64),
        work=np.zeros(n, dtype=np.int64),
        best_tier=np.full(n, 5, dtype=np.int64),
    )
