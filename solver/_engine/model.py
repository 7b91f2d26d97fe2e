"""The problem compiled to integer arrays the search works on (private).

Costs are in *cost units*: 1/60 of the :class:`~solver.problem.Weights` units, so a
lateness weight per minute becomes an integer weight per second.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from solver.problem import Pin, Problem

INF = 1 << 60
"""A time or cost that never fits (safe to add a few of without int64 overflow)."""

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
Bool = npt.NDArray[np.bool_]

MAX_TRAVEL_SECONDS = np.iinfo(np.int32).max
"""Largest travel time the int32 matrix holds (68 years: anything real fits)."""


@dataclass
class PyTickets:
    """Per-ticket figures as Python lists (fast scalar access in route timing)."""

    dur: list[int]
    wins: list[list[tuple[int, int]]]
    hard: list[int]
    soft: list[int]
    late_w: list[int]
    fixed: list[int]


@dataclass
class Model:
    """Integer arrays for one problem (or one region of it)."""

    problem: Problem
    n_eng: int
    n_tix: int
    dur_m: I32  # (P, P) travel seconds, points: starts, ends, tickets (widen slices to int64)
    dist_m: npt.NDArray[np.signedinteger[Any]]  # (P, P) metres, the provider's array (not copied)
    duration: I64  # (N,)
    tier: I64  # (N,) 1..4
    demand: I64  # (N,)
    win_s: I64  # (N, W) window starts, padded with INF
    win_e: I64  # (N, W) window ends, padded with -INF
    hard_dl: I64  # (N,) latest start (INF: none)
    soft_dl: I64  # (N,) soft SLA deadline (INF: none)
    late_w: I64  # (N,) cost units per second late
    eligible: Bool  # (N, K) qualified and the parts fit
    qualified: Bool  # (N, K) skills, required/excluded engineers and pins allow it
    assign_cost: I64  # (N, K) cost units for giving ticket j to engineer k
    shift_s: I64  # (K,)
    shift_e: I64  # (K,)
    max_jobs: I64  # (K,)
    max_work: I64  # (K,)
    capacity: I64  # (K,)
    breaks: list[list[tuple[int, int, int]]]  # per engineer: (window start, end, duration)
    travel_w: int  # cost units per travel second
    load_balance_w: int  # cost units per second of max-min working time
    pin_eng: I64  # (N,) pinned engineer (-1: none)
    fixed_start: I64  # (N,) pinned service start (-1: none)
    frozen: list[list[int]]  # per engineer: pinned visits that open the route, in order
    pinned_free: list[list[int]]  # per engineer: pinned visits without position or start
    py: PyTickets | None = None
    nearest: I64 | None = None  # nearest tickets of every ticket, once (ruins.neighbours)
    alone: I64 | None = None  # (N, K) cost of each ticket alone, once (insert_eval.alone_of)
    any_demand: bool = True
    any_soft: bool = True
    any_assign: bool = True

    def __post_init__(self) -> None:
        self.any_demand = bool(self.demand.any())
        self.any_soft = bool(self.late_w.any())
        self.any_assign = bool(self.assign_cost.any())
        self.py = PyTickets(
            dur=self.duration.tolist(),
            wins=[
                [(int(a), int(b)) for a, b in zip(ws, we, strict=True) if a < INF]
                for ws, we in zip(self.win_s, self.win_e, strict=True)
            ],
            hard=self.hard_dl.tolist(),
            soft=self.soft_dl.tolist(),
            late_w=self.late_w.tolist(),
            fixed=self.fixed_start.tolist(),
        )

    @property
    def n_points(self) -> int:
        """Points of the travel matrices."""
        return int(self.dur_m.shape[0])

    def tnode(self, j: int) -> int:
        """Matrix point of ticket ``j``."""
        return 2 * self.n_eng + j

    def frozen_prefix(self, k: int, seq: list[int]) -> int:
        """How many visits at the head of ``seq`` are engineer ``k``'s frozen pinned visits."""
        frozen = self.frozen[k]
        n = 0
        while n < len(seq) and n < len(frozen) and seq[n] == frozen[n]:
            n += 1
        return n

    def unit_cost_scale(self) -> int:
        """Cost units per unit of the problem's weights."""
        return 60


def _eligibility(problem: Problem, pin_eng: I64) -> tuple[Bool, Bool, I64]:
    """Who may serve what, and the per-assignment costs (vectorised by skill)."""
    engs, tix, w = problem.engineers, problem.tickets, problem.weights
    k_n, n = len(engs), len(tix)
    e_index = {e.id: i for i, e in enumerate(engs)}
    skills = sorted({t.skill for t in tix if t.skill is not None})
    level = {
        s: np.array([e.level_in(s) for e in engs], dtype=np.int64).reshape(1, k_n) for s in skills
    }
    t_level = np.array([t.min_level for t in tix], dtype=np.int64)
    eligible = np.ones((n, k_n), dtype=np.bool_)
    for s in skills:
        rows = np.array([j for j, t in enumerate(tix) if t.skill == s], dtype=np.int64)
        eligible[rows] = level[s] >= t_level[rows][:, None]
    cap = np.array(
        [INF if e.parts_capacity is None else e.parts_capacity for e in engs], dtype=np.int64
    )
    demand = np.array([t.parts_demand for t in tix], dtype=np.int64)
    parts_ok = demand[:, None] <= cap[None, :]
    assign_cost = np.tile(
        np.array([60 * e.cost_per_job for e in engs], dtype=np.int64), (n, 1)
    ).reshape(n, k_n)
    for j, t in enumerate(tix):
        if t.id in problem.unroutable_tickets:
            eligible[j] = False
        if t.required_engineers:
            keep = np.zeros(k_n, dtype=np.bool_)
            keep[[e_index[e] for e in t.required_engineers if e in e_index]] = True
            eligible[j] &= keep
        for e in t.excluded_engineers:
            if e in e_index:
                eligible[j, e_index[e]] = False
        if pin_eng[j] >= 0:
            keep_pin = eligible[j, pin_eng[j]]
            eligible[j] = False
            eligible[j, pin_eng[j]] = keep_pin
        for e in t.preferred_engineers:
            if e in e_index:
                assign_cost[j, e_index[e]] -= 60 * w.preferred_bonus
        prev = problem.previous_assignment.get(t.id)
        if prev is not None:
            assign_cost[j] += 60 * w.stability
            if prev in e_index:
                assign_cost[j, e_index[prev]] -= 60 * w.stability
    return eligible & parts_ok, eligible, assign_cost


def travel_seconds32(durations: npt.NDArray[np.signedinteger[Any]]) -> I32:
    """The travel matrix as contiguous int32 (no copy when it already is), else ``ValueError``."""
    if durations.dtype != np.int32 and durations.size:
        low, high = int(np.min(durations)), int(np.max(durations))
        if low < 0 or high > MAX_TRAVEL_SECONDS:
            raise ValueError(f"travel times must be within [0, {MAX_TRAVEL_SECONDS}] s")
    return np.ascontiguousarray(durations, dtype=np.int32)


@dataclass
class _TicketRules:
    """Per-ticket windows, deadlines, lateness weights and pins (compiled arrays)."""

    win_s: I64
    win_e: I64
    hard_dl: I64
    soft_dl: I64
    late_w: I64
    pin_eng: I64
    fixed_start: I64


def _ticket_rules(problem: Problem, e_index: dict[str, int]) -> _TicketRules:
    """Windows, SLA deadlines and pins of every ticket as arrays."""
    tix = problem.tickets
    w = problem.weights
    n = len(tix)
    n_win = max([1] + [len(t.windows) for t in tix])
    win_s = np.full((n, n_win), INF, dtype=np.int64)
    win_e = np.full((n, n_win), -INF, dtype=np.int64)
    hard_dl = np.full(n, INF, dtype=np.int64)
    soft_dl = np.full(n, INF, dtype=np.int64)
    late_w = np.zeros(n, dtype=np.int64)
    pins: dict[str, Pin] = {p.ticket_id: p for p in problem.pins}
    pin_eng = np.full(n, -1, dtype=np.int64)
    fixed_start = np.full(n, -1, dtype=np.int64)
    for j, t in enumerate(tix):
        if t.windows:
            for i, tw in enumerate(t.windows):
                win_s[j, i], win_e[j, i] = tw.start, tw.end
        else:
            win_s[j, 0], win_e[j, 0] = -INF // 2, INF // 2
        if t.sla_deadline is not None:
            if t.sla_hard:
                hard_dl[j] = t.sla_deadline
            else:
                soft_dl[j] = t.sla_deadline
                late_w[j] = w.lateness_per_minute[int(t.tier) - 1]
        pin = pins.get(t.id)
        if pin is not None:
            pin_eng[j] = e_index[pin.engineer_id]
            if pin.start is not None:
                fixed_start[j] = pin.start
                hard_dl[j] = INF
                win_s[j, :] = INF
                win_e[j, :] = -INF
                win_s[j, 0] = win_e[j, 0] = pin.start
    return _TicketRules(win_s, win_e, hard_dl, soft_dl, late_w, pin_eng, fixed_start)


def _pinned_lists(
    problem: Problem, e_index: dict[str, int]
) -> tuple[list[list[int]], list[list[int]]]:
    """Per engineer: pinned tickets in a fixed place (``frozen``), then the free ones."""
    frozen: list[list[int]] = [[] for _ in problem.engineers]
    pinned_free: list[list[int]] = [[] for _ in problem.engineers]
    t_index = {t.id: j for j, t in enumerate(problem.tickets)}
    ordered = sorted(
        problem.pins,
        key=lambda p: (
            p.position if p.position is not None else 1 << 30,
            p.start if p.start is not None else 1 << 62,
        ),
    )
    for p in ordered:
        j, k = t_index[p.ticket_id], e_index[p.engineer_id]
        if p.position is not None or p.start is not None:
            frozen[k].append(j)
        else:
            pinned_free[k].append(j)
    return frozen, pinned_free


def _work_limits(problem: Problem) -> tuple[I64, I64]:
    """Per engineer: the most work seconds and the parts capacity."""
    engs = problem.engineers
    max_work = np.array(
        [
            e.shift.end - e.shift.start if e.max_work_seconds is None else e.max_work_seconds
            for e in engs
        ],
        dtype=np.int64,
    )
    capacity = np.array(
        [INF if e.parts_capacity is None else e.parts_capacity for e in engs], np.int64
    )
    return max_work, capacity


def compile_problem(
    problem: Problem,
    matrix_durations: npt.NDArray[np.signedinteger[Any]],
    matrix_metres: npt.NDArray[np.signedinteger[Any]],
) -> Model:
    """Compile ``problem`` with its travel matrices into a :class:`Model`.

    Parameters
    ----------
    problem
        The problem.
    matrix_durations, matrix_metres
        The travel matrices over :meth:`~solver.problem.Problem.locations`.

    Returns
    -------
    Model
        The arrays the engine works on.
    """
    engs, tix = problem.engineers, problem.tickets
    w = problem.weights
    e_index = {e.id: i for i, e in enumerate(engs)}
    rules = _ticket_rules(problem, e_index)
    eligible, qualified, assign_cost = _eligibility(problem, rules.pin_eng)
    frozen, pinned_free = _pinned_lists(problem, e_index)
    max_work, capacity = _work_limits(problem)
    return Model(
        problem=problem,
        n_eng=len(engs),
        n_tix=len(tix),
        dur_m=travel_seconds32(matrix_durations),
        dist_m=matrix_metres,
        duration=np.array([t.duration for t in tix], dtype=np.int64),
        tier=np.array([int(t.tier) for t in tix], dtype=np.int64),
        demand=np.array([t.parts_demand for t in tix], dtype=np.int64),
        win_s=rules.win_s,
        win_e=rules.win_e,
        hard_dl=rules.hard_dl,
        soft_dl=rules.soft_dl,
        late_w=rules.late_w,
        eligible=eligible,
        qualified=qualified,
        assign_cost=assign_cost,
        shift_s=np.array([e.shift.start for e in engs], dtype=np.int64),
        shift_e=np.array([e.shift.end for e in engs], dtype=np.int64),
        max_jobs=np.array([INF if e.max_jobs is None else e.max_jobs for e in engs], np.int64),
        max_work=max_work,
        capacity=capacity,
        breaks=[sorted((b.window.start, b.window.end, b.duration) for b in e.breaks) for e in engs],
        travel_w=60 * w.travel_per_second,
        load_balance_w=60 * w.load_balance,
        pin_eng=rules.pin_eng,
        fixed_start=rules.fixed_start,
        frozen=frozen,
        pinned_free=pinned_free,
    )
