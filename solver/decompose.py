"""Split a large problem into regions solved separately, then repaired as a whole.

Engineers are clustered by travel time between their start locations (k-medoids,
seeded); each ticket goes to the
region of the nearest engineer who could serve it alone (pinned tickets go with their
engineer). Each region is a smaller :class:`~solver.problem.Problem` over a slice of
the travel matrix, solved by the same engine; the plans are merged and a repair pass
on the whole problem offers every left-over ticket to every engineer.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from solver._engine.model import I64, INF, Model
from solver._engine.parallel import fork_map
from solver.problem import Problem
from solver.travel.base import TravelMatrix


@dataclass(frozen=True)
class Region:
    """Engineers and tickets (indices into the whole problem) solved together."""

    engineers: I64
    tickets: I64


def _kmedoids(d: np.ndarray, k: int, rng: np.random.Generator, rounds: int = 20) -> I64:
    """Cluster labels for the points of distance matrix ``d`` (farthest-point seeding)."""
    n = d.shape[0]
    medoids = [int(rng.integers(0, n))]
    for _ in range(1, k):
        medoids.append(int(np.argmax(d[:, medoids].min(axis=1))))
    labels = np.argmin(d[:, medoids], axis=1)
    for _ in range(rounds):
        new = []
        for i in range(k):
            members = np.flatnonzero(labels == i)
            if members.size == 0:
                new.append(medoids[i])
                continue
            cost = d[np.ix_(members, members)].sum(axis=0)
            new.append(int(members[int(np.argmin(cost))]))
        if new == medoids:
            break
        medoids = new
        labels = np.argmin(d[:, medoids], axis=1)
    return labels.astype(np.int64)


def split(m: Model, alone: I64, target_tickets: int, seed: int) -> list[Region]:
    """Regions of about ``target_tickets`` tickets each.

    Parameters
    ----------
    m
        The compiled whole problem.
    alone
        ``(N, K)`` cost of each ticket alone with each engineer (``INF``: does not fit).
    target_tickets
        Aimed tickets per region.
    seed
        Seed of the clustering.

    Returns
    -------
    list of Region
        Regions with at least one engineer; tickets nobody can serve are left out.
    """
    k_n, n = m.n_eng, m.n_tix
    parts = max(1, min(k_n, math.ceil(n / max(1, target_tickets))))
    rng = np.random.default_rng(seed)
    homes = m.dur_m[:k_n, :k_n]
    d = (homes + homes.T).astype(np.float64)
    labels = _kmedoids(d, parts, rng) if parts > 1 else np.zeros(k_n, dtype=np.int64)
    tn = 2 * k_n + np.arange(n)
    reach = m.dur_m[np.arange(k_n)[:, None], tn[None, :]].T.astype(np.int64)  # (N, K)
    reach = np.where(alone < INF, reach, INF)
    nearest = np.argmin(reach, axis=1)
    t_label = np.where(reach.min(axis=1) < INF, labels[nearest], -1)
    pinned = m.pin_eng >= 0
    t_label[pinned] = labels[m.pin_eng[pinned]]
    out = []
    for r in range(parts):
        engs = np.flatnonzero(labels == r)
        if engs.size:
            out.append(Region(engs, np.flatnonzero(t_label == r)))
    return out


def subproblem(problem: Problem, matrix: TravelMatrix, region: Region) -> Problem:
    """The problem restricted to a region, over a slice of ``matrix``."""
    k_n = len(problem.engineers)
    engs = [problem.engineers[int(k)] for k in region.engineers]
    tix = [problem.tickets[int(j)] for j in region.tickets]
    pts = np.concatenate([region.engineers, k_n + region.engineers, 2 * k_n + region.tickets])
    sub = TravelMatrix(
        durations=matrix.durations[np.ix_(pts, pts)],
        distances=matrix.distances[np.ix_(pts, pts)],
        provider=matrix.provider,
    )
    ids = {t.id for t in tix}
    eids = {e.id for e in engs}
    return Problem(
        engineers=tuple(engs),
        tickets=tuple(tix),
        pins=tuple(p for p in problem.pins if p.ticket_id in ids and p.engineer_id in eids),
        travel=sub,
        previous_assignment={t: e for t, e in problem.previous_assignment.items() if t in ids},
        weights=problem.weights,
        unroutable_tickets=frozenset(problem.unroutable_tickets & ids),
    )


def solve_regions(
    subproblems: list[Problem],
    budgets: list[tuple[float, int | None]],
    seed: int,
    workers: int,
    deadline: float | None = None,
) -> list[list[list[int]]]:
    """Solve each region; returns per region the ticket sequences of its engineers.

    Parameters
    ----------
    subproblems
        One problem per region.
    budgets
        Per region: seconds and iterations (``None``: until the seconds run out).
    seed
        Seed of every region's search.
    workers
        Processes to use (1: in this process).
    deadline
        ``time.perf_counter()`` instant no region runs past, whatever its budget (a
        region started late gets what is left; one started after it is not solved:
        the whole-problem repair inserts its tickets).
    """
    jobs = [
        (_solve_one, ((p, t, it, seed, deadline),))
        for p, (t, it) in zip(subproblems, budgets, strict=True)
    ]
    return fork_map(jobs, workers, [t for t, _ in budgets])


def _solve_one(arg: tuple[Problem, float, int | None, int, float | None]) -> list[list[int]]:
    from solver._engine.run import run_engine

    problem, seconds, iterations, seed, deadline = arg
    if deadline is not None:
        left = deadline - time.perf_counter()
        if left <= 0.0 and iterations is None:
            return [[] for _ in problem.engineers]
        seconds = min(seconds, max(0.0, left))
    plan, _, _ = run_engine(problem, seconds, iterations, seed)
    return plan.seqs()
