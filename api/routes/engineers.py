"""The workforce: engineers with skills and shifts (dispatchers and admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import CurrentUser, DispatcherUser, RuntimeDep, SessionDep
from api.openapi import problem_responses
from api.rows import record_of
from api.schemas.common import (
    Day,
    IdPath,
    Limit,
    Offset,
    Paged,
    RegionQuery,
    Text,
    TextQuery,
    paged,
)
from api.schemas.engineers import (
    DeactivatedEngineerOut,
    EngineerCreate,
    EngineerOut,
    EngineerPatch,
    Level,
    PositionOut,
    PositionsOut,
    SiteVisitOut,
    SiteVisitsOut,
)
from api.validation import check_day
from dispatch.errors import NotFound
from dispatch.masterdata.common import hhmm
from dispatch.masterdata.engineers import create_engineer, deactivate_engineer, update_engineer
from dispatch.models import Engineer, Region, Role, SiteVisit, User
from dispatch.org.engineers import get_engineer, list_engineers
from dispatch.org.regions import region_ids
from dispatch.planning import optimization
from dispatch.reporting.kpis import local_period

router = APIRouter(prefix="/api/v1/engineers", tags=["engineers"])


def _out(engineer: Engineer, viewer: User | None = None) -> EngineerOut:
    """The engineer as served to ``viewer``: personal data (phone, email) only for the
    desk and the engineer themselves."""
    out = EngineerOut.model_validate(engineer)
    out.region_code = engineer.region.code
    for shift in out.shifts:
        shift.start, shift.end = hhmm(shift.start_minute), hhmm(shift.end_minute)
        shift.break_earliest = hhmm(shift.break_earliest_minute)
        shift.break_latest = hhmm(shift.break_latest_minute)
    if viewer is not None and not may_see_engineer(viewer, engineer.id, personal=True):
        out.phone = out.email = None
    return out


def may_see_engineer(user: User, engineer_id: int, *, personal: bool = False) -> bool:
    """Whether ``user`` may read the engineer (the desk: all; an engineer: only themselves).

    The one rule for engineer records, their personal data included.
    """
    if user.role in {Role.ADMIN.value, Role.DISPATCHER.value}:
        return True
    return user.role == Role.ENGINEER.value and user.engineer_id == engineer_id


@router.get("", response_model=Paged[EngineerOut], summary="List engineers")
def engineers(
    session: SessionDep,
    _user: DispatcherUser,
    region: RegionQuery = None,
    active: bool | None = None,
    skill: Annotated[Text | None, Query(max_length=64)] = None,
    level: Level | None = None,
    q: TextQuery = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Paged[EngineerOut]:
    """Engineers ordered by code, filtered by region (404 when unknown), active flag,
    skill, level and a text in code or name."""
    page = list_engineers(
        session=session, region_code=region, active=active, skill=skill, level=level, q=q,
        limit=limit, offset=offset,
    )  # fmt: skip
    return paged(page, EngineerOut, _out)


def _visible_engineers(session: Session, user: User, region: str | None) -> dict[int, str]:
    """Ids and codes of the engineers ``user`` may follow: an engineer only themselves."""
    query = select(Engineer.id, Engineer.code)
    if user.role == Role.ENGINEER.value:
        query = query.where(Engineer.id == (user.engineer_id or -1))
    if region is not None:
        region_id = session.scalar(select(Region.id).where(Region.code == region))
        if region_id is None:
            raise NotFound(f"no region {region!r}", field="region")
        query = query.where(
            Engineer.region_id.in_(region_ids(session=session, region_id=region_id))
        )
    return {engineer_id: code for engineer_id, code in session.execute(query).all()}


@router.get(
    "/positions", response_model=PositionsOut, summary="Engineers' last positions (live map)"
)
def positions(
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    region: RegionQuery = None,
) -> PositionsOut:
    """The fresh positions of the engineers (an engineer account sees only its own).

    Positions come from the app's pings and expire after ``DISPATCH_LOCATION_TTL_SECONDS``.
    """
    codes = _visible_engineers(session, user, region)
    fresh = runtime.positions.all_positions()
    return PositionsOut(
        items=[
            PositionOut(engineer_id=i, engineer_code=codes[i], lat=p.lat, lon=p.lon, at=p.at)
            for i, p in sorted(fresh.items())
            if i in codes
        ]
    )


@router.get(
    "/site-visits", response_model=SiteVisitsOut, summary="Check-ins and check-outs of a day"
)
def site_visits(
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    date: Annotated[
        Day, Query(description="Day in the region's time zone, within a year of today")
    ],
    region: RegionQuery = None,
) -> SiteVisitsOut:
    """The actual visits (check-in, check-out, outcome) of a day, for planned-vs-actual views.

    An engineer account sees only its own visits.
    """
    check_day(date, now=runtime.clock(), field="date")
    codes = _visible_engineers(session, user, region)
    start, end = local_period(session=session, first_day=date, last_day=date, region_code=region)
    rows = session.scalars(
        select(SiteVisit)
        .where(
            SiteVisit.engineer_id.in_(list(codes) or [-1]),
            SiteVisit.checked_in_at >= start,
            SiteVisit.checked_in_at < end,
        )
        .order_by(SiteVisit.checked_in_at, SiteVisit.id)
    ).all()
    return SiteVisitsOut(
        items=[
            record_of(
                SiteVisitOut, v, ticket_number=v.ticket.number, distance_m=v.check_in_distance_m
            )
            for v in rows
        ]
    )


@router.get("/{engineer_id}", response_model=EngineerOut, summary="One engineer")
def engineer(engineer_id: IdPath, session: SessionDep, user: CurrentUser) -> EngineerOut:
    """An engineer by id; an engineer account may read only its own record (else 404)."""
    if not may_see_engineer(user, engineer_id):
        raise NotFound(f"no engineer {engineer_id}")
    return _out(get_engineer(session=session, engineer_id=engineer_id), user)


@router.post(
    "",
    response_model=EngineerOut,
    status_code=status.HTTP_201_CREATED,
    summary="Add an engineer",
    responses=problem_responses(404, 409, d404="No such region", d409="Code taken"),
)
def create(body: EngineerCreate, session: SessionDep, user: DispatcherUser) -> EngineerOut:
    """Add an engineer; plannable on the days a shift covers while certified."""
    fields = body.model_dump(exclude_unset=True)
    row = create_engineer(session=session, actor_id=user.id, fields=fields)
    return _out(row, user)


@router.patch(
    "/{engineer_id}",
    response_model=EngineerOut,
    summary="Change an engineer",
    responses=problem_responses(409, d409="Code taken, or `engineer_in_use` (published visits)"),
)
def update(
    engineer_id: IdPath,
    body: EngineerPatch,
    session: SessionDep,
    runtime: RuntimeDep,
    user: DispatcherUser,
) -> EngineerOut:
    """Change the given fields (``skills``/``shifts`` replace the lists); ``active: false``
    is refused while the engineer has visits in a published plan (use deactivate)."""
    row = update_engineer(
        session=session, actor_id=user.id, engineer_id=engineer_id,
        fields=body.model_dump(exclude_unset=True), now=runtime.clock(),
    )  # fmt: skip
    return _out(row, user)


@router.post(
    "/{engineer_id}/deactivate",
    response_model=DeactivatedEngineerOut,
    summary="Deactivate an engineer",
    responses=problem_responses(
        409, d409="`engineer_in_use`: visits in a published plan from now on (without force), "
        "or the engineer is on site",
    ),
)  # fmt: skip
def deactivate(
    engineer_id: IdPath,
    session: SessionDep,
    runtime: RuntimeDep,
    user: DispatcherUser,
    force: Annotated[
        bool, Query(description="Send the engineer's published visits back to the pool")
    ] = False,
) -> DeactivatedEngineerOut:
    """Stop planning the engineer; with ``force=true`` their tickets in published plans go
    back to the pool (reason ``engineer deactivated``)."""
    done = deactivate_engineer(
        session=session,
        actor=user,
        engineer_id=engineer_id,
        now=runtime.clock(),
        force=force,
        travel=runtime.travel,
        time_budget_seconds=runtime.settings.default_solve_seconds,
    )
    out = DeactivatedEngineerOut(
        engineer=_out(done.engineer, user),
        returned_ticket_ids=done.returned_ticket_ids,
        reoptimization_ids=[p.id for p in done.reoptimizations],
    )
    optimization.submit(runtime, done.reoptimizations, commit=session.commit)
    return out
