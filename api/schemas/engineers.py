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
