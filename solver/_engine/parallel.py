"""Run engine jobs in forked worker processes (private).

Problems hold read-only mappings that do not pickle, so the jobs are left in a module
global before the pool forks and the workers receive only their index. Where the
platform cannot fork, the jobs run one after the other in this process.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

_JOBS: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []


def _run(i: int) -> Any:
    fn, args = _JOBS[i]
    return fn(*args)


def fork_map(
    jobs: Sequence[tuple[Callable[..., Any], tuple[Any, ...]]],
    workers: int,
    weights: Sequence[float] | None = None,
) -> list[Any]:
    """Results of ``fn(*args)`` for each job, computed by up to ``workers`` processes.

    Parameters
    ----------
    jobs
        ``(function, arguments)`` pairs.
    workers
        Most processes at once (1: in this process).
    weights
        Expected durations; the longest jobs start first.

    Returns
    -------
    list
        The results, in the order of ``jobs``.
    """
    global _JOBS
    if workers <= 1 or len(jobs) <= 1 or "fork" not in mp.get_all_start_methods():
        return [fn(*args) for fn, args in jobs]
    order = list(range(len(jobs)))
    if weights is not None:
        order.sort(key=lambda i: -weights[i])
    _JOBS = list(jobs)
    try:
        ctx = mp.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=ctx) as pool:
            done = dict(zip(order, pool.map(_run, order), strict=True))
    finally:
        _JOBS = []
    return [done[i] for i in range(len(jobs))]
