"""Many runs: every policy over N seeds, in parallel processes.

Each run is independent (its own database), so runs go to a process pool; results come
back as they finish and are returned in (policy, seed) order, so the outcome does not
depend on the number of processes.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass

from scenarios.metrics import RunResult
from scenarios.model import Scenario


@dataclass(frozen=True)
class Task:
    """One run to do."""

    scenario: Scenario
    policy: str
    seed: int
    trace: bool


def run_task(task: Task) -> RunResult:
    """Do one run (in a worker process or here)."""
    from scenarios.sim import simulate

    t0 = time.perf_counter()
    result = simulate(task.scenario, task.policy, task.seed, trace=task.trace)
    result.wall_seconds = round(time.perf_counter() - t0, 2)
    return result


def seeds_of(scenario: Scenario, count: int) -> list[int]:
    """The run seeds of a comparison: the scenario's seed and the ``count - 1`` after it."""
    return [scenario.seed + i for i in range(count)]


def tasks_for(scenario: Scenario, policies: Sequence[str], seeds: int) -> list[Task]:
    """Every (policy, seed) run; the first seed of each policy keeps a trace for reports."""
    return [
        Task(scenario, policy, seed, trace=i == 0)
        for policy in policies
        for i, seed in enumerate(seeds_of(scenario, seeds))
    ]


def default_jobs(tasks: int) -> int:
    """Worker processes: one per CPU, no more than there are runs."""
    return max(1, min(tasks, os.cpu_count() or 1))


def run_all(
    tasks: Sequence[Task],
    *,
    jobs: int = 0,
    on_result: Callable[[RunResult], None] | None = None,
) -> list[RunResult]:
    """Do ``tasks`` on ``jobs`` processes (0: one per CPU; 1: in this process).

    Parameters
    ----------
    tasks
        The runs.
    jobs
        Worker processes.
    on_result
        Called with each result as it arrives (progress).

    Returns
    -------
    list of RunResult
        In the order of ``tasks``.
    """
    jobs = jobs or default_jobs(len(tasks))
    results: list[RunResult | None] = [None] * len(tasks)
    if jobs == 1:
        for i, task in enumerate(tasks):
            results[i] = run_task(task)
            if on_result is not None:
                on_result(results[i])  # type: ignore[arg-type]
        return [r for r in results if r is not None]
    context = multiprocessing.get_context("spawn")  # no fork of a process with threads
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        pending: dict[Future[RunResult], int] = {
            pool.submit(run_task, task): i for i, task in enumerate(tasks)
        }
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                i = pending.pop(future)
                results[i] = future.result()
                if on_result is not None:
                    on_result(results[i])  # type: ignore[arg-type]
    return [r for r in results if r is not None]
