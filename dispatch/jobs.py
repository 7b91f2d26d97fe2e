"""The job queue: optimisation runs on Redis (RQ) or in an in-process pool.

Jobs carry ids only. The RQ job function :func:`optimization_job` builds its own
:class:`~dispatch.runtime.Runtime` from the environment, as a worker process would.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

import redis
from rq import Queue

from dispatch import keys
from dispatch.runtime import Runtime
from dispatch.settings import load_settings

logger = logging.getLogger(__name__)

JOB_TIMEOUT_MARGIN = 300
"""Seconds a job may run beyond its solver budget before RQ kills it."""


class JobQueue(Protocol):
    """Where optimisation runs wait for a worker."""

    def enqueue_optimization(self, plan_id: int, *, time_budget: float) -> None:
        """Queue the run of plan ``plan_id``."""
        ...

    def depth(self) -> int:
        """How many jobs wait."""
        ...

    def close(self) -> None:
        """Stop accepting jobs and release resources."""
        ...


def optimization_job(plan_id: int) -> str:
    """RQ job: run plan ``plan_id`` (thin: ids in, all work in :mod:`dispatch.optimization`)."""
    from dispatch.optimization import run_optimization

    runtime = Runtime(load_settings())
    try:
        return run_optimization(
            plan_id,
            runtime=runtime,
            travel=runtime.travel,
            positions=runtime.positions.all_positions(),
        )
    finally:
        runtime.close()


class RedisJobQueue:
    """Runs on an RQ queue, executed by ``dispatch worker`` processes."""

    def __init__(self, client: redis.Redis) -> None:
        self.queue = Queue(keys.queue_name(), connection=client)

    def enqueue_optimization(self, plan_id: int, *, time_budget: float) -> None:
        """Queue the run; a unique job id per attempt keeps retries distinct."""
        self.queue.enqueue_call(
            "dispatch.jobs.optimization_job",
            args=(plan_id,),
            timeout=int(time_budget) + JOB_TIMEOUT_MARGIN,
            result_ttl=3600,
            failure_ttl=24 * 3600,
            description=f"optimise plan {plan_id}",
        )

    def depth(self) -> int:
        """Jobs waiting on the queue."""
        return int(self.queue.count)

    def close(self) -> None:
        """Nothing to release (the Redis client belongs to the runtime)."""
        return None


class InProcessJobQueue:
    """Runs in a thread of this process (embedded mode, no Redis)."""

    def __init__(self, runtime: Runtime, *, workers: int = 1) -> None:
        self._runtime = runtime
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="optimise")
        self._pending: set[Future[str]] = set()
        self._lock = threading.Lock()

    def enqueue_optimization(self, plan_id: int, *, time_budget: float) -> None:
        """Submit the run to the pool."""
        from dispatch.optimization import run_optimization

        runtime = self._runtime

        def job() -> str:
            return run_optimization(
                plan_id,
                runtime=runtime,
                travel=runtime.travel,
                positions=runtime.positions.all_positions(),
            )

        future = self._pool.submit(job)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)

    def _done(self, future: Future[str]) -> None:
        with self._lock:
            self._pending.discard(future)
        if not future.cancelled() and future.exception() is not None:
            logger.error("in-process optimisation failed", exc_info=future.exception())

    def depth(self) -> int:
        """Runs submitted and not finished."""
        with self._lock:
            return len(self._pending)

    def wait_idle(self, timeout: float | None = None) -> None:
        """Block until every submitted run finished (tests, shutdown)."""
        with self._lock:
            pending = list(self._pending)
        for future in pending:
            future.result(timeout=timeout)

    def close(self) -> None:
        """Finish running jobs and stop the pool."""
        self._pool.shutdown(wait=True, cancel_futures=True)
