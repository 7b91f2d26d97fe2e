"""Unassigned-for-assigned exchanges (private).

A waiting ticket goes into a route from which one served visit is taken out, when
that serves a higher tier (the visit is then offered to every other route), or when
the visit taken out finds a place elsewhere (one more ticket of the same tier
served). The check is the vectorised insertion check on every route shortened by
each of its visits in turn.
"""

from __future__ import annotations

import time

import numpy as np

from solver._engine.insert_eval import BLOCK_CELLS, Gaps, gaps_of, insertion_costs
from solver._engine.model import I64, INF, Model
from solver._engine.plan import Plan
from solver._engine.route import evaluate


def removal_gaps(
    plan: Plan, min_tier: int, engineers: I64 | None = None
) -> tuple[Gaps, I64, tuple[I64, I64, I64], list]:
    """Gaps of routes (all, or ``engineers``') with one visit (tier >= ``min_tier``) out.

    Returns the gaps, the visit taken out for each gap, the per-gap route changes and
    the timed shortened routes (one per visit taken out).
    """
    m: Model = plan.m
    routes: list = []
    engs: list[int] = []
    visits: list[int] = []
    adj: list[tuple[int, int, int]] = []
    ks = range(len(plan.routes)) if engineers is None else engineers.tolist()
    for k in ks:
        r = plan.routes[k]
        for v in r.seq:
            if m.tier[v] < min_tier or m.pin_eng[v] >= 0:
                continue
            ev = evaluate(m, k, [x for x in r.seq if x != v])
            if ev is None:
                continue
            routes.append(ev)
            engs.append(k)
            sizes = len(ev.g_a)
            visits.extend([v] * sizes)
            adj.extend([(-1, ev.load - r.load, ev.work - r.work)] * sizes)
    if not routes:
        z = np.zeros(0, dtype=np.int64)
        g = Gaps(z, z, z, z, z, z, z, np.zeros(0, np.bool_), z, z, z)
        return g, z, (z, z, z), []
    g = gaps_of(routes, engs)
    a = np.asarray(adj, dtype=np.int64)
    return g, np.asarray(visits, dtype=np.int64), (a[:, 0], a[:, 1], a[:, 2]), routes


def exchange_pass(
    plan: Plan, rng: np.random.Generator, rounds: int = 50, deadline: float | None = None
) -> int:
    """Apply improving exchanges until none is found; returns how many were applied.

    Stops early at ``deadline`` (``time.perf_counter()`` seconds) when given.
    """
    m = plan.m
    applied = 0
    for _ in range(rounds):
        if deadline is not None and time.perf_counter() >= deadline:
            break
        waiting = plan.unassigned_pool()
        if waiting.size == 0:
            break
        top = int(np.min(m.tier[waiting]))
        useful = np.flatnonzero((plan.alone[waiting] < INF).any(axis=0))
        g, visits, adjust, _ = removal_gaps(plan, top, useful)
        if visits.size == 0:
            break
        ui, si, cost = _feasible(plan, waiting, g, adjust)
        if ui.size == 0:
            break
        tu, tv = m.tier[waiting[ui]], m.tier[visits[si]]
        better = tu < tv
        same = tu == tv
        done = False
        if better.any():
            idx = np.flatnonzero(better)
            order = np.lexsort((cost[idx], -tv[idx], tu[idx]))
            for o in order[:10]:
                i = idx[o]
                if _swap(plan, int(waiting[ui[i]]), int(visits[si[i]]), g, int(si[i]), False):
                    done = True
                    break
        if not done and same.any():
            idx = np.flatnonzero(same)
            noise = rng.random(idx.size)
            order = np.lexsort((noise, cost[idx], tu[idx]))
            for o in order[:30]:
                i = idx[o]
                if _swap(plan, int(waiting[ui[i]]), int(visits[si[i]]), g, int(si[i]), True):
                    done = True
                    break
        if not done:
            break
        applied += 1
    return applied


def _feasible(
    plan: Plan, waiting: I64, g: Gaps, adjust: tuple[I64, I64, I64]
) -> tuple[I64, I64, I64]:
    """Feasible (waiting ticket, gap) pairs and their costs, by blocks of waiting tickets."""
    n_jobs, load, work = plan.route_stats()
    rows = max(1, BLOCK_CELLS // max(1, g.a.size))
    found: list[tuple[I64, I64, I64]] = []
    for a in range(0, waiting.size, rows):
        costs, _ = insertion_costs(plan.m, waiting[a : a + rows], g, n_jobs, load, work, adjust)
        ui, si = np.nonzero(costs < INF)
        found.append((ui + a, si, costs[ui, si]))
    return (
        np.concatenate([f[0] for f in found]),
        np.concatenate([f[1] for f in found]),
        np.concatenate([f[2] for f in found]),
    )


def _swap(plan: Plan, u: int, v: int, g: Gaps, i: int, need_v: bool) -> bool:
    """Take ``v`` out of its route and put ``u`` in gap ``i``; re-place ``v`` elsewhere."""
    snap = plan.snapshot()
    k = int(g.k[i])
    seq = [x for x in plan.routes[k].seq if x != v]
    seq.insert(int(g.pos[i]), u)
    if not plan.set_route(k, seq):
        plan.restore(snap)
        return False
    plan.refresh_columns([k])
    plan.refresh_rows(np.array([v], dtype=np.int64))
    row = plan.cache[v]
    placed = False
    if row.min() < INF:
        kk = int(np.argmin(row))
        placed = plan.insert(v, kk)
        if placed:
            plan.refresh_columns([kk])
    if need_v and not placed:
        plan.restore(snap)
        return False
    return True
