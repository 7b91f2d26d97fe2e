"""The job queue: optimisation runs on Redis (RQ) or in an in-process pool.

Jobs carry ids only, and the queue names its job functions by their dotted path
(:data:`dispatch.infra.keys.OPTIMIZATION_JOB`, as RQ does), so this module does not import
the planning code that the jobs run: the jobs (:mod:`dispatch.planning.tasks`) sit above it.

The run (a queued plan row) is committed before its job is queued. When Redis is down the
run stays stored and queued: the housekeeping gives every queued run without a job one
(:meth:`JobQueue.ensure_enqueued`) once Redis is back.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

import redis
from rq import Queue
from rq.command import send_stop_job_command
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.utils import import_attribute

from dispatch.infra import keys
from dispatch.infra.redis_conn import redis_required, redis_text

logger = logging.getLogger(__name__)

JOB_TIMEOUT_MARGIN = 300
"""Seconds a job may run beyond its solver budget before RQ kills it."""
JOB_RECORD_SECONDS = 24 * 3600
"""How long a run's RQ job id is kept (for cancelling it)."""
ENQUEUE_CLAIM_SECONDS = 10
"""How long one process's check that a run has a job holds off the others' (no twin jobs)."""
_LIVE = (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED)


class JobQueue(Protocol):
    """Where optimisation runs wait for a worker."""

    def enqueue_optimization(self, plan_id: int, *, time_budget_seconds: float) -> bool:
        """Queue the run of plan ``plan_id``.

        Returns ``False`` (and logs) when the queue is unavailable: the run stays queued in
        the database and the housekeeping queues it later (:meth:`ensure_enqueued`).
        """
        ...

    def ensure_enqueued(self, plan_id: int, *, time_budget_seconds: float) -> bool:
        """Queue the run unless a job for it waits or runs already; returns whether it queued.

        Raises ``ServiceUnavailable`` when the queue cannot be reached.
        """
        ...

    def depth(self) -> int:
        """How many jobs wait."""
        ...

    def cancel(self, plan_id: int) -> bool:
        """Take the run off the queue or stop it where it runs (``False``: nothing found)."""
        ...

    def close(self) -> None:
        """Stop accepting jobs and release resources."""
        ...


class RedisJobQueue:
    """Runs on an RQ queue, executed by ``dispatch worker`` processes."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client
        self.queue = Queue(keys.queue_name(), connection=client)

    def enqueue_optimization(self, plan_id: int, *, time_budget_seconds: float) -> bool:
        """Queue the run; a unique job id per attempt keeps retries distinct.

        The job's id is kept per run (:func:`dispatch.infra.keys.optimization_job`). Returns
        ``False`` when Redis is unavailable (logged; the housekeeping queues it later).
        """
        try:
            job = self.queue.enqueue_call(
                keys.OPTIMIZATION_JOB,
                args=(plan_id,),
                timeout=int(time_budget_seconds) + JOB_TIMEOUT_MARGIN,
                result_ttl=3600,
                failure_ttl=24 * 3600,
                description=f"optimise plan {plan_id}",
            )
            self._client.set(keys.optimization_job(plan_id), job.id, ex=JOB_RECORD_SECONDS)
        except redis.RedisError as exc:
            logger.warning(
                "run %s stored but not queued (Redis: %s); queued when Redis is back",
                plan_id,
                type(exc).__name__,
            )
            return False
        return True

    def _job(self, plan_id: int) -> Job | None:
        raw = self._client.get(keys.optimization_job(plan_id))
        if raw is None:
            return None
        job_id = redis_text(raw)
        try:
            return Job.fetch(job_id, connection=self._client)
        except NoSuchJobError:
            return None

    def ensure_enqueued(self, plan_id: int, *, time_budget_seconds: float) -> bool:
        """Queue the run unless its recorded job waits or runs (one process checks at a time).

        Raises
        ------
        ServiceUnavailable
            Redis is unavailable.
        """
        with redis_required("the job queue"):
            claim = keys.optimization_enqueue_claim(plan_id)
            if not self._client.set(claim, "1", nx=True, ex=ENQUEUE_CLAIM_SECONDS):
                return False
            job = self._job(plan_id)
            if job is not None and job.get_status(refresh=True) in _LIVE:
                return False
        return self.enqueue_optimization(plan_id, time_budget_seconds=time_budget_seconds)

    def cancel(self, plan_id: int) -> bool:
        """Cancel the queued job, or stop the work horse running it (the worker lives on).

        With Redis unavailable nothing is stopped here (logged, ``False``): the run is
        cancelled in the database, so a job that still runs it discards its result.
        """
        try:
            return self._cancel(plan_id)
        except redis.RedisError as exc:
            logger.warning("could not stop the job of run %s (Redis: %s)", plan_id, exc)
            return False

    def _cancel(self, plan_id: int) -> bool:
        job = self._job(plan_id)
        if job is None:
            return False
        job_id = job.id
        status = job.get_status(refresh=True)
        if status == JobStatus.STARTED:
            send_stop_job_command(self._client, job_id)
            return True
        if status in (JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.SCHEDULED):
            job.cancel()
            return True
        return False

    def depth(self) -> int:
        """Jobs waiting on the queue.

        Raises
        ------
        ServiceUnavailable
            Redis is unavailable.
        """
        with redis_required("the job queue"):
            return int(self.queue.count)

    def close(self) -> None:
        """Nothing to release (the Redis client belongs to the runtime)."""
        return None


class InProcessJobQueue:
    """Runs in a thread of this process (embedded mode, no Redis)."""

    def __init__(self, runtime: object, *, workers: int = 1) -> None:
        """``runtime`` is handed to each job (:data:`dispatch.infra.keys.IN_PROCESS_OPTIMIZATION_JOB`)."""
        self._runtime = runtime
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="optimise")
        self._pending: set[Future[str]] = set()
        self._by_plan: dict[int, Future[str]] = {}
        self._lock = threading.Lock()

    def enqueue_optimization(self, plan_id: int, *, time_budget_seconds: float) -> bool:
        """Submit the run to the pool (always possible: returns ``True``)."""
        job = import_attribute(keys.IN_PROCESS_OPTIMIZATION_JOB)
        future: Future[str] = self._pool.submit(job, self._runtime, plan_id)
        with self._lock:
            self._pending.add(future)
            self._by_plan[plan_id] = future
        future.add_done_callback(self._done)
        return True

    def ensure_enqueued(self, plan_id: int, *, time_budget_seconds: float) -> bool:
        """Submit the run unless it is submitted and not finished (e.g. after a restart)."""
        with self._lock:
            if plan_id in self._by_plan:
                return False
        return self.enqueue_optimization(plan_id, time_budget_seconds=time_budget_seconds)

    def cancel(self, plan_id: int) -> bool:
        """Drop a run that has not started; a running one cannot be interrupted in-process
        (its result is discarded when it ends, the plan being cancelled)."""
        with self._lock:
            future = self._by_plan.get(plan_id)
        return future is not None and future.cancel()

    def _done(self, future: Future[str]) -> None:
        with self._lock:
            self._pending.discard(future)
            for plan_id in [p for p, f in self._by_plan.items() if f is future]:
                del self._by_plan[plan_id]
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
