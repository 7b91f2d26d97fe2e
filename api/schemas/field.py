"""The engineers' mobile app."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from api.schemas.common import ApiModel, Instant, PlannedVisitBase, Text


class WindowOut(ApiModel):
    """An appointment window (service start), in the region's time zone."""

    start: dt.datetime
    end: dt.datetime


class SiteOut(ApiModel):
    """Where to go."""

    name: str
    address: str
    lat: float
    lon: float
    navigation_url: str = Field(description="Directions in OpenStreetMap")
    geo_uri: str = Field(examples=["geo:31.2304,121.4737"], description="Opens the phone's map app")


class ContactOut(ApiModel):
    """The customer's contact (personal data: shown for the engineer's own assigned jobs only)."""

    customer: str
    vip: bool
    name: str | None
    phone: str | None


class JobOut(PlannedVisitBase):
    """One job of the day, in route order."""

    ticket_number: str = Field(examples=["AT00-REP-20261124-0001"])
    kind: str
    windows: list[WindowOut]
    symptoms: str
    required_skill: str
    asset: str | None
    site: SiteOut
    contact: ContactOut


class JobsOut(ApiModel):
    """The engineer's day."""

    date: dt.date
    engineer_code: str
    timezone: str
    jobs: list[JobOut]


class LocationIn(ApiModel):
    """A position ping from the phone."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"lat": 31.2304, "lon": 121.4737, "accuracy_m": 12}]},
    )

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)
    device_time: Instant | None = Field(default=None, description="When the phone took the fix")


class LocationOut(ApiModel):
    """The stored position."""

    engineer_id: int
    lat: float
    lon: float
    at: dt.datetime
    expires_in: int


class CheckInIn(ApiModel):
    """Arrival on site, from the phone."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"lat": 31.2304, "lon": 121.4737, "device_time": "2026-11-24T09:58:00+08:00"}
            ]
        },
    )

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    device_time: Instant | None = Field(
        default=None, description="The phone's clock, with its offset (kept for the record)"
    )


class CheckInOut(ApiModel):
    """The recorded check-in."""

    site_visit_id: int
    ticket_id: int
    ticket_status: str = Field(examples=["on_site"])
    checked_in_at: dt.datetime
    distance_m: float = Field(description="Geodesic distance from the site")
    flagged: bool = Field(description="Further than the configured radius: shown to dispatchers")
    radius_m: float


class CheckOutIn(ApiModel):
    """Leaving the site, with the outcome of the visit."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "lat": 31.2304,
                    "lon": 121.4737,
                    "outcome": "fixed",
                    "notes": "Replaced the door sensor",
                    "customer_accepted": True,
                },
                {
                    "outcome": "needs_follow_up",
                    "parts": ["door operator board"],
                    "notes": "Board burnt; ordered",
                },
            ]
        },
    )

    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    device_time: Instant | None = None
    outcome: Literal["fixed", "needs_follow_up", "no_access"]
    notes: Text | None = Field(default=None, max_length=4000)
    customer_accepted: bool | None = Field(
        default=None, description="The customer signed the work off on site (closes the ticket)"
    )
    parts: list[Annotated[Text, Field(max_length=200)]] = Field(
        default_factory=list, max_length=50, description="Parts to order for the follow-up"
    )


class CheckOutOut(ApiModel):
    """The recorded check-out."""

    site_visit_id: int
    ticket_id: int
    ticket_status: str = Field(examples=["awaiting_acceptance"])
    checked_in_at: dt.datetime
    checked_out_at: dt.datetime
    outcome: str
