"""The steps of an optimisation run in a worker: claim it, beat, solve, record a failure.

:func:`dispatch.planning.optimization.run_optimization` (the job body) puts them together.
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

from sqlalchemy import update

import solver
from dispatch.infra.day_clock import plan_start
from dispatch.infra.events import EventKind, emit
from dispatch.models import Plan, PlanStatus
from dispatch.planning import problem as planning
from dispatch.runtime import Runtime
from solver import Solution, SolveParams, TravelTimeProvider

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 2.0
"""How often a running run's worker stamps its heartbeat and progress."""

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


def heartbeat(
    runtime: Runtime,
    plan_id: int,
    started: float,
    time_budget_seconds: float,
    stop: threading.Event,
    cancelled: threading.Event,
) -> None:
    """Stamp the run's heartbeat and progress every :data:`HEARTBEAT_SECONDS` until
    ``stop``; set ``cancelled`` (and end) when the run was cancelled or deleted."""
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


@dataclass(frozen=True)
class Run:
    """A run claimed by this worker: what it plans, from when, with which budget."""

    plan_id: int
    started_at: dt.datetime
    time_budget_seconds: float
    options: RunOptions
    region_id: int
    day: dt.date
    zone: ZoneInfo


def claim_run(runtime: Runtime, plan_id: int, now: Callable[[], dt.datetime]) -> Run | str:
    """Claim the queued run atomically (of two workers handed the same id, one wins) and
    mark it running; else the status it has (``"missing"``: no such plan)."""
    with runtime.session() as session:
        started_at = now()
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
        return Run(
            plan_id=plan_id,
            started_at=started_at,
            time_budget_seconds=plan.time_budget_seconds,
            options=RunOptions.from_json(plan.options or {}),
            region_id=plan.region_id,
            day=plan.plan_date,
            zone=ZoneInfo(plan.region.timezone),
        )


def solve_run(
    runtime: Runtime,
    run: Run,
    started: float,
    travel: TravelTimeProvider | None,
    positions: dict[int, planning.Position] | None,
) -> tuple[planning.PlanningInput, Solution]:
    """Build the run's problem (from its start: :func:`plan_start`) and solve it within
    what is left of the time budget (loading the day counts against it)."""

    with runtime.session() as session:
        planning_input = planning.build_problem(
            session=session,
            region_id=run.region_id,
            day=run.day,
            now=plan_start(zone=run.zone, day=run.day, now=run.started_at),
            positions=positions,
            travel=travel,
            options=planning.PlanningOptions(sla_hard=run.options.sla_hard),
        )
    left = max(MIN_SOLVE_SECONDS, run.time_budget_seconds - (time.monotonic() - started))
    params = SolveParams(
        seed=run.options.seed, time_budget_seconds=left, iterations=run.options.iterations
    )
    return planning_input, solver.solve(planning_input.problem, params)


def fail_run(
    runtime: Runtime, plan_id: int, exc: Exception, now: Callable[[], dt.datetime]
) -> None:
    """Record a run's failure (status ``failed`` with the error), unless it stopped running."""
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
