"""Construction by tier and ruin-and-recreate improvement (private).

The plan is compared lexicographically: served P1, P2, P3, P4 (more is better), then
cost. Recreate inserts tier by tier, so a removed or waiting higher-tier ticket always
gets the first chance at the room a ruin made. Annealing applies to the cost only:
a move that serves fewer tickets of a tier without serving more of a higher tier is
never accepted.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from solver._engine.model import I64, INF, Model
from solver._engine.plan import Plan

Recreate = str  # "regret" | "greedy" | "order"


def _second_min(rows: I64) -> I64:
    if rows.shape[1] < 2:
        return np.full(rows.shape[0], INF, dtype=np.int64)
    return np.partition(rows, 1, axis=1)[:, 1]


def recreate(
    plan: Plan,
    rng: np.random.Generator,
    how: Recreate,
    blink: float = 0.0,
    dirty: set[int] | None = None,
    groups: tuple[tuple[int, ...], ...] = ((1,), (2,), (3,), (4,)),
    deadline: float | None = None,
) -> None:
    """Insert unassigned pool tickets, tier by tier, until nothing more fits.

    Parameters
    ----------
    plan
        The plan to fill (its cache rows must be valid except for ``dirty`` routes).
    rng
        Random source (ties, orders and blinks).
    how
        ``"regret"`` (regret-2 within a tier), ``"greedy"`` (cheapest first) or
        ``"order"`` (a random order, each at its cheapest place).
    blink
        Probability of skipping an engineer when choosing where an ``"order"``
        ticket goes.
    dirty
        Engineers whose cache columns are stale on entry.
    groups
        Tiers inserted together, in order (the default inserts tier by tier).
    deadline
        ``time.perf_counter()`` instant after which nothing more is inserted (the plan
        stays feasible, with fewer visits); ``None``: until nothing more fits.
    """
    m = plan.m
    dirty = set() if dirty is None else set(dirty)
    for group in groups:
        cand = plan.unassigned_pool()
        cand = cand[np.isin(m.tier[cand], group)]
        if cand.size == 0:
            continue
        if dirty:
            plan.refresh_columns(sorted(dirty), cand)
        if how == "order":
            cand = cand[rng.permutation(cand.size)]
        while cand.size:
            if deadline is not None and time.perf_counter() >= deadline:
                break
            rows = plan.cache[cand]
            best = rows.min(axis=1)
            live = best < INF
            if not live.all():
                cand, rows, best = cand[live], rows[live], best[live]
                if cand.size == 0:
                    break
            if how == "regret":
                second = _second_min(rows)
                regret = np.where(second >= INF, INF, second - best)
                noise = rng.random(cand.size)
                i = int(np.lexsort((noise, best, -regret))[0])
            elif how == "greedy":
                noise = rng.random(cand.size)
                i = int(np.lexsort((noise, best))[0])
            else:
                i = 0
            j = int(cand[i])
            row = rows[i]
            if blink > 0.0 and how == "order":
                mask = rng.random(row.size) < blink
                masked = np.where(mask, INF, row)
                if masked.min() < INF:
                    row = masked
            k = int(np.argmin(row))
            if not plan.insert(j, k):
                plan.cache[j, k] = INF
                continue
            cand = np.delete(cand, i)
            dirty.add(k)
            if cand.size:
                plan.refresh_columns([k], cand)
    if dirty:
        plan.refresh_columns(sorted(dirty))


def construct(
    plan: Plan, rng: np.random.Generator, how: str, deadline: float | None = None
) -> list[int]:
    """Place pinned tickets, then fill the plan tier by tier (until ``deadline``, if given).

    Returns
    -------
    list of int
        Pinned tickets that could not be placed as pinned.
    """
    m = plan.m
    conflicts: list[int] = []
    for k in range(m.n_eng):
        seq: list[int] = []
        for j in m.frozen[k]:
            if plan.set_route(k, [*seq, j]):
                seq.append(j)
            else:
                conflicts.append(j)
        for j in m.pinned_free[k]:
            placed = False
            for g in sorted(range(len(seq) + 1), key=lambda g: -g):
                if g < len([x for x in seq if x in m.frozen[k]]):
                    continue
                if plan.set_route(k, [*seq[:g], j, *seq[g:]]):
                    seq = [*seq[:g], j, *seq[g:]]
                    placed = True
                    break
            if not placed:
                conflicts.append(j)
    pinned = np.flatnonzero(m.pin_eng >= 0)
    plan.in_pool[pinned] = False
    plan.pool = np.flatnonzero(plan.in_pool)
    plan.refresh_columns(list(range(m.n_eng)))
    recreate(plan, rng, "regret" if how == "regret" else "greedy", deadline=deadline)
    return conflicts


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


@dataclass
class Budget:
    """When to stop: iterations and/or a deadline (``time.perf_counter`` seconds)."""

    iterations: int | None
    deadline: float

    def fraction(self, it: int, started: float) -> float:
        """How much of the budget is spent, 0..1."""
        if self.iterations is not None:
            return min(1.0, it / max(1, self.iterations))
        return min(1.0, (time.perf_counter() - started) / max(1e-9, self.deadline - started))

    def done(self, it: int) -> bool:
        """Whether to stop before iteration ``it``."""
        if self.iterations is not None and it >= self.iterations:
            return True
        return time.perf_counter() >= self.deadline


def _insert_first(plan: Plan, u: int, dirty: set[int]) -> None:
    """Put ``u`` at its cheapest place before anything else is recreated."""
    if plan.assigned[u] >= 0 or not plan.in_pool[u]:
        return
    plan.refresh_rows(np.array([u], dtype=np.int64))
    row = plan.cache[u]
    k = int(np.argmin(row))
    if row[k] < INF and plan.insert(u, k):
        dirty.add(k)


def _groups(rng: np.random.Generator, mix: float) -> tuple[tuple[int, ...], ...]:
    """Tier groups for a recreate: each boundary between tiers is dropped with ``mix``."""
    out: list[list[int]] = [[1]]
    for t in (2, 3, 4):
        if rng.random() < mix:
            out[-1].append(t)
        else:
            out.append([t])
    return tuple(tuple(g) for g in out)


def _score(obj: tuple[int, int, int, int, int], unit: float) -> float:
    return obj[4] + unit * (64 * obj[0] + 16 * obj[1] + 4 * obj[2] + obj[3])


def _stalled(
    budget: Budget, stall: float, it: int, started: float, last_gain: tuple[int, float]
) -> bool:
    """Whether no served improvement came within the last ``stall`` share of the budget."""
    if budget.iterations is not None:
        return it - last_gain[0] > max(50, stall * budget.iterations)
    now = time.perf_counter()
    return now - last_gain[1] > stall * max(1e-9, budget.deadline - started)


def improve(
    plan: Plan,
    rng: np.random.Generator,
    budget: Budget,
    min_ruin: int,
    max_ruin: int,
    temperature: float,
    sacrifice: float = 0.0,
    mix: float = 0.0,
    stall: float | None = None,
) -> int:
    """Ruin-and-recreate with annealing; leaves the best plan found (lexicographic).

    With ``stall``, stops early once the served tickets have not improved for that
    share of the budget (of its iterations when it has some, else of its time).

    With ``sacrifice`` > 0 the annealing works on a scalar score where an unserved
    P4 weighs ``sacrifice`` average visit costs and each higher tier four times more,
    so that a move may give up a low-tier visit for a better structure; the best plan
    kept is still the lexicographic best.

    Returns
    -------
    int
        Iterations run.
    """
    m = plan.m
    nb = neighbours(m)
    cur = plan.objective()
    best = cur
    best_snap = plan.snapshot()
    served = max(1, int((plan.assigned >= 0).sum()))
    avg_visit = plan.cost() / served
    t0 = temperature * avg_visit
    unit = sacrifice * avg_visit
    started = time.perf_counter()
    weights = np.asarray(RUIN_WEIGHTS, dtype=np.float64)
    it = 0
    last_gain = (0, started)  # iteration and time of the last served improvement
    while not budget.done(it):
        frac = budget.fraction(it, started)
        if stall is not None and _stalled(budget, stall, it, started, last_gain):
            break
        temp = t0 * (0.01**frac) if t0 > 0 else 0.0
        snap = plan.snapshot()
        q = int(rng.integers(min_ruin, max_ruin + 1))
        op = int(rng.choice(len(RUINS), p=weights / weights.sum()))
        removed = RUINS[op](plan, rng, q, nb)
        it += 1
        if not removed:
            continue
        changed = plan.remove(removed)
        if not changed:
            continue
        gone = np.asarray([j for j in removed if plan.assigned[j] < 0], dtype=np.int64)
        plan.refresh_rows(gone)
        dirty = set(changed)
        if plan.first >= 0:
            _insert_first(plan, plan.first, dirty)
            plan.first = -1
        how = ("regret", "greedy", "order")[int(rng.integers(0, 3))]
        recreate(plan, rng, how, blink=0.01, dirty=dirty, groups=_groups(rng, mix))
        new = plan.objective()
        if sacrifice > 0:
            delta = _score(new, unit) - _score(cur, unit)
            accept = (
                new < cur or delta <= 0 or (temp > 0 and rng.random() < math.exp(-delta / temp))
            )
        else:
            accept = new[:4] < cur[:4] or (
                new[:4] == cur[:4]
                and (
                    new[4] <= cur[4]
                    or (temp > 0 and rng.random() < math.exp(-(new[4] - cur[4]) / temp))
                )
            )
        if accept:
            cur = new
            if new < best:
                if new[:4] < best[:4]:
                    last_gain = (it, time.perf_counter())
                best = new
                best_snap = plan.snapshot()
        else:
            plan.restore(snap)
    plan.restore(best_snap)
    return it
