"""Optimisation runs and plans (dispatchers)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlalchemy import select

from api.deps import DispatcherUser, RuntimeDep, SessionDep
from api.openapi import problem_responses
from api.schemas.common import DayQuery, IdPath, Problem, RegionQuery, Text
from api.schemas.plans import (
    DiffEntry,
    OptimizationIn,
    OptimizationOut,
    PlanDiff,
    PlanOut,
    PlanSummaryOut,
    RouteOut,
    UnassignedOut,
    VisitOut,
)
from api.validation import check_day
from dispatch import optimization, plans, publishing
from dispatch.errors import InvalidInput, NotFound
from dispatch.models import Engineer, Plan, Region

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
        time_budget=body.time_budget_seconds,
        options=optimization.RunOptions(**body.options.model_dump()),
        actor=user,
        now=runtime.clock(),
    )
    session.commit()  # the job must find the row: commit before enqueueing
    runtime.jobs.enqueue_optimization(plan.id, time_budget=plan.time_budget_seconds)
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
    region_id = None
    if region is not None:
        region_id = session.scalar(select(Region.id).where(Region.code == region))
        if region_id is None:
            raise NotFound(f"no region {region!r}", field="region")
    if status_ is not None:
        from dispatch.models import PlanStatus

        if status_ not in {s.value for s in PlanStatus}:
            raise InvalidInput(f"unknown status {status_!r}", field="status")
    rows = plans.list_plans(
        session=session, region_id=region_id, day=date, status=status_, limit=limit
    )
    return [PlanSummaryOut.model_validate(p) for p in rows]


@router.get(
    "/plans/{plan_id}",
    response_model=PlanOut,
    summary="A plan: routes, ETAs, unassigned, KPIs, diff",
)
def get_plan(plan_id: IdPath, session: SessionDep, _user: DispatcherUser) -> PlanOut:
    """Routes with ETAs, unassigned tickets with reasons and suggestions, KPIs, and the diff
    against the published plan of the same region and day."""
    plan = plans.load_plan(session=session, plan_id=plan_id)
    return plan_out(session, plan)


@router.post(
    "/plans/{plan_id}/publish",
    response_model=PlanOut,
    summary="Publish a plan: make it the current plan of its day",
    responses={
        409: {
            "model": Problem,
            "description": "Stale (``changes`` lists what changed since it was computed), "
            "already published, or not a finished run",
        }
    },
)
def publish_plan(
    plan_id: IdPath, session: SessionDep, runtime: RuntimeDep, user: DispatcherUser
) -> PlanOut:
    """Check nothing the plan was computed from has changed (tickets, pins, engineers),
    supersede the plan published before, schedule each ticket for its engineer and send
    dropped tickets back to the pool. Engineers' apps see the new day at once."""
    plan = publishing.publish_plan(session=session, plan_id=plan_id, actor=user, at=runtime.clock())
    return plan_out(session, plan)


def plan_out(session: SessionDep, plan: Plan) -> PlanOut:
    """The API view of a plan."""
    by_engineer: dict[int, list[VisitOut]] = {}
    travel: dict[int, int] = {}
    service: dict[int, int] = {}
    for v in sorted(plan.visits, key=lambda v: (v.engineer_id, v.sequence)):
        t = v.ticket
        by_engineer.setdefault(v.engineer_id, []).append(
            VisitOut(
                ticket_id=t.id,
                ticket_number=t.number,
                priority=t.priority,
                status=t.status,
                sequence=v.sequence,
                planned_arrival=v.planned_arrival,
                planned_start=v.planned_start,
                planned_end=v.planned_end,
                travel_seconds=v.travel_seconds,
                lateness_seconds=v.lateness_seconds,
                pinned=v.pinned,
                lat=t.site.lat,
                lon=t.site.lon,
                site_name=t.site.name,
            )
        )
        travel[v.engineer_id] = travel.get(v.engineer_id, 0) + v.travel_seconds
        service[v.engineer_id] = service.get(v.engineer_id, 0) + int(
            (v.planned_end - v.planned_start).total_seconds()
        )
    engineers = {
        e.id: e
        for e in session.scalars(select(Engineer).where(Engineer.id.in_(list(by_engineer) or [-1])))
    }
    routes = [
        RouteOut(
            engineer_id=eid,
            engineer_code=engineers[eid].code,
            engineer_name=engineers[eid].name,
            visits=visits,
            travel_seconds=travel[eid],
            service_seconds=service[eid],
        )
        for eid, visits in sorted(by_engineer.items(), key=lambda kv: engineers[kv[0]].code)
    ]
    unassigned = [
        UnassignedOut(
            ticket_id=u.ticket_id,
            ticket_number=u.ticket.number,
            priority=u.ticket.priority,
            reasons=list(u.reasons),
            suggestion=u.suggestion,
        )
        for u in sorted(plan.unassigned, key=lambda u: (u.ticket.priority, u.ticket.number))
    ]
    diff = None
    if plan.status in {"succeeded", "published"}:
        d = plans.diff_against_published(session=session, plan=plan)
        codes = {e.id: e.code for e in session.scalars(select(Engineer))}
        numbers = {v.ticket_id: v.ticket.number for v in plan.visits}
        numbers.update({u.ticket_id: u.ticket.number for u in plan.unassigned})
        missing = [i.ticket_id for i in d.items if i.ticket_id not in numbers]
        if missing:
            from dispatch.models import Ticket

            rows = session.execute(select(Ticket.id, Ticket.number).where(Ticket.id.in_(missing)))
            numbers.update({ticket_id: number for ticket_id, number in rows.all()})
        diff = PlanDiff(
            against_plan_id=d.against_plan_id,
            added=d.count("added"),
            dropped=d.count("dropped"),
            moved=d.count("moved"),
            entries=[
                DiffEntry(
                    ticket_id=i.ticket_id,
                    ticket_number=numbers[i.ticket_id],
                    change=i.change,
                    from_engineer=codes.get(i.from_engineer_id) if i.from_engineer_id else None,
                    to_engineer=codes.get(i.to_engineer_id) if i.to_engineer_id else None,
                    from_start=i.from_start,
                    to_start=i.to_start,
                )
                for i in d.items
            ],
        )
    return PlanOut(
        id=plan.id,
        region_id=plan.region_id,
        region_code=plan.region.code,
        plan_date=plan.plan_date,
        status=plan.status,
        kpis=plan.kpis,
        notes=list(plan.notes or []),
        inputs_hash=plan.inputs_hash,
        solver_status=plan.solver_status,
        solver_seconds=plan.solver_seconds,
        published_at=plan.published_at,
        routes=routes,
        unassigned=unassigned,
        diff=diff,
    )
