"""Scenario parts: clock times and weekdays, the geography, the engineers and the customers.

The rest of a scenario (demand, SLA, travel, disruptions, the policy) and the
:class:`~scenarios.model.Scenario` itself are in :mod:`scenarios.model`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
_SKILL = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class Weekday(StrEnum):
    """Days of the week, as in the SLA calendars."""

    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @property
    def number(self) -> int:
        """0 = Monday .. 6 = Sunday."""
        return WEEKDAYS.index(self.value)


ALL_DAYS: tuple[Weekday, ...] = tuple(Weekday)
WORKDAYS: tuple[Weekday, ...] = ALL_DAYS[:5]


def clock_minutes(text: str) -> int:
    """Minutes after midnight of an ``"HH:MM"`` clock time (``"24:00"`` is 1440)."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def check_clock(value: str) -> str:
    """``value`` when it is a clock time ``HH:MM`` from 00:00 to 24:00, else ValueError."""
    match = _CLOCK.match(value)
    if match is None or clock_minutes(value) > 1440:
        raise ValueError(f"{value!r} is not a clock time HH:MM between 00:00 and 24:00")
    return value


Clock = Annotated[str, AfterValidator(check_clock)]
"""A clock time ``HH:MM`` from 00:00 to 24:00."""


def clock_after(
    earlier: str, *, may_equal: bool, message: str
) -> Callable[[str, ValidationInfo], str]:
    """A check that a clock field does not come before the clock field ``earlier``.

    Parameters
    ----------
    earlier
        Name of the earlier field (declared before the checked one; when it failed its
        own validation, nothing is checked).
    may_equal
        Whether the two may be the same time.
    message
        The error, formatted with ``value`` (the checked time) and ``earlier`` (its time).

    Returns
    -------
    callable
        The check, for ``AfterValidator`` on the later field.
    """

    def check(value: str, info: ValidationInfo) -> str:
        first = info.data.get(earlier)
        if first is not None:
            gap = clock_minutes(value) - clock_minutes(first)
            if gap < 0 or (gap == 0 and not may_equal):
                raise ValueError(message.format(value=value, earlier=first))
        return value

    return check


class StrictModel(BaseModel):
    """A frozen model that refuses unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Point(StrictModel):
    """A place on the globe."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Cluster(Point):
    """A demand hot spot: sites are drawn within ``radius_km`` of it, by ``weight``."""

    radius_km: float = Field(gt=0, le=500)
    weight: float = Field(default=1.0, gt=0)


class Geography(StrictModel):
    """The service area: a centre and a radius; sites cluster around ``clusters`` if given."""

    centre: Point
    radius_km: float = Field(gt=0, le=1000)
    clusters: tuple[Cluster, ...] = ()


class Window(StrictModel):
    """A span of clock time within a day; ``end`` must come after ``start``."""

    start: Clock
    end: Annotated[
        Clock,
        AfterValidator(
            clock_after(
                "start", may_equal=False, message="ends at {value}, not after its start {earlier}"
            )
        ),
    ]

    @property
    def start_minute(self) -> int:
        """Start, in minutes after midnight."""
        return clock_minutes(self.start)

    @property
    def end_minute(self) -> int:
        """End, in minutes after midnight."""
        return clock_minutes(self.end)


class Shift(Window):
    """Working hours on ``days``, with a break of ``break_minutes`` inside ``break_window``."""

    days: tuple[Weekday, ...] = WORKDAYS
    break_minutes: int = Field(default=30, ge=0, le=240)
    break_window: Window | None = Window(start="11:30", end="13:30")

    @model_validator(mode="after")
    def _break_inside(self) -> Shift:
        window = self.break_window
        if not self.break_minutes:
            return self
        if window is None:
            raise ValueError("break_window is needed when break_minutes > 0")
        default = "" if "break_window" in self.model_fields_set else " (the default)"
        if window.start_minute < self.start_minute or window.end_minute > self.end_minute:
            raise ValueError(
                f"break_window: {window.start}-{window.end}{default} is not inside the shift "
                f"{self.start}-{self.end}; move it inside the shift or set break_minutes: 0"
            )
        if window.start_minute + self.break_minutes > self.end_minute:
            raise ValueError(
                f"break_minutes: a {self.break_minutes}-minute break starting at "
                f"{window.start} runs past the shift end {self.end}"
            )
        return self


class Level(StrEnum):
    """Engineer seniority."""

    JUNIOR = "junior"
    MID = "mid"
    SENIOR = "senior"

    @property
    def top_skill_level(self) -> int:
        """The highest skill level an engineer of this seniority holds (junior 1 .. senior 3)."""
        return list(Level).index(self) + 1


class EngineerGroup(StrictModel):
    """``count`` engineers of one level, skill mix and shift pattern.

    ``skills`` maps a skill to the level (1..3) the group has in it. ``home`` is where
    they start and end the day: ``spread`` (random points within 80 % of the radius),
    ``centre``, or a point.
    """

    count: int = Field(ge=1, le=500)
    level: Level = Level.MID
    skills: dict[str, int] = Field(min_length=1)
    shift: Shift = Shift(start="08:00", end="17:00")
    home: Literal["spread", "centre"] | Point = "spread"
    max_jobs: int = Field(default=8, ge=1, le=50)
    max_work_minutes: int = Field(default=480, ge=1, le=1440)
    contractor: bool = False
    cost_per_job: float = Field(default=0.0, ge=0)

    @field_validator("skills")
    @classmethod
    def _skill_levels(cls, value: dict[str, int]) -> dict[str, int]:
        for skill, level in value.items():
            if not _SKILL.match(skill):
                raise ValueError(f"skill {skill!r} must be a lower-case name like 'hvac'")
            if not 1 <= level <= 3:
                raise ValueError(f"skill {skill!r}: level must be 1..3, got {level}")
        return value

    @model_validator(mode="after")
    def _contractors_cost(self) -> EngineerGroup:
        if self.cost_per_job and not self.contractor:
            raise ValueError("cost_per_job is for contractors only (set contractor: true)")
        return self


class Customers(StrictModel):
    """The customer base: ``count`` customers, a share of them VIP, 1..``max_sites`` sites each."""

    count: int = Field(default=40, ge=1, le=5000)
    vip_share: float = Field(default=0.1, ge=0, le=1)
    max_sites: int = Field(default=2, ge=1, le=20)
    access_hours: Window | None = None
    """Site opening hours (every day); ``None``: always accessible."""
