"""Run engine jobs in forked worker processes (private).

Problems hold read-only mappings that do not pickle, so the jobs are left in a module
global before the pool forks and the workers receive only their index. Where forking
is not safe (:func:`can_fork`), the jobs run one after the other in this process, so
callers size their budgets with :func:`usable_workers`.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

_JOBS: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []


def can_fork() -> bool:
    """Whether worker processes may be forked here.

    Only where the platform forks and no other Python thread runs (a thread could
    hold a lock at the instant of the fork, e.g. inside a web server or a test run).
    """
    return "fork" in mp.get_all_start_methods() and threading.active_count() == 1


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
    if workers <= 1 or len(jobs) <= 1 or not can_fork():
        return [fn(*args) for fn, args in jobs]
    order = list(range(len(jobs)))
    if weights is not None:
        order.sort(key=lambda i: -weights[i])
    _JOBS = list(jobs)
    try:
        ctx = mp.get_context("fork")
        with warnings.catch_warnings():
            # native library threads (BLAS, OR-Tools) are idle between calls
            warnings.simplefilter("ignore", DeprecationWarning)
            with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=ctx) as pool:
                done = dict(zip(order, pool.map(_run, order), strict=True))
    finally:
        _JOBS = []
    return [done[i] for i in range(len(jobs))]


def usable_workers(wanted: int) -> int:
    """``wanted`` where forking is safe, else 1."""
    return wanted if wanted > 1 and can_fork() else 1
