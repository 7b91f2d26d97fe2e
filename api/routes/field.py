"""The engineers' mobile app: today's jobs, position pings, check-in and check-out."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Header, Query, Response

from api.deps import EngineerUser, RuntimeDep, SessionDep
from api.schemas.field import (
    ContactOut,
    JobOut,
    JobsOut,
    LocationIn,
    LocationOut,
    SiteOut,
    WindowOut,
)
from dispatch import field
from dispatch.events import EventKind, emit
from dispatch.models import Engineer, Visit, utcnow
from dispatch.planning import Position

router = APIRouter(prefix="/api/v1/me", tags=["engineers' app"])


def _job(visit: Visit, zone: ZoneInfo) -> JobOut:
    t = visit.ticket
    site = t.site
    return JobOut(
        ticket_id=t.id,
        ticket_number=t.number,
        kind=t.kind,
        priority=t.priority,
        status=t.status,
        sequence=visit.sequence,
        planned_arrival=visit.planned_arrival.astimezone(zone),
        planned_start=visit.planned_start.astimezone(zone),
        planned_end=visit.planned_end.astimezone(zone),
        windows=[
            WindowOut(start=w.start.astimezone(zone), end=w.end.astimezone(zone)) for w in t.windows
        ],
        symptoms=t.symptoms,
        required_skill=t.required_skill,
        asset=f"{t.asset.model} ({t.asset.serial})" if t.asset else None,
        site=SiteOut(
            name=site.name,
            address=site.address,
            lat=site.lat,
            lon=site.lon,
            navigation_url=(
                "https://www.openstreetmap.org/directions?engine=fossgis_osrm_car"
                f"&route=%3B{site.lat}%2C{site.lon}"
            ),
            geo_uri=f"geo:{site.lat},{site.lon}",
        ),
        contact=ContactOut(
            customer=t.customer.name,
            vip=t.customer.tier == "vip",
            name=t.customer.contact_name,
            phone=t.customer.contact_phone,
        ),
    )


@router.get(
    "/jobs",
    response_model=JobsOut,
    summary="My jobs for a day, in order",
    responses={304: {"description": "Unchanged since the ETag sent in If-None-Match"}},
)
def my_jobs(
    session: SessionDep,
    user: EngineerUser,
    date: Annotated[dt.date | None, Query(description="Day (default: today in my region)")] = None,
    if_none_match: Annotated[str | None, Header(alias="If-None-Match")] = None,
) -> Response:
    """The visits of the published plan for me, with windows, site, contact and a navigation link.

    Poll cheaply: send the last ``ETag`` in ``If-None-Match``; an unchanged day answers 304.
    """
    engineer_id = field.engineer_of(user)
    engineer = session.get(Engineer, engineer_id)
    assert engineer is not None
    zone = ZoneInfo(engineer.region.timezone)
    day = date or dt.datetime.now(zone).date()
    jobs = [
        _job(v, zone) for v in field.jobs_for(session=session, engineer_id=engineer_id, day=day)
    ]
    body = JobsOut(
        date=day, engineer_code=engineer.code, timezone=str(zone), jobs=jobs
    ).model_dump_json()
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if if_none_match and etag in {tag.strip() for tag in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(content=body, media_type="application/json", headers=headers)


@router.post("/location", response_model=LocationOut, summary="Report my position")
def my_location(
    body: LocationIn, session: SessionDep, runtime: RuntimeDep, user: EngineerUser
) -> LocationOut:
    """Store my position (expires after the configured TTL); an in-day re-plan starts from it."""
    engineer_id = field.engineer_of(user)
    at = utcnow()
    runtime.positions.record(
        engineer_id, Position(body.lat, body.lon, at), accuracy_m=body.accuracy_m
    )
    emit(
        session,
        EventKind.ENGINEER_LOCATION,
        {"engineer_id": engineer_id, "lat": body.lat, "lon": body.lon, "at": at.isoformat()},
    )
    return LocationOut(
        engineer_id=engineer_id,
        lat=body.lat,
        lon=body.lon,
        at=at,
        expires_in=runtime.settings.location_ttl_seconds,
    )
