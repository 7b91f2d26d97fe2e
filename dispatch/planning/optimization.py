"""Optimisation runs: request one, run it (the job body), reap runs whose worker died.

A run is a :class:`~dispatch.models.Plan` row that goes queued -> running -> succeeded
(or failed / cancelled). The job on the queue carries only the plan id.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dispatch.errors import Conflict, InvalidInput, NotFound
from dispatch.infra.day_clock import plan_start
from dispatch.infra.events import EventKind, emit
from dispatch.models import Plan, PlanStatus, Region, User, utcnow
from dispatch.planning import problem as planning
from dispatch.planning.plans import new_plan
from dispatch.runtime import Runtime
from solver.params import SolveParams
from solver.travel import TravelTimeProvider

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
"""A run is tried at most this often before it is failed for good."""
HEARTBEAT_SECONDS = 2.0
STALE_AFTER = dt.timedelta(seconds=45)
"""A running plan without a heartbeat for this long lost its worker."""

ACTIVE = (PlanStatus.QUEUED.value, PlanStatus.RUNNING.value)

MIN_SOLVE_SECONDS = 0.5
"""The solver's share of a run never drops below this, however long loading the day took."""


@dataclass(frozen=True)
class RunOptions:
    """Options of an optimisation request (stored on the plan as JSON)."""

    replan_from_now: bool = False
    sla_hard: bool = False
    seed: int = 0
    iterations: int | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunOptions:
        """Rebuild from the stored JSON."""
        return cls(
            replan_from_now=bool(data.get("replan_from_now", False)),
            sla_hard=bool(data.get("sla_hard", False)),
            seed=int(data.get("seed", 0)),
            iterations=None if data.get("iterations") is None else int(data["iterations"]),
        )

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "replan_from_now": self.replan_from_now,
            "sla_hard": self.sla_hard,
            "seed": self.seed,
            "iterations": self.iterations,
        }


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


def _heartbeat(
    runtime: Runtime,
    plan_id: int,
    started: float,
    time_budget_seconds: float,
    stop: threading.Event,
    cancelled: threading.Event,
) -> None:
    while not stop.wait(HEARTBEAT_SECONDS):
        try:
            with runtime.session() as session:
                plan = session.get(Plan, plan_id)
                if plan is None or plan.status == PlanStatus.CANCELLED.value:
                    cancelled.set()
                    return
                plan.heartbeat_at = runtime.clock()
                plan.progress = min(
                    0.99, (time.monotonic() - started) / max(time_budget_seconds, 0.1)
                )
        except Exception:  # a missed heartbeat is not fatal; the next one retries
            logger.warning("heartbeat for plan %s failed", plan_id, exc_info=True)


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
    from solver.solve import solve

    now = now or runtime.clock
    with runtime.session() as session:
        started_at = now()
        # Claim the run atomically: of two workers handed the same id, one wins.
        claimed = session.execute(
            update(Plan)
            .where(Plan.id == plan_id, Plan.status == PlanStatus.QUEUED.value)
            .values(
                status=PlanStatus.RUNNING.value,
                started_at=started_at,
                heartbeat_at=started_at,
                attempts=Plan.attempts + 1,
                error=None,
            )
            .execution_options(synchronize_session=False)
        )
        plan = session.get(Plan, plan_id)
        if plan is None:
            return "missing"
        if getattr(claimed, "rowcount", 0) != 1:
            return plan.status
        session.refresh(plan)
        emit(session, EventKind.OPTIMIZATION_PROGRESS, {"plan_id": plan.id, "status": plan.status})
        time_budget_seconds = plan.time_budget_seconds
        options = RunOptions.from_json(plan.options or {})
        region_id, day = plan.region_id, plan.plan_date
        zone = ZoneInfo(plan.region.timezone)

    stop, cancelled = threading.Event(), threading.Event()
    started = time.monotonic()
    beat = threading.Thread(
        target=_heartbeat,
        args=(runtime, plan_id, started, time_budget_seconds, stop, cancelled),
        daemon=True,
    )
    beat.start()
    try:
        with runtime.session() as session:
            planning_input = planning.build_problem(
                session=session,
                region_id=region_id,
                day=day,
                now=plan_start(zone=zone, day=day, now=started_at),
                positions=positions,
                travel=travel,
                options=planning.PlanningOptions(sla_hard=options.sla_hard),
            )
        # the time budget covers the whole run: loading the day counts against it
        left = max(MIN_SOLVE_SECONDS, time_budget_seconds - (time.monotonic() - started))
        params = SolveParams(
            seed=options.seed, time_budget_seconds=left, iterations=options.iterations
        )
        solution = solve(planning_input.problem, params)
    except Exception as exc:
        stop.set()
        beat.join()
        logger.exception("optimisation run %s failed", plan_id)
        with runtime.session() as session:
            plan = session.get(Plan, plan_id)
            if plan is not None and plan.status == PlanStatus.RUNNING.value:
                plan.status = PlanStatus.FAILED.value
                plan.error = f"{type(exc).__name__}: {exc}"
                plan.finished_at = now()
                emit(
                    session,
                    EventKind.OPTIMIZATION_PROGRESS,
                    {"plan_id": plan_id, "status": plan.status},
                )
        return PlanStatus.FAILED.value
    stop.set()
    beat.join()
    with runtime.session() as session:
        plan = session.get(Plan, plan_id)
        if plan is None or plan.status != PlanStatus.RUNNING.value or cancelled.is_set():
            return plan.status if plan is not None else "missing"
        planning.apply_solution(
            session=session, plan=plan, planning=planning_input, solution=solution
        )
        plan.status = PlanStatus.SUCCEEDED.value
        plan.progress = 1.0
        plan.finished_at = now()
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
