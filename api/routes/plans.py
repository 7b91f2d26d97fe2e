"""Optimisation runs and plans (dispatchers)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.deps import DispatcherUser, RuntimeDep, SessionDep
from api.openapi import problem_responses
from api.plan_view import plan_out
from api.schemas.common import DayQuery, IdPath, RegionQuery, Text
from api.schemas.plans import (
    OptimizationIn,
    OptimizationOut,
    PlanOut,
    PlanSummaryOut,
)
from api.validation import check_day
from dispatch.models import Plan
from dispatch.planning import optimization, plans, publishing
from dispatch.planning.plan_view import RoutePage, plan_contents, recent_plans

router = APIRouter(prefix="/api/v1", tags=["optimisation and plans"])


def _run_out(plan: Plan) -> OptimizationOut:
    out = OptimizationOut.model_validate(plan)
    if (
        plan.status not in optimization.ACTIVE
        and plan.finished_at is not None
        and plan.status != "failed"
    ):
        out.plan_url = f"/api/v1/plans/{plan.id}"
    return out


@router.post(
    "/optimizations",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=OptimizationOut,
    summary="Start an optimisation run",
    responses=problem_responses(404, 409, d404="No such region"),
)
def start_optimization(
    body: OptimizationIn,
    session: SessionDep,
    runtime: RuntimeDep,
    user: DispatcherUser,
    response: Response,
) -> OptimizationOut:
    """Queue a run for a region and day (within a year of today); poll
    ``GET /optimizations/{id}`` for its progress."""
    check_day(body.date, now=runtime.clock(), field="date")
    plan = optimization.request_optimization(
        session=session,
        region_code=body.region,
        day=body.date,
        time_budget_seconds=body.time_budget_seconds,
        options=optimization.RunOptions(**body.options.model_dump()),
        actor=user,
        now=runtime.clock(),
    )
    optimization.submit(runtime, [plan], commit=session.commit)
    response.headers["Location"] = f"/api/v1/optimizations/{plan.id}"
    return _run_out(plan)


@router.get(
    "/optimizations/{run_id}", response_model=OptimizationOut, summary="A run's status and progress"
)
def get_optimization(run_id: IdPath, session: SessionDep, _user: DispatcherUser) -> OptimizationOut:
    """Status (queued, running, succeeded, failed, cancelled, published), progress 0..1, error."""
    return _run_out(optimization.get_plan(session=session, plan_id=run_id))


@router.post(
    "/optimizations/{run_id}/cancel",
    response_model=OptimizationOut,
    summary="Cancel a run",
    responses=problem_responses(409, d409="The run already finished"),
)
def cancel_optimization(
    run_id: IdPath, session: SessionDep, runtime: RuntimeDep, _user: DispatcherUser
) -> OptimizationOut:
    """Cancel a queued or running run (409 when it already finished). A queued job leaves the
    queue; a running one is stopped where it runs (an RQ worker's work horse is killed, the
    worker takes the next run)."""
    out = _run_out(optimization.cancel_optimization(session=session, plan_id=run_id))
    session.commit()  # cancelled first: a stopped job must not look like a lost worker
    runtime.jobs.cancel(run_id)
    return out


@router.get("/plans", response_model=list[PlanSummaryOut], summary="Recent plans")
def get_plans(
    session: SessionDep,
    runtime: RuntimeDep,
    _user: DispatcherUser,
    region: RegionQuery = None,
    date: Annotated[DayQuery, Query(description="Service day, within a year of today")] = None,
    status_: Annotated[Text | None, Query(alias="status", max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[PlanSummaryOut]:
    """Plans newest first, by region, day and status."""
    if date is not None:
        check_day(date, now=runtime.clock(), field="date")
    rows = recent_plans(session=session, region_code=region, day=date, status=status_, limit=limit)
    return [PlanSummaryOut.model_validate(p) for p in rows]


@router.get(
    "/plans/{plan_id}",
    response_model=PlanOut,
    summary="A plan: routes, ETAs, unassigned, KPIs, diff",
)
def get_plan(
    plan_id: IdPath,
    session: SessionDep,
    _user: DispatcherUser,
    engineer: Annotated[
        Text | None, Query(max_length=32, description="Only this engineer's route (code)")
    ] = None,
    route_offset: Annotated[
        int, Query(ge=0, le=100_000, description="Routes (engineers by code) to skip")
    ] = 0,
    route_limit: Annotated[
        int | None, Query(ge=1, le=1000, description="Routes per page (default: all)")
    ] = None,
) -> PlanOut:
    """Routes with ETAs, unassigned tickets with reasons and suggestions, KPIs, and the diff
    against the published plan of the same region and day. Routes are ordered by engineer
    code and may be paged (``route_offset``, ``route_limit``; ``routes_total`` counts them
    all) or narrowed to one ``engineer``."""
    plan = plans.load_plan(session=session, plan_id=plan_id)
    page = RoutePage(engineer=engineer, offset=route_offset, limit=route_limit)
    return plan_out(plan_contents(session=session, plan=plan, page=page))


@router.post(
    "/plans/{plan_id}/publish",
    response_model=PlanOut,
    summary="Publish a plan: make it the current plan of its day",
    responses=problem_responses(
        409,
        d409="Stale (``changes`` lists what changed since it was computed), "
        "already published, or not a finished run",
    ),
)
def publish_plan(
    plan_id: IdPath, session: SessionDep, runtime: RuntimeDep, user: DispatcherUser
) -> PlanOut:
    """Check nothing the plan was computed from has changed (tickets, pins, engineers),
    supersede the plan published before, schedule each ticket for its engineer and send
    dropped tickets back to the pool. Engineers' apps see the new day at once."""
    plan = publishing.publish_plan(session=session, plan_id=plan_id, actor=user, at=runtime.clock())
    return plan_out(plan_contents(session=session, plan=plan))
