"""The dispatcher console: one static page at ``/console`` and its assets.

The page itself needs no log-in: it asks for one, keeps the access token in
``sessionStorage`` and then reads everything through the ``/api/v1`` endpoints (live
updates from ``/api/v1/events``). Leaflet is shipped with the package under
``static/vendor``; nothing is fetched from a CDN. The map tiles come from
``DISPATCH_TILE_URL`` and the console stays usable when they cannot be loaded.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import CurrentUser, RuntimeDep, SessionDep, SettingsDep
from api.schemas.common import ApiModel
from dispatch.infra.day_clock import local_day
from dispatch.models import Engineer, Region, RegionKind
from dispatch.org.regions import region_ids
from dispatch.reporting.operations import opening_day

STATIC_DIR = Path(__file__).parent / "static"
"""The page, its ES modules, styles and the vendored Leaflet."""

router = APIRouter(tags=["console"])


class RegionOut(ApiModel):
    """A region the console can show, with its local day."""

    code: str = Field(examples=["SH-E"])
    name: str
    kind: str = Field(examples=["region"], description="hq (covers its sub-regions) or region")
    timezone: str = Field(examples=["Asia/Shanghai"])
    today: dt.date = Field(description="Today in the region's time zone")
    open_day: dt.date = Field(
        description="The day the console opens on: today while today's work is still to "
        "come, else the day of the next open appointment (e.g. the demo seeded after hours)"
    )
    engineers: int = Field(description="Active engineers based in the region")


class ConsoleConfig(ApiModel):
    """What the console needs before it draws: map tiles and the regions to choose from."""

    tile_url: str | None = Field(
        description="Leaflet tile URL template; null draws the map without tiles"
    )
    regions: list[RegionOut]


def content_security_policy(tile_url: str) -> str:
    """The page's CSP: its own scripts and API only; images also from the tile server.

    Parameters
    ----------
    tile_url
        The Leaflet tile URL template (``{s}`` subdomains become a wildcard); empty for none.

    Returns
    -------
    str
        The ``Content-Security-Policy`` header value.
    """
    parts = urlsplit(tile_url.replace("{s}", "*"))
    tiles = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    images = " ".join(x for x in ("'self'", "data:", tiles) if x)
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"img-src {images}; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
        "form-action 'self'"
    )


@router.get("/console", response_class=HTMLResponse, include_in_schema=False)
def console_page(settings: SettingsDep) -> HTMLResponse:
    """The console page (static; it logs in through ``POST /api/v1/auth/token``)."""
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    return HTMLResponse(
        html,
        headers={
            "Content-Security-Policy": content_security_policy(settings.tile_url),
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
        },
    )


@router.get("/api/v1/console/config", response_model=ConsoleConfig, summary="Console settings")
def console_config(
    session: SessionDep, settings: SettingsDep, runtime: RuntimeDep, _user: CurrentUser
) -> ConsoleConfig:
    """The tile URL and the regions (headquarters first) with today's date in each."""
    counts: dict[int, int] = {}
    for region_id in session.scalars(select(Engineer.region_id).where(Engineer.active)):
        counts[region_id] = counts.get(region_id, 0) + 1
    regions = sorted(
        session.scalars(select(Region)).all(),
        key=lambda r: (r.kind != RegionKind.HQ.value, r.code),
    )
    return ConsoleConfig(
        tile_url=settings.tile_url or None,
        regions=[
            _region_out(session, r, now=runtime.clock(), engineers=counts.get(r.id, 0))
            for r in regions
        ],
    )


def _region_out(session: Session, region: Region, *, now: dt.datetime, engineers: int) -> RegionOut:
    zone = ZoneInfo(region.timezone)
    return RegionOut(
        code=region.code,
        name=region.name,
        kind=region.kind,
        timezone=region.timezone,
        today=local_day(now, zone),
        open_day=opening_day(
            session=session,
            region_ids=region_ids(session=session, region_id=region.id),
            zone=zone,
            now=now,
        ),
        engineers=engineers,
    )


def install_console(app: FastAPI) -> None:
    """Serve the console page at ``/console`` and its assets under ``/console/static``.

    Parameters
    ----------
    app
        The API application (the settings document lives under ``/api/v1/console``).
    """
    app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=STATIC_DIR), name="console-static")
