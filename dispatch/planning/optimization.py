"""Optimisation runs: request one, submit it, run it (the job body), reap runs whose worker died.

A run is a :class:`~dispatch.models.Plan` row that goes queued -> running -> succeeded
(or failed / cancelled). The job on the queue carries only the plan id; the steps of a
run in the worker are in :mod:`dispatch.planning.run_steps`.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.errors import Conflict, InvalidInput, NotFound
from dispatch.infra.day_clock import plan_start
from dispatch.infra.events import EventKind, emit
from dispatch.models import Plan, PlanStatus, Region, User, utcnow
from dispatch.planning import problem as planning
from dispatch.planning.plans import new_plan
from dispatch.planning.run_steps import RunOptions, claim_run, fail_run, heartbeat, solve_run
from dispatch.planning.solution_rows import store_solution
from dispatch.runtime import Runtime
from solver import TravelTimeProvider

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
"""A run is tried at most this often before it is failed for good."""
STALE_AFTER = dt.timedelta(seconds=45)
"""A running plan without a heartbeat for this long lost its worker."""

ACTIVE = (PlanStatus.QUEUED.value, PlanStatus.RUNNING.value)


def request_optimization(
    *,
    session: Session,
    region_code: str,
    day: dt.date,
    time_budget_seconds: float,
    options: RunOptions,
    actor: User | None,
    now: dt.datetime,
) -> Plan:
    """Create a queued run for a region and day (the caller enqueues its id after commit).

    ``now`` is the instant of the request: a run for today plans from the instant it
    starts, a later day whole shifts (:func:`dispatch.infra.day_clock.plan_start`).

    Raises
    ------
    NotFound
        Unknown region.
    Conflict
        The day is over in the region's time zone.
    InvalidInput
        A time budget outside (0, 600] seconds.
    """
    region = session.scalar(select(Region).where(Region.code == region_code))
    if region is None:
        raise NotFound(f"no region {region_code!r}", field="region")
    plan_start(zone=ZoneInfo(region.timezone), day=day, now=now)
    if not 0 < time_budget_seconds <= 600:
        raise InvalidInput(
            "time_budget_seconds must be within (0, 600]", field="time_budget_seconds"
        )
    plan = new_plan(
        region=region,
        day=day,
        status=PlanStatus.QUEUED,
        options=options.to_json(),
        time_budget_seconds=time_budget_seconds,
        actor=actor,
    )
    session.add(plan)
    session.flush()
    return plan


def request_replan(
    *,
    session: Session,
    plan: Plan,
    time_budget_seconds: float,
    actor: User | None,
    now: dt.datetime,
) -> Plan:
    """Queue an in-day re-optimisation of ``plan``'s region and day, from ``now`` (the
    follow-up of a plan published at once: dispatch-now, an absence). Not enqueued:
    :func:`submit` after the commit."""
    return request_optimization(
        session=session,
        region_code=plan.region.code,
        day=plan.plan_date,
        time_budget_seconds=time_budget_seconds,
        options=RunOptions(replan_from_now=True),
        actor=actor,
        now=now,
    )


QueuedRun = tuple[int, float]
"""A queued run as its job needs it: ``(plan id, time budget in seconds)``."""


def submit(
    runtime: Runtime,
    runs: Iterable[Plan | QueuedRun],
    *,
    commit: Callable[[], None] | None = None,
) -> None:
    """Give queued runs their jobs, after ``commit``: a job must find its run's row.

    Every path that queues an optimisation ends here (a request, dispatch-now's and an
    absence's re-plan, an import's re-plans, the reaper's retries).

    Parameters
    ----------
    runtime
        Its job queue takes the jobs.
    runs
        The queued runs (rows, or ``(plan id, time budget)``), read before ``commit``.
    commit
        Commits the session that stored the runs (``None``: they are committed already).
    """
    queued = [(run.id, run.time_budget_seconds) if isinstance(run, Plan) else run for run in runs]
    if commit is not None:
        commit()
    for plan_id, time_budget_seconds in queued:
        runtime.jobs.enqueue_optimization(plan_id, time_budget_seconds=time_budget_seconds)


def get_plan(*, session: Session, plan_id: int) -> Plan:
    """The plan/run with ``plan_id``.

    Raises
    ------
    NotFound
        No such plan.
    """
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound(f"no plan {plan_id}")
    return plan


def cancel_optimization(*, session: Session, plan_id: int) -> Plan:
    """Cancel a queued or running run; a finished one cannot be cancelled.

    Raises
    ------
    Conflict
        The run already finished.
    """
    plan = get_plan(session=session, plan_id=plan_id)
    if plan.status not in ACTIVE:
        raise Conflict(
            f"run {plan_id} is {plan.status}; only queued or running runs can be cancelled"
        )
    plan.status = PlanStatus.CANCELLED.value
    plan.finished_at = utcnow()
    emit(session, EventKind.OPTIMIZATION_PROGRESS, {"plan_id": plan.id, "status": plan.status})
    return plan


def run_optimization(
    plan_id: int,
    *,
    runtime: Runtime,
    travel: TravelTimeProvider | None = None,
    positions: dict[int, planning.Position] | None = None,
    now: Callable[[], dt.datetime] | None = None,
) -> str:
    """Execute a queued run: build the problem, solve, store the plan. Returns the final status.

    ``now`` is the clock of the run (default: the runtime's clock).

    Failures are recorded on the plan (status ``failed`` with the error), never raised
    to the queue, except when the worker itself dies (then the reaper retries the run).
    """
    now = now or runtime.clock
    run = claim_run(runtime, plan_id, now)
    if isinstance(run, str):
        return run
    stop, cancelled = threading.Event(), threading.Event()
    started = time.monotonic()
    beat = threading.Thread(
        target=heartbeat,
        args=(runtime, plan_id, started, run.time_budget_seconds, stop, cancelled),
        daemon=True,
    )
    beat.start()
    try:
        planning_input, solution = solve_run(runtime, run, started, travel, positions)
    except Exception as exc:
        stop.set()
        beat.join()
        logger.exception("optimisation run %s failed", plan_id)
        fail_run(runtime, plan_id, exc, now)
        return PlanStatus.FAILED.value
    stop.set()
    beat.join()
    with runtime.session() as session:
        plan = session.get(Plan, plan_id)
        if plan is None or plan.status != PlanStatus.RUNNING.value or cancelled.is_set():
            return plan.status if plan is not None else "missing"
        store_solution(
            session=session, plan=plan, planning=planning_input, solution=solution, clock=now
        )
        emit(
            session,
            EventKind.OPTIMIZATION_PROGRESS,
            {"plan_id": plan_id, "status": plan.status, "kpis": plan.kpis},
        )
        return plan.status


def reap_stale_runs(
    *, session: Session, now: dt.datetime, stale_after: dt.timedelta = STALE_AFTER
) -> tuple[list[int], list[int]]:
    """Requeue runs whose worker stopped sending heartbeats; fail them after MAX_ATTEMPTS.

    Returns
    -------
    tuple of lists
        Ids of the runs requeued (the caller enqueues them after commit) and of those failed.
    """
    requeued: list[int] = []
    failed: list[int] = []
    running = session.scalars(select(Plan).where(Plan.status == PlanStatus.RUNNING.value)).all()
    for plan in running:
        last = plan.heartbeat_at or plan.started_at or plan.created_at
        if now - last < stale_after:
            continue
        if plan.attempts >= MAX_ATTEMPTS:
            plan.status = PlanStatus.FAILED.value
            plan.finished_at = now
            plan.error = f"worker lost {plan.attempts} times (no heartbeat since {last.isoformat()}); giving up"
            failed.append(plan.id)
        else:
            plan.status = PlanStatus.QUEUED.value
            plan.error = f"worker lost (no heartbeat since {last.isoformat()}); retrying"
            requeued.append(plan.id)
        emit(session, EventKind.OPTIMIZATION_PROGRESS, {"plan_id": plan.id, "status": plan.status})
    return requeued, failed


ENQUEUE_GRACE = dt.timedelta(seconds=3)
"""A run queued for longer than this may have no job yet (it was stored while the queue was
down): the housekeeping makes sure it has one."""


def queued_runs(
    *, session: Session, now: dt.datetime, grace: dt.timedelta = ENQUEUE_GRACE
) -> list[tuple[int, float]]:
    """Runs still queued ``grace`` after they were requested, oldest first.

    The housekeeping queues a job for each that has none (stored while Redis was down, or
    lost with a Redis that restarted empty); a run never stays queued for good.

    Returns
    -------
    list of tuples
        ``(plan id, time budget in seconds)``.
    """
    rows = session.execute(
        select(Plan.id, Plan.time_budget_seconds)
        .where(Plan.status == PlanStatus.QUEUED.value, Plan.created_at <= now - grace)
        .order_by(Plan.id)
    ).all()
    return [(int(plan_id), float(time_budget_seconds)) for plan_id, time_budget_seconds in rows]
