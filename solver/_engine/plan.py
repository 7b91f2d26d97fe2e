"""A plan under construction: routes, who is where, and an insertion-cost cache (private).

``cache[j, k]`` is the cheapest cost of inserting unassigned ticket ``j`` into the
current route of engineer ``k`` (``INF`` when it does not fit). The rows of the
tickets in :attr:`Plan.pool` that are unassigned are kept valid after every change.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from solver._engine.insert_eval import (
    BLOCK_CELLS,
    Gaps,
    alone_costs,
    alone_of,
    gaps_of,
    insertion_costs,
)
from solver._engine.model import I64, INF, Model
from solver._engine.route import RouteEval, evaluate


@dataclass
class Snapshot:
    """What :meth:`Plan.restore` needs to undo changes."""

    routes: list[RouteEval]
    assigned: I64
    cache: I64
    gap: np.ndarray
    stats: I64


class Plan:
    """Routes of every engineer with the bookkeeping of the search."""

    def __init__(self, m: Model, focus: I64 | None = None) -> None:
        self.m = m
        k_n, n = m.n_eng, m.n_tix
        self.routes: list[RouteEval] = []
        for k in range(k_n):
            ev = evaluate(m, k, [])
            assert ev is not None
            self.routes.append(ev)
        self.assigned = np.full(n, -1, dtype=np.int64)
        self.alone = alone_of(m) if focus is None else alone_costs(m, focus)
        self.pool = np.flatnonzero((self.alone < INF).any(axis=1))
        self.in_pool = np.zeros(n, dtype=np.bool_)
        self.in_pool[self.pool] = True
        self.cache = np.full((n, k_n), INF, dtype=np.int64)
        self.cache[self.pool] = self.alone[self.pool]
        self.gap = np.zeros((n, k_n), dtype=np.int32)  # best gap per ticket and route
        self.targeted = np.zeros(n, dtype=np.float64)  # times chosen as a ruin target
        self.first = -1  # ticket the next recreate inserts before all others
        self.stats = np.zeros((3, k_n), dtype=np.int64)  # visits, load, work
        self._gaps: Gaps | None = None
        self.cell_seconds = 0.0
        """Measured wall time of one (ticket, gap) cell of a large refresh."""

    # ----------------------------------------------------------------- bookkeeping
    def snapshot(self) -> Snapshot:
        """Copy what a revert needs."""
        return Snapshot(
            list(self.routes),
            self.assigned.copy(),
            self.cache.copy(),
            self.gap.copy(),
            self.stats.copy(),
        )

    def restore(self, snap: Snapshot) -> None:
        """Go back to ``snap`` (which stays usable)."""
        self.routes = list(snap.routes)
        self.assigned = snap.assigned.copy()
        self.cache = snap.cache.copy()
        self.gap = snap.gap.copy()
        self.stats = snap.stats.copy()
        self._gaps = None

    def _set(self, k: int, ev: RouteEval) -> None:
        self.routes[k] = ev
        self.stats[0, k] = len(ev.seq)
        self.stats[1, k] = ev.load
        self.stats[2, k] = ev.work
        self._gaps = None

    def route_stats(self) -> tuple[I64, I64, I64]:
        """Per engineer: visits, load, working seconds."""
        return self.stats[0], self.stats[1], self.stats[2]

    def gaps(self) -> Gaps:
        """Flat gaps of all routes (cached until a route changes)."""
        if self._gaps is None:
            self._gaps = gaps_of(self.routes, list(range(self.m.n_eng)))
        return self._gaps

    def unassigned_pool(self) -> I64:
        """Unassigned tickets that fit alone with some engineer."""
        return self.pool[self.assigned[self.pool] < 0]

    def served_vector(self) -> tuple[int, int, int, int]:
        """Served tickets per tier P1..P4."""
        tiers = self.m.tier[self.assigned >= 0]
        c = np.bincount(tiers, minlength=5)
        return int(c[1]), int(c[2]), int(c[3]), int(c[4])

    def cost(self) -> int:
        """Cost below the tier ordering (cost units)."""
        total = sum(r.cost for r in self.routes)
        if self.m.load_balance_w and self.routes:
            w = [r.work for r in self.routes]
            total += self.m.load_balance_w * (max(w) - min(w))
        return int(total)

    def objective(self) -> tuple[int, int, int, int, int]:
        """Lexicographic key to minimise: unserved-by-tier negated counts, then cost."""
        s = self.served_vector()
        return -s[0], -s[1], -s[2], -s[3], self.cost()

    # ----------------------------------------------------------------- cache updates
    def refresh_rows(self, tix: I64, deadline: float | None = None) -> None:
        """Recompute the cache rows of ``tix`` over every route.

        Rows not reached by ``deadline`` (a ``time.perf_counter()`` instant) are set to
        ``INF``: those tickets are not inserted until their rows are computed again.
        """
        tix = tix[self.in_pool[tix]]
        if tix.size == 0:
            return
        self._refresh(tix, list(range(self.m.n_eng)), self.gaps(), deadline)

    def refresh_columns(self, engineers: list[int], tix: I64 | None = None) -> None:
        """Recompute the cache columns of ``engineers`` for unassigned pool tickets."""
        if tix is None:
            tix = self.unassigned_pool()
        if tix.size == 0 or not engineers:
            return
        engineers = sorted(set(engineers))
        if len(engineers) == 1:
            k = engineers[0]
            tix = tix[self.alone[tix, k] < INF]
            if tix.size == 0:
                return
            self._refresh_one(tix, k)
            return
        self._refresh(tix, engineers, gaps_of([self.routes[k] for k in engineers], engineers))

    def _refresh_one(self, tix: I64, k: int) -> None:
        """:meth:`_refresh` for one route (the common case while recreating)."""
        n_jobs, load, work = self.route_stats()
        if n_jobs[k] == 0:
            self.cache[tix, k] = self.alone[tix, k]
            self.gap[tix, k] = 0
            return
        costs, _ = insertion_costs(self.m, tix, gaps_of([self.routes[k]], [k]), n_jobs, load, work)
        self.cache[tix, k] = costs.min(axis=1)
        self.gap[tix, k] = costs.argmin(axis=1)

    def refresh_seconds(self) -> float:
        """Expected wall time of refreshing every route for the waiting tickets.

        What a phase keeps in hand for the refresh that follows its search, so that it
        ends by its deadline (measured on this plan's earlier large refreshes; 0 before).
        """
        gaps = int(self.stats[0].sum()) + self.m.n_eng
        return self.cell_seconds * self.unassigned_pool().size * gaps

    def _refresh(
        self, tix: I64, engineers: list[int], g: Gaps, deadline: float | None = None
    ) -> None:
        started = time.perf_counter()
        rows = max(1, BLOCK_CELLS // max(1, g.a.size))
        for a in range(0, tix.size, rows):
            if deadline is not None and time.perf_counter() >= deadline:
                self.cache[np.ix_(tix[a:], np.asarray(engineers, dtype=np.int64))] = INF
                return
            self._refresh_block(tix[a : a + rows], engineers, g)
        cells = tix.size * g.a.size
        if cells >= BLOCK_CELLS:
            self.cell_seconds = (time.perf_counter() - started) / cells

    def _refresh_block(self, tix: I64, engineers: list[int], g: Gaps) -> None:
        n_jobs, load, work = self.route_stats()
        costs, _ = insertion_costs(self.m, tix, g, n_jobs, load, work)
        rows = np.minimum.reduceat(costs, g.offsets, axis=1)
        size = costs.shape[1]
        idx = np.arange(size, dtype=np.int64)
        seg = np.repeat(np.arange(len(engineers)), np.diff(np.append(g.offsets, size)))
        score = np.where(costs == rows[:, seg], size - idx, 0)
        first = size - np.maximum.reduceat(score, g.offsets, axis=1)
        gap = first - g.offsets[None, :]
        ks = np.asarray(engineers, dtype=np.int64)
        empty = n_jobs[ks] == 0
        if empty.any():
            ke = ks[empty]
            rows[:, empty] = self.alone[np.ix_(tix, ke)]
            gap[:, empty] = 0
        self.cache[np.ix_(tix, ks)] = rows
        self.gap[np.ix_(tix, ks)] = gap

    # ----------------------------------------------------------------- moves
    def insert(self, j: int, k: int, gap: int | None = None) -> bool:
        """Put ticket ``j`` in route ``k`` (at ``gap`` or its cached best gap)."""
        if gap is None:
            gap = int(self.gap[j, k])
        seq = list(self.routes[k].seq)
        seq.insert(gap, j)
        ev = evaluate(self.m, k, seq)
        if ev is None:
            return False
        self._set(k, ev)
        self.assigned[j] = k
        return True

    def set_route(self, k: int, seq: list[int]) -> bool:
        """Replace route ``k`` by ``seq`` if feasible (assignment updated)."""
        ev = evaluate(self.m, k, seq)
        if ev is None:
            return False
        for j in self.routes[k].seq:
            self.assigned[j] = -1
        self._set(k, ev)
        for j in seq:
            self.assigned[j] = k
        return True

    def set_routes(self, seqs: dict[int, list[int]]) -> bool:
        """Replace several routes at once if all are feasible (tickets may move between them)."""
        evs = {k: evaluate(self.m, k, seq) for k, seq in seqs.items()}
        if any(ev is None for ev in evs.values()):
            return False
        for k in seqs:
            for j in self.routes[k].seq:
                self.assigned[j] = -1
        for k, ev in evs.items():
            assert ev is not None
            self._set(k, ev)
            for j in ev.seq:
                self.assigned[j] = k
        return True

    def remove(self, tix: list[int]) -> list[int]:
        """Take ``tix`` out of their routes; returns the engineers whose route changed.

        A route that would become infeasible without a ticket (possible with
        rounded travel times) keeps all its tickets.
        """
        by_route: dict[int, set[int]] = {}
        for j in tix:
            k = int(self.assigned[j])
            if k >= 0:
                by_route.setdefault(k, set()).add(j)
        changed: list[int] = []
        for k, out in sorted(by_route.items()):
            seq = [j for j in self.routes[k].seq if j not in out]
            ev = evaluate(self.m, k, seq)
            if ev is None:
                continue
            self._set(k, ev)
            for j in out:
                self.assigned[j] = -1
            changed.append(k)
        return changed

    def seqs(self) -> list[list[int]]:
        """Ticket sequences of every engineer."""
        return [list(r.seq) for r in self.routes]
