"""Exact timing of one route, with the best break placement (private).

The rules are those of :mod:`solver.check.retime`: leave at the shift start, earliest
service start in a window, breaks (sorted by window) taken in gaps as a prefix of the
list, a break is not owed when the engineer is home no later than its window opens.
Besides the schedule, :func:`evaluate` returns per-gap arrays for the fast
vectorised insertion check in :mod:`solver._engine.insert_eval`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from solver._engine.model import I64, INF, Model


@dataclass
class RouteEval:
    """A feasible timed route and its insertion arrays."""

    seq: list[int]
    arrival: list[int]
    start: list[int]
    break_gap: list[int]
    break_start: list[int]
    home: int
    travel: int
    work: int
    load: int
    late_cost: int
    cost: int
    # per gap g = 0..n (between route position g and g+1; position 0 is the start)
    g_a: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    g_c: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    g_dep: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    g_r: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    g_bs: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    g_be: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    g_bd: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    g_ok: np.ndarray = field(default_factory=lambda: np.zeros(0, np.bool_))


def _drive(clock: int, travel: int, brks: list[tuple[int, int, int]]) -> tuple[int, int] | None:
    """Ready time and physical arrival after driving with ``brks`` on the way."""
    rem = travel
    arrival = -1
    for ws, we, d in brks:
        b = clock if clock > ws else ws
        if b > we:
            return None
        if b - clock >= rem:
            if arrival < 0:
                arrival = clock + rem
            rem = 0
        else:
            rem -= b - clock
        clock = b + d
    ready = clock + rem
    return ready, (ready if arrival < 0 else arrival)


def _serve(m: Model, j: int, ready: int, onsite: bool) -> int:
    """Service start of ticket ``j`` when ready at ``ready`` (-1: impossible)."""
    py = m.py
    assert py is not None
    fixed = py.fixed[j]
    if fixed >= 0:
        return fixed if (onsite or ready <= fixed) else -1
    for ws, we in py.wins[j]:
        if ready <= we:
            s = ready if ready > ws else ws
            return s if s <= py.hard[j] else -1
    return -1


def _visit(m: Model, j: int, ready: int, onsite: bool) -> tuple[int, int, int]:
    """Visit of ticket ``j`` when ready at ``ready``: service start (-1: impossible),
    lateness cost and departure."""
    py = m.py
    assert py is not None
    s = _serve(m, j, ready, onsite)
    cost = py.late_w[j] * (s - py.soft[j]) if s > py.soft[j] else 0
    return s, cost, s + py.dur[j]


def _forward(
    m: Model, k: int, seq: list[int], nodes: list[int], per_gap: list[list[tuple[int, int, int]]]
) -> tuple[list[int], list[int], list[int], int, int] | None:
    """Schedule with the given breaks per gap: arrivals, starts, break starts, home, lateness."""
    d = m.dur_m
    clock = int(m.shift_s[k])
    arrivals: list[int] = []
    starts: list[int] = []
    bstarts: list[int] = []
    late = 0
    n = len(seq)
    for g in range(n + 1):
        brks = per_gap[g]
        t = int(d[nodes[g], nodes[g + 1]])
        if brks:
            c = clock
            for ws, _we, bd in brks:
                b = c if c > ws else ws
                bstarts.append(b)
                c = b + bd
            r = _drive(clock, t, brks)
            if r is None:
                return None
            ready, arr = r
        else:
            ready = arr = clock + t
        if g == n:
            return arrivals, starts, bstarts, ready, late
        s, cost, clock = _visit(m, seq[g], ready, g == 0 and t == 0)
        if s < 0:
            return None
        arrivals.append(arr)
        starts.append(s)
        late += cost
    return None


def _assignments(n: int, nb: int) -> list[tuple[int, ...]]:
    """Gap choices for the first ``t`` breaks, ``t = nb .. 0`` (non-decreasing gaps)."""
    out: list[tuple[int, ...]] = []
    for t in range(nb, -1, -1):
        out.extend(itertools.combinations_with_replacement(range(n + 1), t))
    return out


def evaluate(m: Model, k: int, seq: list[int], with_arrays: bool = True) -> RouteEval | None:
    """Time route ``seq`` of engineer ``k``; ``None`` when it breaks a hard rule.

    Parameters
    ----------
    m
        The compiled model.
    k
        Engineer index.
    seq
        Ticket indices in visiting order.
    with_arrays
        Also compute the per-gap insertion arrays.

    Returns
    -------
    RouteEval or None
        The timed route, or ``None`` when infeasible.
    """
    n = len(seq)
    if n > m.max_jobs[k]:
        return None
    if n and not bool(np.all(m.eligible[seq, k])):
        return None
    tnodes = [2 * m.n_eng + j for j in seq]
    nodes = [k, *tnodes, m.n_eng + k]
    travel = int(m.dur_m[nodes[:-1], nodes[1:]].sum()) if n else 0
    service = int(m.duration[seq].sum()) if n else 0
    load = int(m.demand[seq].sum()) if n else 0
    if travel + service > m.max_work[k] or load > m.capacity[k]:
        return None
    best, best_all = _best_schedule(m, k, seq, nodes)
    if best is None:
        return None
    _, gaps, (arrivals, starts, bstarts, home, late) = best
    assign = int(m.assign_cost[seq, k].sum()) if n else 0
    ev = RouteEval(
        seq=list(seq),
        arrival=arrivals,
        start=starts,
        break_gap=list(gaps),
        break_start=bstarts,
        home=home,
        travel=travel,
        work=travel + service,
        load=load,
        late_cost=late,
        cost=m.travel_w * travel + late + assign,
    )
    if with_arrays:
        arr_gaps, arr_starts = gaps, starts
        if best_all is not None and best_all[1] != gaps:
            arr_gaps, arr_starts = best_all[1], best_all[2][1]
        _arrays(m, k, ev, nodes, arr_gaps, arr_starts)
    return ev


# a schedule: key (lateness, home), break gaps, (arrivals, starts, break starts, home, late)
Schedule = tuple[tuple[int, int], tuple[int, ...], tuple[Any, ...]]


def _best_schedule(
    m: Model, k: int, seq: list[int], nodes: list[int]
) -> tuple[Schedule | None, Schedule | None]:
    """The best schedule of the route, and the best one taking every break."""
    if len(seq) == 0:
        res: tuple[Any, ...] = ([], [], [], int(m.shift_s[k]), 0)
        return ((0, 0), (), res), None
    if len(m.breaks[k]) <= 1:
        return _best_single(m, k, seq, nodes)
    return _best_multi(m, k, seq, nodes)


def _best_multi(m: Model, k: int, seq: list[int], nodes: list[int]) -> tuple[Any, Any]:
    """Best schedule (and best with every break taken) over all break placements."""
    n = len(seq)
    brks = m.breaks[k]
    shift_e = int(m.shift_e[k])
    best: Any = None
    best_all: Any = None
    for gaps in _assignments(n, len(brks)):
        per_gap: list[list[tuple[int, int, int]]] = [[] for _ in range(n + 1)]
        for i, g in enumerate(gaps):
            per_gap[g].append(brks[i])
        r = _forward(m, k, seq, nodes, per_gap)
        if r is None:
            continue
        home = r[3]
        if home > shift_e or any(home > b[0] for b in brks[len(gaps) :]):
            continue
        key = (r[4], home)
        if best is None or key < best[0]:
            best = (key, gaps, r)
        if len(gaps) == len(brks) and (best_all is None or key < best_all[0]):
            best_all = (key, gaps, r)
        if len(gaps) == 0:
            break
    return best, best_all


def _best_single(m: Model, k: int, seq: list[int], nodes: list[int]) -> tuple[Any, Any]:
    """Best schedule (and best with the break taken) for at most one break."""
    brk = m.breaks[k][0] if m.breaks[k] else None
    tt = m.dur_m[nodes[:-1], nodes[1:]].tolist()
    shift_e = int(m.shift_e[k])
    deps, lates, arrivals, starts, late, home = _no_break(m, seq, tt, int(m.shift_s[k]))
    best: Any = None
    if home >= 0 and home <= shift_e and (brk is None or home <= brk[0]):
        best = ((late, home), (), (arrivals, starts, [], home, late))
    if brk is None:
        return best, best
    best_all = _best_with_break(m, seq, tt, brk, shift_e, (deps, lates, arrivals, starts))
    if best_all is not None and (best is None or best_all[0] < best[0]):
        best = best_all
    return best, best_all


def _no_break(
    m: Model, seq: list[int], tt: list[int], clock: int
) -> tuple[list[int], list[int], list[int], list[int], int, int]:
    """Schedule without a break as far as it goes: departures and lateness after each
    visit (from the start), arrivals, starts, lateness, home (-1: a visit did not fit)."""
    n = len(seq)
    deps = [clock]
    lates = [0]
    arrivals: list[int] = []
    starts: list[int] = []
    late = 0
    home = -1
    for g in range(n + 1):
        ready = clock + tt[g]
        if g == n:
            home = ready
            break
        s, cost, clock = _visit(m, seq[g], ready, g == 0 and tt[0] == 0)
        if s < 0:
            break
        arrivals.append(ready)
        starts.append(s)
        late += cost
        deps.append(clock)
        lates.append(late)
    return deps, lates, arrivals, starts, late, home


def _best_with_break(
    m: Model,
    seq: list[int],
    tt: list[int],
    brk: tuple[int, int, int],
    shift_e: int,
    prefix: tuple[list[int], list[int], list[int], list[int]],
) -> Any:
    """Best schedule taking the break in some gap; ``prefix`` is :func:`_no_break`'s
    departures, lateness, arrivals and starts (kept up to the gap)."""
    deps, lates, arrivals, starts = prefix
    n = len(seq)
    ws, we, bd = brk
    best_all: Any = None
    home = -1
    for g0 in range(len(deps)):
        c0 = deps[g0]
        if c0 > we:
            break
        b = c0 if c0 > ws else ws
        arr, sts = arrivals[:g0], starts[:g0]
        late, clock = lates[g0], c0
        ok = True
        for g in range(g0, n + 1):
            t = tt[g]
            if g == g0:
                ready = max(clock + t, ws) + bd
                phys = clock + t if b - clock >= t else ready
            else:
                ready = phys = clock + t
            if g == n:
                home = ready
                break
            s, cost, clock = _visit(m, seq[g], ready, g == 0 and t == 0)
            if s < 0:
                ok = False
                break
            arr.append(phys)
            sts.append(s)
            late += cost
        if not ok or home > shift_e:
            continue
        key = (late, home)
        if best_all is None or key < best_all[0]:
            best_all = (key, (g0,), (arr, sts, [b], home, late))
    return best_all


def _latest_departure(clock_hi: int, t: int, brks: list[tuple[int, int, int]], r_next: int) -> int:
    """Latest departure so that driving ``t`` with ``brks`` is ready by ``r_next``."""
    if not brks:
        return r_next - t
    if len(brks) == 1:
        _ws, we, bd = brks[0]
        return min(we, r_next - bd - t)
    lo, hi = -INF, clock_hi
    while lo < hi:
        mid = (lo + hi + 1) // 2
        r = _drive(mid, t, brks)
        if r is not None and r[0] <= r_next:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _arrays(
    m: Model, k: int, ev: RouteEval, nodes: list[int], gaps: tuple[int, ...], starts: list[int]
) -> None:
    seq = ev.seq
    n = len(seq)
    brks = m.breaks[k]
    per_gap: list[list[tuple[int, int, int]]] = [[] for _ in range(n + 1)]
    for i, g in enumerate(gaps):
        per_gap[g].append(brks[i])
    r_next = int(m.shift_e[k])
    for b in brks[len(gaps) :]:
        r_next = min(r_next, b[0])
    if n == 0:
        for b in brks:
            r_next = min(r_next, b[0])
    dep = [int(m.shift_s[k])] + [s + int(m.duration[j]) for s, j in zip(starts, seq, strict=True)]
    g_r = [0] * (n + 1)
    for g in range(n, -1, -1):
        g_r[g] = r_next
        if g == 0:
            break
        t = int(m.dur_m[nodes[g], nodes[g + 1]])
        ld = _latest_departure(dep[g], t, per_gap[g], r_next)
        j = seq[g - 1]
        ls = min(ld - int(m.duration[j]), int(m.hard_dl[j]))
        if m.fixed_start[j] >= 0:
            r_next = int(m.fixed_start[j]) if ls >= m.fixed_start[j] else -INF
            continue
        ws, we = m.win_s[j], m.win_e[j]
        best = -INF
        for i in range(ws.shape[0]):
            if ws[i] <= ls:
                best = max(best, min(int(we[i]), ls))
        r_next = best
    ev.g_a = np.array(nodes[:-1], dtype=np.int64)
    ev.g_c = np.array(nodes[1:], dtype=np.int64)
    ev.g_dep = np.array(dep, dtype=np.int64)
    ev.g_r = np.array(g_r, dtype=np.int64)
    bs = np.full(n + 1, -1, dtype=np.int64)
    be = np.zeros(n + 1, dtype=np.int64)
    bd = np.zeros(n + 1, dtype=np.int64)
    ok = np.ones(n + 1, dtype=np.bool_)
    for g in range(n + 1):
        if len(per_gap[g]) == 1:
            bs[g], be[g], bd[g] = per_gap[g][0]
        elif len(per_gap[g]) > 1:
            ok[g] = False
    ok[: m.frozen_prefix(k, seq)] = False
    ev.g_bs, ev.g_be, ev.g_bd, ev.g_ok = bs, be, bd, ok
