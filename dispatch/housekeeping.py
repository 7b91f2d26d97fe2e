"""Periodic work: requeue runs whose worker died, sweep SLA clocks.

Runs in a daemon thread of ``dispatch worker`` and of ``dispatch serve`` (so embedded mode
has it too). With Redis, a short lock makes one process do each round.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from dispatch import keys
from dispatch.models import Plan
from dispatch.optimization import reap_stale_runs
from dispatch.runtime import Runtime

logger = logging.getLogger(__name__)

Task = Callable[[Runtime], None]


def reap_task(runtime: Runtime) -> None:
    """Requeue (or fail) runs whose worker stopped sending heartbeats."""
    with runtime.session() as session:
        requeued, failed = reap_stale_runs(session=session, now=runtime.clock())
        budgets = {
            plan_id: session.get(Plan, plan_id).time_budget_seconds  # type: ignore[union-attr]
            for plan_id in requeued
        }
    for plan_id in requeued:
        runtime.jobs.enqueue_optimization(plan_id, time_budget=budgets[plan_id])
    if requeued or failed:
        logger.warning("reaped runs: requeued %s, failed %s", requeued, failed)


def sla_task(runtime: Runtime) -> None:
    """Mark at-risk and breached tickets and escalate (the workflow's SLA sweep)."""
    from dispatch.sla.sweep import sweep

    with runtime.session() as session:
        sweep(session=session, now=runtime.clock())


DEFAULT_TASKS: tuple[Task, ...] = (reap_task, sla_task)


def run_round(runtime: Runtime, tasks: tuple[Task, ...] = DEFAULT_TASKS) -> bool:
    """Run every task once unless another process holds the round's lock. Returns whether it ran."""
    if runtime.redis is not None:
        interval = max(1, runtime.settings.sla_sweep_seconds - 1)
        if not runtime.redis.set(keys.housekeeping_lock(), "1", nx=True, ex=interval):
            return False
    for task in tasks:
        try:
            task(runtime)
        except Exception:
            logger.exception("housekeeping task %s failed", getattr(task, "__name__", task))
    return True


class Housekeeper:
    """A daemon thread running :func:`run_round` every ``settings.sla_sweep_seconds``."""

    def __init__(self, runtime: Runtime, tasks: tuple[Task, ...] = DEFAULT_TASKS) -> None:
        self._runtime = runtime
        self._tasks = tasks
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="housekeeping", daemon=True)

    def start(self) -> None:
        """Start the loop."""
        self._thread.start()

    def _loop(self) -> None:
        interval = self._runtime.settings.sla_sweep_seconds
        while not self._stop.wait(interval):
            run_round(self._runtime, self._tasks)

    def stop(self) -> None:
        """Stop after the current round."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
