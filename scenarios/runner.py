"""Many runs: every policy over N seeds, in parallel processes or on the Redis queue.

Each run is independent (its own database), so runs go to a process pool, or, when a
Redis URL is configured, onto the simulation queue that ``dispatch worker`` processes serve
(:func:`enqueue` / :func:`collect_jobs`; a job carries the scenario as plain data, the
policy name and the seed). Results come back as they finish and are returned in
(policy, seed) order, so the outcome does not depend on where or how many runs ran at once.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scenarios.metrics import RunResult
from scenarios.model import Scenario

if TYPE_CHECKING:
    from rq.job import Job

JOB_TIMEOUT = 3 * 3600
"""Seconds a queued run may take before RQ gives up on it."""
POLL_SECONDS = 0.5


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


def queued_run(scenario: dict[str, Any], policy: str, seed: int, trace: bool) -> RunResult:
    """RQ job body: one run of a scenario given as plain data."""
    return run_task(Task(Scenario.model_validate(scenario), policy, seed, trace))


def enqueue(tasks: Sequence[Task], *, redis_url: str) -> list[Job]:
    """Put ``tasks`` on the simulation queue served by ``dispatch worker``."""
    import redis
    from rq import Queue

    from dispatch.infra import keys

    queue = Queue(keys.simulation_queue_name(), connection=redis.Redis.from_url(redis_url))
    return [
        queue.enqueue_call(
            queued_run,
            args=(task.scenario.model_dump(mode="json"), task.policy, task.seed, task.trace),
            timeout=JOB_TIMEOUT,
            result_ttl=3600,
            failure_ttl=24 * 3600,
            description=f"simulate {task.scenario.name} / {task.policy} / seed {task.seed}",
        )
        for task in tasks
    ]


def collect_jobs(
    jobs: Sequence[Job],
    *,
    on_result: Callable[[RunResult], None] | None = None,
    poll_seconds: float = POLL_SECONDS,
) -> list[RunResult]:
    """Wait for queued runs and return their results in the order of ``jobs``.

    Raises
    ------
    RuntimeError
        A run failed on its worker (the message carries the worker's traceback).
    """
    from rq.job import JobStatus

    results: list[RunResult | None] = [None] * len(jobs)
    pending = dict(enumerate(jobs))
    while pending:
        for i, job in list(pending.items()):
            status = job.get_status(refresh=True)
            if status == JobStatus.FINISHED:
                results[i] = job.return_value()
                del pending[i]
                if on_result is not None:
                    on_result(results[i])  # type: ignore[arg-type]
            elif status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
                latest = job.latest_result()
                detail = latest.exc_string if latest is not None else status
                raise RuntimeError(f"{job.description} failed on its worker: {detail}")
        if pending:
            time.sleep(poll_seconds)
    return [r for r in results if r is not None]
