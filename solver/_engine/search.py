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
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from solver._engine.model import I64, INF
from solver._engine.plan import Plan, Snapshot
from solver._engine.ruins import RUIN_WEIGHTS, RUINS, Neighbours, neighbours

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
        _fill(plan, rng, how, cand, blink, dirty, deadline)
    if dirty:
        plan.refresh_columns(sorted(dirty))


def _fill(
    plan: Plan,
    rng: np.random.Generator,
    how: Recreate,
    cand: I64,
    blink: float,
    dirty: set[int],
    deadline: float | None,
) -> None:
    """Insert the tickets of ``cand`` one at a time (see :func:`recreate`); adds the
    engineers whose routes changed to ``dirty``."""
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
        i = _pick(rng, how, rows, best)
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


def _pick(rng: np.random.Generator, how: Recreate, rows: I64, best: I64) -> int:
    """Row of the candidate to insert next: largest regret, cheapest, or the first."""
    if how == "regret":
        second = _second_min(rows)
        regret = np.where(second >= INF, INF, second - best)
        noise = rng.random(best.size)
        return int(np.lexsort((noise, best, -regret))[0])
    if how == "greedy":
        noise = rng.random(best.size)
        return int(np.lexsort((noise, best))[0])
    return 0


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
    cur = plan.objective()
    state = _Best(cur, plan.snapshot(), (0, 0.0))
    served = max(1, int((plan.assigned >= 0).sum()))
    avg_visit = plan.cost() / served
    t0 = temperature * avg_visit
    unit = sacrifice * avg_visit
    started = time.perf_counter()
    moves = _Moves(
        neighbours(plan.m), np.asarray(RUIN_WEIGHTS, np.float64), min_ruin, max_ruin, mix
    )
    it = 0
    state.last_gain = (0, started)  # iteration and time of the last served improvement
    while not budget.done(it):
        frac = budget.fraction(it, started)
        if stall is not None and _stalled(budget, stall, it, started, state.last_gain):
            break
        temp = t0 * (0.01**frac) if t0 > 0 else 0.0
        snap = plan.snapshot()
        it += 1
        if not _ruin_and_recreate(plan, rng, moves):
            continue
        new = plan.objective()
        if _accept(rng, new, cur, temp, sacrifice, unit):
            cur = new
            state.offer(plan, new, it)
        else:
            plan.restore(snap)
    plan.restore(state.snap)
    return it


@dataclass
class _Best:
    """The best plan of an annealing run so far, and when the served counts last grew."""

    objective: tuple[int, int, int, int, int]
    snap: Snapshot
    last_gain: tuple[int, float]

    def offer(self, plan: Plan, new: tuple[int, int, int, int, int], it: int) -> None:
        """Keep ``plan`` (objective ``new``, iteration ``it``) when it is the best yet."""
        if new < self.objective:
            if new[:4] < self.objective[:4]:
                self.last_gain = (it, time.perf_counter())
            self.objective = new
            self.snap = plan.snapshot()


@dataclass(frozen=True)
class _Moves:
    """What a ruin-and-recreate move draws from: neighbours, ruin weights and sizes."""

    nb: Neighbours
    weights: npt.NDArray[np.float64]
    min_ruin: int
    max_ruin: int
    mix: float


def _ruin_and_recreate(plan: Plan, rng: np.random.Generator, mv: _Moves) -> bool:
    """One move: a random ruin, then a random recreate; ``False`` when nothing moved."""
    q = int(rng.integers(mv.min_ruin, mv.max_ruin + 1))
    op = int(rng.choice(len(RUINS), p=mv.weights / mv.weights.sum()))
    removed = RUINS[op](plan, rng, q, mv.nb)
    if not removed:
        return False
    changed = plan.remove(removed)
    if not changed:
        return False
    gone = np.asarray([j for j in removed if plan.assigned[j] < 0], dtype=np.int64)
    plan.refresh_rows(gone)
    dirty = set(changed)
    if plan.first >= 0:
        _insert_first(plan, plan.first, dirty)
        plan.first = -1
    how = ("regret", "greedy", "order")[int(rng.integers(0, 3))]
    recreate(plan, rng, how, blink=0.01, dirty=dirty, groups=_groups(rng, mv.mix))
    return True


def _accept(
    rng: np.random.Generator,
    new: tuple[int, int, int, int, int],
    cur: tuple[int, int, int, int, int],
    temp: float,
    sacrifice: float,
    unit: float,
) -> bool:
    """Annealing acceptance of ``new`` over ``cur`` (see :func:`improve`)."""
    if sacrifice > 0:
        delta = _score(new, unit) - _score(cur, unit)
        return new < cur or delta <= 0 or (temp > 0 and rng.random() < math.exp(-delta / temp))
    return new[:4] < cur[:4] or (
        new[:4] == cur[:4]
        and (new[4] <= cur[4] or (temp > 0 and rng.random() < math.exp(-(new[4] - cur[4]) / temp)))
    )
