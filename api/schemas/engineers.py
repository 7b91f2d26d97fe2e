"""Engineer schemas."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import (
    ApiModel,
    ClockTime,
    Code,
    Day,
    Email,
    Id,
    Latitude,
    Longitude,
    Name,
    Phone,
    Text,
    patch_of,
)


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
    start: str | None = Field(default=None, examples=["08:00"], description="HH:MM")
    end: str | None = Field(default=None, examples=["17:00"], description="HH:MM")
    break_earliest: str | None = Field(default=None, examples=["11:30"])
    break_latest: str | None = Field(default=None, examples=["13:30"])


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
    phone: str | None = Field(default=None, description="Personal data: dispatchers, the engineer")
    email: str | None = Field(default=None, description="Personal data: dispatchers, the engineer")


SkillName = Annotated[Text, Field(min_length=1, max_length=64, examples=["elevator"])]


class SkillIn(BaseModel):
    """A skill at a level 1 (basic) .. 3 (expert)."""

    model_config = ConfigDict(extra="forbid")

    skill: SkillName
    level: int = Field(ge=1, le=3, examples=[2])


class ShiftIn(BaseModel):
    """A weekly shift in the region's time zone; a break (``break_minutes`` > 0) starts
    between ``break_earliest`` and ``break_latest``."""

    model_config = ConfigDict(extra="forbid")

    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    start: ClockTime
    end: ClockTime = Field(examples=["17:00"])
    break_minutes: int = Field(default=0, ge=0, le=1440)
    break_earliest: ClockTime | None = None
    break_latest: ClockTime | None = None


Level = Literal["junior", "mid", "senior"]
EmploymentKind = Literal["employee", "contractor"]
Cost = Annotated[Decimal, Field(ge=0, lt=Decimal("1e8"), decimal_places=2, examples=["35.00"])]


class EngineerCreate(BaseModel):
    """A new engineer; ``region`` (code) or ``region_id``. Plannable on a day when a shift
    covers its weekday and the certification is valid."""

    model_config = ConfigDict(extra="forbid")

    code: Code
    name: Name
    region: Code | None = None
    region_id: Id | None = None
    level: Level
    skills: list[SkillIn] = Field(default_factory=list, max_length=50)
    home_lat: Latitude
    home_lon: Longitude
    shifts: list[ShiftIn] = Field(default_factory=list, max_length=7)
    max_jobs_per_day: int = Field(default=8, ge=1, le=100)
    max_work_minutes_per_day: int = Field(default=480, ge=1, le=1440)
    parts_capacity: int | None = Field(default=None, ge=0, le=10_000)
    employment: EmploymentKind = "employee"
    cost_per_job: Cost = Decimal("0")
    certification_valid_until: Day | None = None
    phone: Phone | None = None
    email: Email | None = None
    active: bool = True


@patch_of(EngineerCreate)
class EngineerPatch(BaseModel):
    """Fields of an engineer to change; ``skills`` and ``shifts`` replace the lists."""

    model_config = ConfigDict(extra="forbid")


class DeactivatedEngineerOut(BaseModel):
    """A deactivated engineer and the tickets sent back to the pool (``force=true``)."""

    engineer: EngineerOut
    returned_ticket_ids: list[int]
    reoptimization_ids: list[int] = Field(
        default_factory=list,
        description="In-day re-plans queued for the days published again (``force=true``)",
    )


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
