"""The engineers' mobile app."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class WindowOut(BaseModel):
    """An appointment window (service start), in the region's time zone."""

    start: dt.datetime
    end: dt.datetime


class SiteOut(BaseModel):
    """Where to go."""

    name: str
    address: str
    lat: float
    lon: float
    navigation_url: str = Field(description="Directions in OpenStreetMap")
    geo_uri: str = Field(examples=["geo:31.2304,121.4737"], description="Opens the phone's map app")


class ContactOut(BaseModel):
    """The customer's contact (personal data: shown for the engineer's own assigned jobs only)."""

    customer: str
    vip: bool
    name: str | None
    phone: str | None


class JobOut(BaseModel):
    """One job of the day, in route order."""

    ticket_id: int
    ticket_number: str = Field(examples=["AT00-REP-20261124-0001"])
    kind: str
    priority: int
    status: str
    sequence: int
    planned_arrival: dt.datetime
    planned_start: dt.datetime
    planned_end: dt.datetime
    windows: list[WindowOut]
    symptoms: str
    required_skill: str
    asset: str | None
    site: SiteOut
    contact: ContactOut


class JobsOut(BaseModel):
    """The engineer's day."""

    date: dt.date
    engineer_code: str
    timezone: str
    jobs: list[JobOut]


class LocationIn(BaseModel):
    """A position ping from the phone."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"lat": 31.2304, "lon": 121.4737, "accuracy_m": 12}]},
    )

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)
    device_time: dt.datetime | None = Field(default=None, description="When the phone took the fix")


class LocationOut(BaseModel):
    """The stored position."""

    engineer_id: int
    lat: float
    lon: float
    at: dt.datetime
    expires_in: int
