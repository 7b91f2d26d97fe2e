"""Vectorised insertion checks: many tickets x many gaps at once (private).

A gap is a place between two consecutive stops of a route. The check keeps the rest of
the route's schedule as it is (visits may only be pushed later within their latest
ready times) and keeps each break in its gap, trying the new visit on both sides of
it. It is exact for that family of schedules, so every insertion it accepts is
feasible; :func:`solver._engine.route.evaluate` re-times the route afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver._engine.model import I64, INF, Bool, Model
from solver._engine.route import RouteEval


@dataclass
class Gaps:
    """Flat arrays over the gaps of several routes."""

    a: I64
    c: I64
    dep: I64
    r: I64
    bs: I64
    be: I64
    bd: I64
    ok: Bool
    k: I64  # engineer of each gap
    pos: I64  # gap index inside its route
    offsets: I64  # first gap of each route, in route order


def gaps_of(routes: list[RouteEval], engineers: list[int]) -> Gaps:
    """Concatenate the gap arrays of ``routes`` (engineer indices ``engineers``)."""
    sizes = [len(r.g_a) for r in routes]
    offsets = np.zeros(len(routes), dtype=np.int64)
    if routes:
        offsets[1:] = np.cumsum(sizes)[:-1]
    return Gaps(
        a=np.concatenate([r.g_a for r in routes]),
        c=np.concatenate([r.g_c for r in routes]),
        dep=np.concatenate([r.g_dep for r in routes]),
        r=np.concatenate([r.g_r for r in routes]),
        bs=np.concatenate([r.g_bs for r in routes]),
        be=np.concatenate([r.g_be for r in routes]),
        bd=np.concatenate([r.g_bd for r in routes]),
        ok=np.concatenate([r.g_ok for r in routes]),
        k=np.repeat(np.asarray(engineers, dtype=np.int64), sizes),
        pos=np.concatenate([np.arange(s, dtype=np.int64) for s in sizes]),
        offsets=offsets,
    )


def _wstart(m: Model, tix: I64, ready: I64) -> I64:
    ws, we = m.win_s[tix], m.win_e[tix]
    if ws.shape[1] == 1:
        s1 = np.where(ready <= we, np.maximum(ready, ws), INF)
        return np.where(s1 <= m.hard_dl[tix][:, None], s1, INF)
    s = np.full(ready.shape, INF, dtype=np.int64)
    for w in range(ws.shape[1]):
        wsw, wew = ws[:, w : w + 1], we[:, w : w + 1]
        cand = np.where(ready <= wew, np.maximum(ready, wsw), INF)
        np.minimum(s, cand, out=s)
    hard = m.hard_dl[tix][:, None]
    return np.where(s <= hard, s, INF)


def insertion_costs(
    m: Model,
    tix: I64,
    gaps: Gaps,
    n_jobs: I64,
    load: I64,
    work: I64,
    adjust: tuple[I64, I64, I64] | None = None,
) -> tuple[I64, I64]:
    """Cost (cost units) of putting each ticket in each gap, ``INF`` where infeasible.

    Parameters
    ----------
    m
        The compiled model.
    tix
        Ticket indices, shape ``(J,)``.
    gaps
        The gaps to try, shape ``(G,)``.
    n_jobs, load, work
        Per engineer: visits, parts load and working seconds of the current routes.
    adjust
        Per gap changes of those three figures (a visit taken out of the route).

    Returns
    -------
    tuple of numpy.ndarray
        ``(J, G)`` costs and ``(J, G)`` service starts.
    """
    gk_all = gaps.k
    nj, ld, wk = n_jobs[gk_all], load[gk_all], work[gk_all]
    if adjust is not None:
        nj, ld, wk = nj + adjust[0], ld + adjust[1], wk + adjust[2]
    live = np.flatnonzero(gaps.ok & (nj + 1 <= m.max_jobs[gk_all]))
    cost_out = np.full((tix.size, gk_all.size), INF, dtype=np.int64)
    start_out = np.full((tix.size, gk_all.size), INF, dtype=np.int64)
    if live.size == 0 or tix.size == 0:
        return cost_out, start_out
    ga, gc, gk = gaps.a[live], gaps.c[live], gk_all[live]
    ld, wk = ld[live], wk[live]
    tn = (2 * m.n_eng + tix)[:, None]
    d = m.dur_m  # int32: every slice is widened before it meets costs or INF
    t1 = d[ga[None, :], tn].astype(np.int64)
    t2 = d[tn, gc[None, :]].astype(np.int64)
    t0 = d[ga, gc][None, :].astype(np.int64)
    dur = m.duration[tix][:, None]
    start, ok = _start_in_gap(m, tix, gaps, live, t1, t2, dur)
    detour = t1 + t2 - t0
    ok &= m.eligible[np.ix_(tix, gk)]
    if m.any_demand:
        ok &= ld[None, :] + m.demand[tix][:, None] <= m.capacity[gk][None, :]
    ok &= wk[None, :] + detour + dur <= m.max_work[gk][None, :]
    cost_out[:, live] = np.where(ok, _gap_cost(m, tix, gk, detour, start), INF)
    start_out[:, live] = start
    return cost_out, start_out


def _gap_cost(m: Model, tix: I64, gk: I64, detour: I64, start: I64) -> I64:
    """Cost of each insertion: its detour, its lateness and its assignment cost."""
    cost: I64 = m.travel_w * detour
    if m.any_soft:
        late: I64 = np.maximum(start - m.soft_dl[tix][:, None], 0)
        cost = cost + late * m.late_w[tix][:, None]
    if m.any_assign:
        cost = cost + m.assign_cost[np.ix_(tix, gk)]
    return cost


def _start_in_gap(
    m: Model, tix: I64, gaps: Gaps, live: I64, t1: I64, t2: I64, dur: I64
) -> tuple[I64, Bool]:
    """Service start of each ticket in each live gap, and whether the rest still fits.

    A gap holding a break is tried with the visit before the break, else after it.
    """
    r = gaps.r[live][None, :]
    ready = gaps.dep[live][None, :] + t1
    s = _wstart(m, tix, ready)
    dep_u = s + dur
    bs_l = gaps.bs[live]
    if bool((bs_l >= 0).any()):
        has_b = (bs_l >= 0)[None, :]
        bs, be, bd = bs_l[None, :], gaps.be[live][None, :], gaps.bd[live][None, :]
        ok_after = (dep_u <= be) & (np.maximum(dep_u + t2, bs) + bd <= r)
        s_a = _wstart(m, tix, np.maximum(ready, bs) + bd)
        ok_before = s_a + dur + t2 <= r
        start = np.where(has_b & ~ok_after, s_a, s)
        ok = np.where(has_b, ok_after | ok_before, dep_u + t2 <= r) & (s < INF)
    else:
        start = s
        ok = (dep_u + t2 <= r) & (s < INF)
    return start, ok


BLOCK_CELLS = 1 << 18
"""Ticket x engineer (or gap) cells computed at once by the vectorised checks: bounds
their temporaries (2 MB each) whatever the size of the problem."""


def alone_of(m: Model) -> I64:
    """:func:`alone_costs` of every ticket, computed once per model and kept on it."""
    if m.alone is None:
        m.alone = alone_costs(m)
    return m.alone


def alone_costs(m: Model, focus: I64 | None = None) -> I64:
    """Cost of each ticket as the only visit of each engineer (``INF``: it does not fit).

    Exact for engineers with at most one break; others are timed one by one. With
    ``focus``, only those tickets' rows are computed (the others stay ``INF``).
    """
    k_n, n = m.n_eng, m.n_tix
    out = np.full((n, k_n), INF, dtype=np.int64)
    if n == 0 or k_n == 0:
        return out
    tix = np.arange(n, dtype=np.int64) if focus is None else np.asarray(focus, np.int64)
    if tix.size == 0:
        return out
    simple = [k for k in range(k_n) if len(m.breaks[k]) <= 1]
    if simple:
        ks = np.asarray(simple, dtype=np.int64)
        rows = max(1, BLOCK_CELLS // ks.size)
        for a in range(0, tix.size, rows):
            block = tix[a : a + rows]
            out[np.ix_(block, ks)] = _alone_simple(m, block, ks)
    from solver._engine.route import evaluate

    chosen = np.zeros(n, dtype=np.bool_)
    chosen[tix] = True
    for k in range(k_n):
        if len(m.breaks[k]) > 1:
            for j in np.flatnonzero(m.eligible[:, k] & chosen):
                ev = evaluate(m, k, [int(j)], with_arrays=False)
                if ev is not None:
                    out[j, k] = ev.cost
    for j in np.flatnonzero((m.pin_eng >= 0) & chosen):
        k = int(m.pin_eng[j])
        ev = evaluate(m, k, [int(j)], with_arrays=False)
        out[j, k] = INF if ev is None else ev.cost
    return out


def _alone_simple(m: Model, tix: I64, ks: I64) -> I64:
    """:func:`alone_costs` of ``tix`` with engineers ``ks`` (at most one break each)."""
    k_n = m.n_eng
    tn = 2 * k_n + tix
    simple = ks.tolist()
    t1 = m.dur_m[np.ix_(ks, tn)].T.astype(np.int64)  # (J, S)
    t2 = m.dur_m[np.ix_(tn, k_n + ks)].astype(np.int64)
    s0 = m.shift_s[ks][None, :]
    s1 = m.shift_e[ks][None, :]
    bs = np.array([m.breaks[k][0][0] if m.breaks[k] else INF for k in simple])[None, :]
    be = np.array([m.breaks[k][0][1] if m.breaks[k] else INF for k in simple])[None, :]
    bd = np.array([m.breaks[k][0][2] if m.breaks[k] else 0 for k in simple])[None, :]
    dur = m.duration[tix][:, None]
    s = _wstart(m, tix, s0 + t1)
    fixed = m.fixed_start[tix][:, None] >= 0
    s = np.where(fixed & (t1 == 0), m.fixed_start[tix][:, None], s)
    home = s + dur + t2
    ok_none = (home <= s1) & (home <= bs)
    s_g0 = _wstart(m, tix, np.maximum(s0 + t1, bs) + bd)
    ok_g0 = (np.maximum(s0, bs) <= be) & (s_g0 + dur + t2 <= s1) & (s_g0 < INF)
    dep = s + dur
    ok_g1 = (dep <= be) & (np.maximum(dep + t2, bs) + bd <= s1)
    ok = (s < INF) & (ok_none | ok_g1) | ok_g0
    start = np.where((s < INF) & (ok_none | ok_g1), s, s_g0)
    ok &= m.eligible[np.ix_(tix, ks)]
    ok &= (m.max_jobs[ks] >= 1)[None, :]
    ok &= m.demand[tix][:, None] <= m.capacity[ks][None, :]
    ok &= t1 + t2 + dur <= m.max_work[ks][None, :]
    late = np.maximum(start - m.soft_dl[tix][:, None], 0) * m.late_w[tix][:, None]
    cost = m.travel_w * (t1 + t2) + late + m.assign_cost[np.ix_(tix, ks)]
    return np.where(ok, cost, INF)
