"""Dispatch now: an emergency into today's published plan, then a re-optimisation."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import DispatcherUser, RuntimeDep, SessionDep
from api.openapi import problem_responses
from api.rows import record_of
from api.schemas.common import IdPath
from api.schemas.plans import DispatchNowOut
from dispatch.planning import emergency, optimization

router = APIRouter(prefix="/api/v1", tags=["optimisation and plans"])


@router.post(
    "/tickets/{ticket_id}/dispatch-now",
    response_model=DispatchNowOut,
    summary="Insert an emergency into today's plan now",
    responses=problem_responses(
        409, d409="Not waiting for an engineer, or fits nowhere (`reasons`, `suggestion`)"
    ),
)
def dispatch_now(
    ticket_id: IdPath, session: SessionDep, runtime: RuntimeDep, user: DispatcherUser
) -> DispatchNowOut:
    """Place the ticket at the cheapest feasible position of the published routes, no earlier
    than now (no other visit changes engineer or order), publish
    that as the new plan, dispatch the ticket to its engineer, and queue a full in-day
    re-optimisation to review."""
    result = emergency.dispatch_now(
        session=session,
        ticket_id=ticket_id,
        actor=user,
        now=runtime.clock(),
        travel=runtime.travel,
    )
    plan, visit = result.plan, result.visit
    rerun = optimization.request_replan(
        session=session,
        plan=plan,
        time_budget_seconds=runtime.settings.default_solve_seconds,
        actor=user,
        now=runtime.clock(),
    )
    out = record_of(
        DispatchNowOut,
        visit,
        plan_id=plan.id,
        ticket_number=visit.ticket.number,
        ticket_status=visit.ticket.status,
        engineer_code=visit.engineer.code,
        added_travel_seconds=result.added_travel_seconds,
        displaced_ticket_ids=list(result.displaced_ticket_ids),
        diverted_ticket_ids=list(result.diverted_ticket_ids),
        insertion_ms=round(result.insertion_seconds * 1000, 1),
        reoptimization_id=rerun.id,
    )
    optimization.submit(runtime, [rerun], commit=session.commit)
    return out
