"""Engineers' absences: record, list, cancel (dispatchers and admins; an engineer lists
their own)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime

from api.deps import CurrentUser, DispatcherUser, RuntimeDep, SessionDep
from api.openapi import problem_responses
from api.schemas.absences import AbsenceCreatedOut, AbsenceIn, AbsenceOut
from api.schemas.common import IdPath, Limit, Offset, Paged, RegionQuery, instant_query, paged
from dispatch.errors import PermissionDenied
from dispatch.masterdata import absences
from dispatch.masterdata.common import find_by_code
from dispatch.models import EngineerAbsence, Region, Role
from dispatch.planning import optimization

router = APIRouter(prefix="/api/v1", tags=["engineers"])

FromQuery = Annotated[
    AwareDatetime | None,
    Query(alias="from", description="Only absences ending after this instant"),
    instant_query,
]
ToQuery = Annotated[
    AwareDatetime | None,
    Query(alias="to", description="Only absences starting before this instant"),
    instant_query,
]


@dataclass(frozen=True)
class Listing:
    """How a list of absences is cut: with the cancelled ones or not, and the page."""

    include_cancelled: bool
    limit: int
    offset: int


def listing(include_cancelled: bool = False, limit: Limit = 100, offset: Offset = 0) -> Listing:
    """The query parameters the lists of absences share, after their own filters."""
    return Listing(include_cancelled, limit, offset)


ListingDep = Annotated[Listing, Depends(listing)]


def _out(absence: EngineerAbsence) -> AbsenceOut:
    out = AbsenceOut.model_validate(absence)
    out.engineer_code = absence.engineer.code
    return out


@router.post(
    "/engineers/{engineer_id}/absences",
    response_model=AbsenceCreatedOut,
    status_code=201,
    summary="Record an absence (sick, leave, training)",
    responses=problem_responses(409, d409="Overlaps another absence of the engineer (`start`)"),
)
def create(
    engineer_id: IdPath,
    body: AbsenceIn,
    session: SessionDep,
    runtime: RuntimeDep,
    user: DispatcherUser,
) -> AbsenceCreatedOut:
    """Record that the engineer cannot work from ``start`` to ``end``. The optimiser plans
    nobody inside it; the engineer's visits in a published plan (today or later) that have
    not started and fall in it go back to the pool (``ENGINEER_ABSENT``) and an in-day
    re-optimisation is queued. 409 when it overlaps another absence of the engineer."""
    change = absences.create_absence(
        session=session,
        engineer_id=engineer_id,
        start=body.start,
        end=body.end,
        reason=body.reason,
        note=body.note,
        actor=user,
        now=runtime.clock(),
        time_budget_seconds=runtime.settings.default_solve_seconds,
        travel=runtime.travel,
    )
    out = AbsenceCreatedOut.model_validate(_out(change.absence), from_attributes=True)
    out.released_ticket_ids = sorted(t for r in change.released for t in r.ticket_ids)
    out.plan_ids = [r.plan.id for r in change.released]
    out.reoptimization_ids = [p.id for p in change.reoptimizations]
    optimization.submit(runtime, change.reoptimizations, commit=session.commit)
    return out


@router.get(
    "/engineers/{engineer_id}/absences",
    response_model=Paged[AbsenceOut],
    summary="An engineer's absences",
)
def engineer_absences(
    engineer_id: IdPath,
    session: SessionDep,
    user: CurrentUser,
    listed: ListingDep,
    from_: FromQuery = None,
    to: ToQuery = None,
) -> Paged[AbsenceOut]:
    """The engineer's absences in a period, earliest first (an engineer account: only its own)."""
    if user.role == Role.ENGINEER.value and user.engineer_id != engineer_id:
        raise PermissionDenied("an engineer may list only their own absences", field="engineer_id")
    page = absences.list_absences(
        session=session, engineer_id=engineer_id, start=from_, end=to, **asdict(listed)
    )
    return paged(page, AbsenceOut, _out)


@router.delete(
    "/engineers/{engineer_id}/absences/{absence_id}",
    response_model=AbsenceOut,
    summary="Cancel an absence (the row is kept)",
)
def cancel(
    engineer_id: IdPath,
    absence_id: IdPath,
    session: SessionDep,
    runtime: RuntimeDep,
    user: DispatcherUser,
) -> AbsenceOut:
    """Set ``cancelled_at``: the engineer is available again to plans computed from now on
    (a plan computed before is stale)."""
    change = absences.cancel_absence(
        session=session,
        engineer_id=engineer_id,
        absence_id=absence_id,
        actor=user,
        now=runtime.clock(),
    )
    return _out(change.absence)


@router.get("/absences", response_model=Paged[AbsenceOut], summary="Absences of all engineers")
def overview(
    session: SessionDep,
    _user: DispatcherUser,
    listed: ListingDep,
    from_: FromQuery = None,
    to: ToQuery = None,
    region: RegionQuery = None,
) -> Paged[AbsenceOut]:
    """The dispatcher's overview: absences in a period, of a region and those below it."""
    region_id = None
    if region is not None:
        region_id = find_by_code(session, Region.code, region, "region").id
    page = absences.absence_overview(
        session=session, start=from_, end=to, region_id=region_id, **asdict(listed)
    )
    return paged(page, AbsenceOut, _out)
