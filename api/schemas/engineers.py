"""Engineer schemas."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import Field

from api.schemas.common import ApiModel


class SkillOut(ApiModel):
    """A skill and the engineer's level in it (1..3)."""

    skill: str = Field(examples=["elevator"])
    level: int = Field(ge=1, le=3, examples=[2])


class ShiftOut(ApiModel):
    """A weekly shift; minutes from midnight in the region's time zone."""

    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    start_minute: int = Field(examples=[480])
    end_minute: int = Field(examples=[1020])
    break_minutes: int = Field(examples=[30])
    break_earliest_minute: int | None = Field(examples=[690])
    break_latest_minute: int | None = Field(examples=[810])


class EngineerOut(ApiModel):
    """A field engineer."""

    id: int
    code: str = Field(examples=["E001"])
    name: str
    level: str = Field(examples=["mid"])
    region_id: int
    region_code: str | None = None
    home_lat: float
    home_lon: float
    employment: str = Field(examples=["employee"])
    cost_per_job: Decimal
    certification_valid_until: dt.date | None
    max_jobs_per_day: int
    max_work_minutes_per_day: int
    parts_capacity: int | None
    active: bool
    skills: list[SkillOut]
    shifts: list[ShiftOut]


class PositionOut(ApiModel):
    """An engineer's last fresh position (from the app's pings or a check-in)."""

    engineer_id: int
    engineer_code: str = Field(examples=["E001"])
    lat: float
    lon: float
    at: dt.datetime = Field(description="When the position was taken")


class PositionsOut(ApiModel):
    """Fresh positions; engineers without one (none sent, or expired) are left out."""

    items: list[PositionOut]


class SiteVisitOut(ApiModel):
    """What happened on site: the actual check-in and check-out of a visit."""

    id: int
    ticket_id: int
    ticket_number: str
    engineer_id: int
    checked_in_at: dt.datetime
    checked_out_at: dt.datetime | None
    flagged: bool = Field(description="Checked in further from the site than allowed")
    distance_m: float
    outcome: str | None


class SiteVisitsOut(ApiModel):
    """The site visits of a day."""

    items: list[SiteVisitOut]
