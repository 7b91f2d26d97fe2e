"""Ruins of the numpy search: which visits a ruin-and-recreate move takes out (private).

Each ruin takes the plan, the random source, the number of tickets to remove and the
nearest neighbours of every ticket, and returns the tickets to remove (served, not
pinned). :data:`RUINS` lists them and :data:`RUIN_WEIGHTS` how often each is drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from solver._engine.model import I64, INF, Model
from solver._engine.plan import Plan


@dataclass
class Neighbours:
    """For each ticket, the other tickets by increasing travel time."""

    order: I64


NEIGHBOURS = 40
"""Nearest tickets kept per ticket for the related and string ruins."""


def neighbours(m: Model) -> Neighbours:
    """Nearest tickets of every ticket (symmetrised travel time; computed once per model)."""
    if m.nearest is None:
        m.nearest = _nearest(m, NEIGHBOURS)
    return Neighbours(m.nearest)


NEAREST_BLOCK = 128
"""Tickets per block of :func:`_nearest` (bounds its temporaries to a few MB a block)."""


def _nearest(m: Model, keep: int) -> I64:
    n = m.n_tix
    if n <= 1:
        return np.zeros((n, 0), dtype=np.int64)
    t0 = 2 * m.n_eng
    d = m.dur_m[t0:, t0:]
    keep = min(keep, n - 1)
    out = np.empty((n, keep), dtype=np.int64)
    for a in range(0, n, NEAREST_BLOCK):
        b = min(n, a + NEAREST_BLOCK)
        block = d[a:b].astype(np.int64) + d[:, a:b].T
        block[np.arange(b - a), np.arange(a, b)] = np.iinfo(np.int64).max
        part = np.argpartition(block, keep - 1, axis=1)[:, :keep]
        rows = np.take_along_axis(block, part, axis=1)
        out[a:b] = np.take_along_axis(part, np.argsort(rows, axis=1, kind="stable"), axis=1)
    return out


def _movable(plan: Plan) -> I64:
    return np.flatnonzero((plan.assigned >= 0) & (plan.m.pin_eng < 0))


def ruin_random(plan: Plan, rng: np.random.Generator, q: int, nb: Neighbours) -> list[int]:
    """Remove ``q`` random tickets."""
    mov = _movable(plan)
    if mov.size == 0:
        return []
    return [int(x) for x in rng.choice(mov, size=min(q, mov.size), replace=False)]


def ruin_related(plan: Plan, rng: np.random.Generator, q: int, nb: Neighbours) -> list[int]:
    """Remove a random served ticket and its nearest served neighbours."""
    mov = _movable(plan)
    if mov.size == 0:
        return []
    seed = int(rng.choice(mov))
    out = [seed]
    for j in nb.order[seed]:
        if len(out) >= q:
            break
        if plan.assigned[j] >= 0 and plan.m.pin_eng[j] < 0:
            out.append(int(j))
    return out


def ruin_strings(plan: Plan, rng: np.random.Generator, q: int, nb: Neighbours) -> list[int]:
    """Remove strings of consecutive visits from routes near a seed (SISR-like)."""
    m = plan.m
    mov = _movable(plan)
    if mov.size == 0:
        return []
    seed = int(rng.choice(mov))
    out: list[int] = []
    seen: set[int] = set()
    max_len = max(1, q // 3)
    for j in [seed, *nb.order[seed].tolist()]:
        k = int(plan.assigned[j])
        if k < 0 or k in seen:
            continue
        seen.add(k)
        seq = plan.routes[k].seq
        pos = seq.index(j)
        length = int(rng.integers(1, max_len + 1))
        lo = max(0, min(pos - int(rng.integers(0, length)), len(seq) - length))
        out.extend(x for x in seq[lo : lo + length] if m.pin_eng[x] < 0)
        if len(out) >= q:
            break
    return out


def ruin_targeted(plan: Plan, rng: np.random.Generator, q: int, nb: Neighbours) -> list[int]:
    """Make room for a waiting ticket (higher tiers and fresher targets more often).

    From the routes of the nearest engineers with whom the ticket fits alone, removes
    the visits nearest to it, lower tiers first, then the same tier; a few of their
    neighbours go too so that the recreate can reshuffle. Each pick counts against
    the ticket, so that one that never gets in stops absorbing the moves.
    """
    m = plan.m
    waiting = plan.unassigned_pool()
    if waiting.size == 0:
        return ruin_related(plan, rng, q, nb)
    weight = TARGET_TIER_WEIGHT[m.tier[waiting] - 1] / (1.0 + plan.targeted[waiting]) ** 2
    u = int(rng.choice(waiting, p=weight / weight.sum()))
    plan.targeted[u] += 1
    top = int(m.tier[u])
    tu = 2 * m.n_eng + u
    engs = np.flatnonzero(plan.alone[u] < INF)
    if engs.size == 0:
        return ruin_related(plan, rng, q, nb)
    order = np.argsort(m.dur_m[engs, tu] * (1.0 + 0.5 * rng.random(engs.size)), kind="stable")
    out: list[int] = []
    per_route = int(rng.integers(1, 3))
    # now and then the target goes in first and higher tiers may be moved for it
    first = rng.random() < 0.5
    plan.first = u if first else -1
    for k in engs[order[: int(rng.integers(1, 5))]].tolist():
        seq = [j for j in plan.routes[k].seq if (first or m.tier[j] >= top) and m.pin_eng[j] < 0]
        if not seq:
            continue
        arr = np.asarray(seq, dtype=np.int64)
        tn = 2 * m.n_eng + arr
        dist = (m.dur_m[tu, tn] + m.dur_m[tn, tu]) * (1.0 + 0.3 * rng.random(arr.size))
        key = np.lexsort((dist, m.tier[arr] == top)) if not first else np.argsort(dist)
        take = int(rng.integers(2, 6)) if first else per_route
        out.extend(int(x) for x in arr[key[:take]])
    for j in list(out):
        if len(out) >= q:
            break
        for x in nb.order[j][:3].tolist():
            if plan.assigned[x] >= 0 and m.pin_eng[x] < 0 and x not in out and rng.random() < 0.5:
                out.append(int(x))
    return out or ruin_related(plan, rng, q, nb)


RUINS: tuple[Callable[[Plan, np.random.Generator, int, Neighbours], list[int]], ...] = (
    ruin_random,
    ruin_related,
    ruin_strings,
    ruin_targeted,
)


TARGET_TIER_WEIGHT = np.array([1000.0, 100.0, 10.0, 1.0])
"""Relative chance of a waiting ticket of tier P1..P4 to be the target of a ruin."""

RUIN_WEIGHTS: tuple[float, ...] = (1.0, 2.0, 2.0, 2.0)
"""Relative frequency of each ruin of :data:`RUINS`."""
