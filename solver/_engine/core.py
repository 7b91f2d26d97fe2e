"""The compiled search core: availability, model arrays and the search call (private).

The C extension ``solver._engine._core`` is built by ``pip install`` (see ``setup.py``).
Where it is missing (no compiler when the package was installed), :data:`AVAILABLE` is
false and the engine runs its numpy search instead.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from solver._engine.model import I64, Model
from solver._engine.plan import Plan
from solver._engine.ruins import neighbours
from solver._engine.search import Budget

try:
    from solver._engine import _core  # type: ignore[attr-defined]

    AVAILABLE = True
except ImportError:  # pragma: no cover - depends on the build
    _core = None
    AVAILABLE = False


@dataclass(frozen=True)
class CoreKnobs:
    """Search choices of the compiled core.

    Attributes
    ----------
    avg_removed
        Average number of visits a ruin removes (SISR's c-bar).
    temp_start, temp_end
        Annealing temperature at the start and the end, in average visit costs.
    blink
        Chance of passing over an engineer when inserting a ticket.
    p_target
        Share of ruins made around a waiting ticket (higher tiers chosen more often).
    p_random
        Share of ruins removing random visits.
    stall
        When > 0, stop once the served counts have not improved for this share of
        the budget (its iterations when it has some, else its time).
    """

    avg_removed: float = 10.0
    temp_start: float = 0.05
    temp_end: float = 0.0005
    blink: float = 0.01
    p_target: float = 0.4
    p_random: float = 0.1
    stall: float = 0.0


def _i64(a: Any) -> I64:
    return np.ascontiguousarray(np.asarray(a, dtype=np.int64).ravel())


def model_arrays(
    m: Model, in_pool: np.ndarray, neighbours: I64, nfrozen: list[int]
) -> tuple[tuple[int, int, int, int], dict[str, np.ndarray]]:
    """The model as the core's flat buffers, by name (the names of ``_core.BUFFERS``).

    int64, except the travel matrix (int32) and eligibility (bytes): no copy of the
    two largest arrays. The core takes each buffer by its name (the one list of them
    is ``BUFS`` in ``_core.c``), so their order matters nowhere.

    Returns
    -------
    tuple
        ``(K, N, W, NB)`` (engineers, tickets, windows per ticket, neighbours per
        ticket) and the buffers by name.
    """
    brk_off = np.zeros(m.n_eng + 1, dtype=np.int64)
    flat: list[int] = []
    for k, brks in enumerate(m.breaks):
        for b in brks:
            flat.extend(b)
        brk_off[k + 1] = brk_off[k] + len(brks)
    nb = neighbours if neighbours.size else np.zeros((m.n_tix, 0), dtype=np.int64)
    shape = (m.n_eng, m.n_tix, int(m.win_s.shape[1]), int(nb.shape[1]))
    bufs: dict[str, np.ndarray] = {
        "dur": np.ascontiguousarray(m.dur_m, dtype=np.int32).ravel(),
        "tier": _i64(m.tier),
        "duration": _i64(m.duration),
        "demand": _i64(m.demand),
        "win_s": _i64(m.win_s),
        "win_e": _i64(m.win_e),
        "hard": _i64(m.hard_dl),
        "soft": _i64(m.soft_dl),
        "late_w": _i64(m.late_w),
        "fixed": _i64(m.fixed_start),
        "eligible": np.ascontiguousarray(m.eligible, dtype=np.bool_).ravel(),
        "assign": _i64(m.assign_cost),
        "shift_s": _i64(m.shift_s),
        "shift_e": _i64(m.shift_e),
        "max_jobs": _i64(m.max_jobs),
        "max_work": _i64(m.max_work),
        "capacity": _i64(m.capacity),
        "brk_off": brk_off,
        "brk": _i64(flat if flat else [0, 0, 0]),
        "nfrozen": _i64(nfrozen),
        "pin_eng": _i64(m.pin_eng),
        "in_pool": _i64(in_pool),
        "nb": _i64(nb),
        "targeted": np.zeros(m.n_tix, dtype=np.int64),
    }
    return shape, bufs


def core_search(
    m: Model,
    routes: list[list[int]],
    in_pool: np.ndarray,
    neighbours: I64,
    seconds: float,
    iterations: int | None,
    seed: int,
    knobs: CoreKnobs,
) -> tuple[list[list[int]], int]:
    """Improve ``routes`` with the compiled core; returns the best routes and iterations.

    Parameters
    ----------
    m
        The compiled model.
    routes
        Feasible ticket sequences per engineer to start from.
    in_pool
        Tickets the search may insert (others stay as they are: served or not).
    neighbours
        ``(N, B)`` nearest tickets of every ticket.
    seconds, iterations
        Budget (``iterations`` ``None``: until ``seconds`` have passed).
    seed
        Random seed (same routes, seed and iterations give the same result).
    knobs
        Search choices.
    """
    assert _core is not None
    nfrozen = [m.frozen_prefix(k, seq) for k, seq in enumerate(routes)]
    shape, bufs = model_arrays(m, in_pool, neighbours, nfrozen)
    out, its = _core.search(
        shape,
        bufs,
        [list(map(int, seq)) for seq in routes],
        int(m.travel_w),
        int(m.load_balance_w),
        float(seconds),
        -1 if iterations is None else int(iterations),
        int(seed),
        (
            knobs.avg_removed,
            knobs.temp_start,
            knobs.temp_end,
            knobs.blink,
            knobs.p_target,
            knobs.p_random,
            knobs.stall,
        ),
    )
    return out, int(its)


def core_evaluate(m: Model, k: int, seq: list[int]) -> tuple[int, int, int] | None:
    """Time one route in the core: ``(cost, work, load)``, ``None`` when infeasible."""
    assert _core is not None
    none = np.zeros((m.n_tix, 0), np.int64)
    shape, bufs = model_arrays(m, np.zeros(m.n_tix, np.bool_), none, [0] * m.n_eng)
    res = _core.evaluate(shape, bufs, int(m.travel_w), int(m.load_balance_w), k, list(seq))
    return None if res is None else (int(res[0]), int(res[1]), int(res[2]))


def core_improve(
    plan: Plan,
    rng: np.random.Generator,
    budget: Budget,
    knobs: CoreKnobs | None = None,
) -> int:
    """Improve ``plan`` in place with the compiled core; returns iterations run.

    The routes found are re-timed by :func:`solver._engine.route.evaluate`; should
    any of them not pass (it would be a bug in the core), the plan stays as it was.
    """
    m = plan.m
    # keep in hand what re-reading the routes costs (the refresh below), measured
    left = budget.deadline - time.perf_counter() - plan.refresh_seconds()
    if left <= 0.0:
        return 0
    seqs, its = core_search(
        m,
        plan.seqs(),
        plan.in_pool,
        neighbours(m).order,
        left,
        budget.iterations,
        int(rng.integers(0, 2**31 - 1)),
        knobs or CoreKnobs(),
    )
    old = plan.seqs()
    before = plan.objective()
    served_before = np.flatnonzero(plan.assigned >= 0)
    if not plan.set_routes(dict(enumerate(seqs))):
        return its
    if plan.objective() > before:
        plan.set_routes(dict(enumerate(old)))  # the cache still describes these routes
        return its
    # only what changed is read again: the routes that changed, and the tickets let go
    changed = [k for k in range(m.n_eng) if list(seqs[k]) != old[k]]
    plan.refresh_columns(changed)
    plan.refresh_rows(served_before[plan.assigned[served_before] < 0])
    return its


def core_stage(plan: Plan, rng: np.random.Generator, budget: Budget, stall: float | None) -> int:
    """One stage of :func:`solver._engine.staged.staged_improve` in the compiled core."""
    return core_improve(plan, rng, budget, CoreKnobs(stall=stall or 0.0))
