"""The engineers' mobile app: today's jobs, position pings, check-in and check-out."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from api.deps import EngineerUser, RuntimeDep, SessionDep
from api.idempotent import run_once
from api.openapi import problem_responses
from api.rows import record_of
from api.schemas.common import DayQuery, IdPath
from api.schemas.field import (
    CheckInIn,
    CheckInOut,
    CheckOutIn,
    CheckOutOut,
    ContactOut,
    JobOut,
    JobsOut,
    LocationIn,
    LocationOut,
    SiteOut,
    WindowOut,
)
from api.validation import check_day
from dispatch.errors import ServiceUnavailable
from dispatch.field import checkins
from dispatch.field import day as field
from dispatch.infra.day_cache import CachedDay
from dispatch.infra.day_clock import utc_text
from dispatch.infra.events import EventKind, emit
from dispatch.infra.positions import Position
from dispatch.models import Engineer, Site, SiteVisit, User, Visit
from dispatch.runtime import Runtime

router = APIRouter(prefix="/api/v1/me", tags=["engineers' app"])

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)


def _job(visit: Visit, zone: ZoneInfo) -> JobOut:
    t = visit.ticket
    return record_of(
        JobOut,
        t,
        ticket_id=t.id,
        ticket_number=t.number,
        sequence=visit.sequence,
        planned_arrival=visit.planned_arrival.astimezone(zone),
        planned_start=visit.planned_start.astimezone(zone),
        planned_end=visit.planned_end.astimezone(zone),
        windows=[
            WindowOut(start=w.start.astimezone(zone), end=w.end.astimezone(zone)) for w in t.windows
        ],
        asset=f"{t.asset.model} ({t.asset.serial})" if t.asset else None,
        site=_site(t.site),
        contact=ContactOut(
            customer=t.customer.name,
            vip=t.customer.tier == "vip",
            name=t.customer.contact_name,
            phone=t.customer.contact_phone,
        ),
    )


def _site(site: Site) -> SiteOut:
    """The job's site with a link for directions and one for the phone's map app."""
    return record_of(
        SiteOut,
        site,
        navigation_url=(
            "https://www.openstreetmap.org/directions?engine=fossgis_osrm_car"
            f"&route=%3B{site.lat}%2C{site.lon}"
        ),
        geo_uri=f"geo:{site.lat},{site.lon}",
    )


@router.get(
    "/jobs",
    response_model=JobsOut,
    summary="My jobs for a day, in order",
    responses={304: {"description": "Unchanged since the ETag sent in If-None-Match"}},
)
def my_jobs(
    session: SessionDep,
    runtime: RuntimeDep,
    user: EngineerUser,
    date: Annotated[
        DayQuery, Query(description="Day (default: today in my region), within a year of today")
    ] = None,
    if_none_match: Annotated[str | None, Header(alias="If-None-Match")] = None,
) -> Response:
    """The visits of the published plan for me, with windows, site, contact and a navigation link.

    Poll cheaply: send the last ``ETag`` in ``If-None-Match``; an unchanged day answers 304.
    """
    if date is not None:
        check_day(date, now=runtime.clock(), field="date")
    engineer_id = field.engineer_of(user)
    if date is None:
        zone = ZoneInfo(field.region_zone(session=session, engineer_id=engineer_id))
        date = runtime.clock().astimezone(zone).date()
    day = _engineer_day(session, runtime, engineer_id, date)
    headers = {"ETag": day.etag, "Cache-Control": "private, no-cache"}
    if if_none_match and day.etag in {tag.strip() for tag in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(content=day.body, media_type="application/json", headers=headers)


def _engineer_day(session: Session, runtime: Runtime, engineer_id: int, day: dt.date) -> CachedDay:
    """The day's answer from the cache while its version is current, else from the database
    (then cached under the version read *before* the database: never newer than its data)."""
    enabled = runtime.settings.phone_cache
    version, cached = runtime.days.lookup(engineer_id, day.isoformat()) if enabled else ("", None)
    if cached is not None:
        return cached
    engineer = session.get(Engineer, engineer_id)
    assert engineer is not None
    zone = ZoneInfo(engineer.region.timezone)
    jobs = [
        _job(v, zone) for v in field.jobs_for(session=session, engineer_id=engineer_id, day=day)
    ]
    body = (
        JobsOut(date=day, engineer_code=engineer.code, timezone=str(zone), jobs=jobs)
        .model_dump_json()
        .encode()
    )
    fresh = CachedDay(version, '"' + hashlib.sha256(body).hexdigest()[:32] + '"', body)
    if enabled:
        runtime.days.store(engineer_id, day.isoformat(), fresh)
    return fresh


@router.post(
    "/location",
    response_model=LocationOut,
    summary="Report my position",
    responses=problem_responses(503, d503="Positions (Redis) are unavailable"),
)
def my_location(
    body: LocationIn, session: SessionDep, runtime: RuntimeDep, user: EngineerUser
) -> LocationOut:
    """Store my position (expires after the configured TTL); an in-day re-plan starts from it.

    503 while positions cannot be stored (nothing is recorded): send the next ping later."""
    engineer_id = field.engineer_of(user)
    at = runtime.clock()
    runtime.positions.record(
        engineer_id, Position(body.lat, body.lon, at), accuracy_m=body.accuracy_m
    )
    emit(
        session,
        EventKind.ENGINEER_LOCATION,
        {"engineer_id": engineer_id, "lat": body.lat, "lon": body.lon, "at": utc_text(at)},
    )
    return LocationOut(
        engineer_id=engineer_id,
        lat=body.lat,
        lon=body.lon,
        at=at,
        expires_in=runtime.settings.location_ttl_seconds,
    )


def _remember_position(runtime: Runtime, user: User, lat: float | None, lon: float | None) -> None:
    """A check-in or check-out position is also the engineer's latest position.

    The visit is stored already: a position store that is unavailable is logged, never an
    error for the phone."""
    if user.engineer_id is not None and lat is not None and lon is not None:
        try:
            runtime.positions.record(user.engineer_id, Position(lat, lon, runtime.clock()))
        except ServiceUnavailable as exc:
            logger.warning("position of engineer %s not kept: %s", user.engineer_id, exc.message)


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=128,
        description="Any unique string per attempt; a retry with the same key records once "
        "and gets the first answer again",
    ),
]

_FIELD_ERRORS = problem_responses(
    403,
    409,
    422,
    d403="Not your job",
    d409="Not allowed in the ticket's current state",
    d422="Bad input, or a key reused for another request",
)


@dataclass(frozen=True)
class OnSite:
    """A report from the site of a job: the ticket, the engineer and the attempt's key."""

    ticket_id: int
    request: Request
    session: Session
    runtime: Runtime
    user: User
    key: str | None

    def report(
        self, service: Callable[..., SiteVisit], body: CheckInIn | CheckOutIn, **given: Any
    ) -> SiteVisit:
        """The site visit ``service`` (check in or out) records for this job, from the
        position and device time the engineer sent and ``given``."""
        return service(
            session=self.session,
            user=self.user,
            ticket_id=self.ticket_id,
            **_where(body),
            now=self.runtime.clock(),
            **given,
        )

    def once(self, body: CheckInIn | CheckOutIn, work: Callable[[], BaseModel]) -> JSONResponse:
        """Run ``work`` once per idempotency key; a first run remembers the engineer's
        position."""
        response, replayed = run_once(
            request=self.request,
            session=self.session,
            user_id=self.user.id,
            key=self.key,
            body=body,
            work=work,
        )
        if not replayed:
            _remember_position(self.runtime, self.user, body.lat, body.lon)
        return response


def on_site(
    ticket_id: IdPath,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    user: EngineerUser,
    idempotency_key: IdempotencyKey = None,
) -> OnSite:
    """The job a check-in or check-out reports on, and who reports it with which key."""
    return OnSite(ticket_id, request, session, runtime, user, idempotency_key)


OnSiteDep = Annotated[OnSite, Depends(on_site)]


@router.post(
    "/jobs/{ticket_id}/check-in",
    response_model=CheckInOut,
    summary="Check in on site",
    responses=_FIELD_ERRORS,
)
def check_in(body: CheckInIn, site: OnSiteDep) -> JSONResponse:
    """Record my arrival at the ticket's site (the SLA response). The position is compared
    with the site's: further than the configured radius the check-in is accepted but
    flagged for the dispatcher."""
    radius = site.runtime.settings.checkin_radius_m

    def work() -> CheckInOut:
        sv = site.report(checkins.check_in, body, radius_m=radius)
        return _visit_out(CheckInOut, sv, distance_m=sv.check_in_distance_m, radius_m=radius)

    return site.once(body, work)


@router.post(
    "/jobs/{ticket_id}/check-out",
    response_model=CheckOutOut,
    summary="Check out with the outcome",
    responses=_FIELD_ERRORS,
)
def check_out(body: CheckOutIn, site: OnSiteDep) -> JSONResponse:
    """Record leaving the site: ``fixed`` completes the ticket (closed at once when the
    customer accepted on site, else awaiting acceptance); ``needs_follow_up`` and
    ``no_access`` need another visit (``parts`` to order)."""

    def work() -> CheckOutOut:
        report = checkins.CheckOutReport(
            outcome=body.outcome,
            notes=body.notes,
            customer_accepted=body.customer_accepted,
            parts=tuple(body.parts),
        )
        sv = site.report(checkins.check_out, body, report=report)
        assert sv.checked_out_at is not None and sv.outcome is not None
        return _visit_out(CheckOutOut, sv)

    return site.once(body, work)


def _visit_out(model: type[M], sv: SiteVisit, **given: Any) -> M:
    """The answer ``model`` to a check-in or check-out of the site visit ``sv``."""
    return record_of(model, sv, site_visit_id=sv.id, ticket_status=sv.ticket.status, **given)


def _where(body: CheckInIn | CheckOutIn) -> dict[str, Any]:
    """The position and device time an engineer sent on site, as the services take them."""
    return {"lat": body.lat, "lon": body.lon, "device_time": body.device_time}
