"""Periodic work: requeue runs whose worker died, sweep SLA clocks, relay stored events.

Runs in daemon threads of ``dispatch worker`` and of ``dispatch serve`` (so embedded mode
has it too); :meth:`Housekeeper.start` runs one round first, before the process serves, so
stored SLA states agree with the clock from the first request on. With Redis, a short lock makes one process do each round of the slow tasks
(every ``settings.sla_sweep_seconds``). The fast tasks run every
:data:`FAST_SECONDS` in every process and are safe to run concurrently: they relay the
event outbox and give queued runs that have no job one, so both catch up within seconds
of Redis coming back after an outage.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import redis

from dispatch.errors import ServiceUnavailable
from dispatch.infra import keys
from dispatch.infra.outbox import prune_relayed
from dispatch.models import Plan, utcnow
from dispatch.planning.optimization import queued_runs, reap_stale_runs, submit
from dispatch.runtime import Runtime

logger = logging.getLogger(__name__)

Task = Callable[[Runtime], None]

FAST_SECONDS = 1.0
"""How often the outbox is relayed and queued runs are checked for a job."""


def reap_task(runtime: Runtime) -> None:
    """Requeue (or fail) runs whose worker stopped sending heartbeats."""
    with runtime.session() as session:
        requeued, failed = reap_stale_runs(session=session, now=runtime.clock())
        time_budgets = {
            plan_id: session.get(Plan, plan_id).time_budget_seconds  # type: ignore[union-attr]
            for plan_id in requeued
        }
    submit(runtime, [(plan_id, time_budgets[plan_id]) for plan_id in requeued])
    if requeued or failed:
        logger.warning("reaped runs: requeued %s, failed %s", requeued, failed)


def sla_task(runtime: Runtime) -> None:
    """Mark at-risk and breached tickets and escalate (the workflow's SLA sweep)."""
    from dispatch.tickets.escalation import sweep

    with runtime.session() as session:
        sweep(session=session, now=runtime.clock())


def prune_outbox_task(runtime: Runtime) -> None:
    """Delete outbox rows relayed long ago."""
    with runtime.session() as session:
        prune_relayed(session=session, now=utcnow())  # rows stamped by the wall clock


def relay_task(runtime: Runtime) -> None:
    """Publish the events still waiting in the outbox (e.g. written while Redis was down)."""
    relayed = runtime.outbox.relay_all()
    if relayed:
        logger.info("relayed %d waiting events", relayed)


def enqueue_task(runtime: Runtime) -> None:
    """Give every run queued beyond the grace period a job, unless it has one.

    Raises
    ------
    ServiceUnavailable
        The queue is still unavailable (the next round tries again).
    """
    with runtime.session() as session:
        runs = queued_runs(session=session, now=utcnow())  # created_at is the wall clock's
    queued = [
        plan_id
        for plan_id, time_budget_seconds in runs
        if runtime.jobs.ensure_enqueued(plan_id, time_budget_seconds=time_budget_seconds)
    ]
    if queued:
        logger.warning("queued runs that had no job: %s", queued)


DEFAULT_TASKS: tuple[Task, ...] = (reap_task, sla_task, prune_outbox_task)
FAST_TASKS: tuple[Task, ...] = (relay_task, enqueue_task)


def _run_tasks(runtime: Runtime, tasks: tuple[Task, ...]) -> None:
    for task in tasks:
        name = getattr(task, "__name__", task)
        try:
            task(runtime)
        except ServiceUnavailable as exc:
            logger.warning("housekeeping task %s postponed: %s", name, exc.message)
        except Exception:
            logger.exception("housekeeping task %s failed", name)


def run_round(runtime: Runtime, tasks: tuple[Task, ...] = DEFAULT_TASKS) -> bool:
    """Run every task once unless another process holds the round's lock. Returns whether it ran.

    While Redis (holding the lock) is unavailable the round is skipped, not failed.
    """
    if runtime.redis is not None:
        interval = max(1, runtime.settings.sla_sweep_seconds - 1)
        try:
            if not runtime.redis.set(keys.housekeeping_lock(), "1", nx=True, ex=interval):
                return False
        except redis.RedisError as exc:
            logger.warning("housekeeping round skipped: Redis unavailable (%s)", exc)
            return False
    _run_tasks(runtime, tasks)
    return True


class Housekeeper:
    """Daemon threads: :func:`run_round` every ``settings.sla_sweep_seconds``, and the
    fast tasks every ``fast_seconds``."""

    def __init__(
        self,
        runtime: Runtime,
        tasks: tuple[Task, ...] = DEFAULT_TASKS,
        *,
        fast_tasks: tuple[Task, ...] = FAST_TASKS,
        fast_seconds: float = FAST_SECONDS,
    ) -> None:
        self._runtime = runtime
        self._tasks = tasks
        self._fast_tasks = fast_tasks
        self._fast_seconds = fast_seconds
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._loop, name="housekeeping", daemon=True),
            threading.Thread(target=self._fast_loop, name="housekeeping-fast", daemon=True),
        ]

    def start(self, *, first_round: bool = True) -> None:
        """Start the loops, after one round of the slow tasks unless ``first_round`` is false.

        The first round runs here, in the caller's thread: when this returns, the SLA states
        (``GET /tickets?sla_state=``) agree with ``/sla/breaches`` instead of waiting one
        interval. As every round, it is skipped when another process holds the round's lock
        (it ran one moment ago) or Redis is unavailable, and a failing task is logged.
        """
        if first_round:
            run_round(self._runtime, self._tasks)
        for thread in self._threads:
            thread.start()

    def _loop(self) -> None:
        interval = self._runtime.settings.sla_sweep_seconds
        while not self._stop.wait(interval):
            run_round(self._runtime, self._tasks)

    def _fast_loop(self) -> None:
        while not self._stop.wait(self._fast_seconds):
            _run_tasks(self._runtime, self._fast_tasks)

    def stop(self) -> None:
        """Stop after the current round."""
        self._stop.set()
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout=30)
