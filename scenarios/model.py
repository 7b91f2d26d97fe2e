"""Scenario files: what a simulated stretch of field service looks like (pydantic-validated).

A scenario describes a region (centre and radius, optionally demand clusters), the
engineers (groups by level with skills, shifts, breaks and home bases), the customers,
the demand (ticket arrivals per hour by tier and kind, skill and level mix, durations,
appointment slots, VIP share, a backlog at the start), the SLA policy, the travel model,
disruptions, the dispatch policy with its parameters, the horizon and a random seed.

:func:`scenarios.load.load_scenario` reads a YAML file into :class:`Scenario` and turns a
validation failure into one message naming every field at fault.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from dispatch.models import TicketKind
from scenarios.model_world import (
    ALL_DAYS,
    WEEKDAYS,
    WORKDAYS,
    Clock,
    Cluster,
    Customers,
    EngineerGroup,
    Geography,
    Level,
    Point,
    Shift,
    Weekday,
    Window,
    clock_after,
    clock_minutes,
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


__all__ = [
    "ALL_DAYS",
    "POLICIES",
    "WEEKDAYS",
    "WORKDAYS",
    "Cluster",
    "Customers",
    "EngineerGroup",
    "Geography",
    "Level",
    "Point",
    "Scenario",
    "Shift",
    "Weekday",
    "Window",
    "clock_minutes",
]

POLICIES = ("greedy", "batch", "batch+insert")
"""The dispatch policies a scenario may name (see :mod:`scenarios.policies`)."""


class Duration(_Strict):
    """Time on site: log-normal with this mean and standard deviation (minutes)."""

    mean_minutes: float = Field(gt=0, le=1440)
    sd_minutes: float = Field(default=0.0, ge=0)


class Arrival(_Strict):
    """A stream of requests: ``per_hour`` on average (Poisson) during ``hours`` on ``days``."""

    tier: int = Field(ge=1, le=4)
    kind: TicketKind = TicketKind.REPAIR
    per_hour: float = Field(ge=0, le=1000)
    hours: Window = Window(start="00:00", end="24:00")
    days: tuple[Weekday, ...] = ALL_DAYS
    duration: Duration = Duration(mean_minutes=60, sd_minutes=20)


class Backlog(_Strict):
    """Open tickets waiting at the start of the horizon (planned work, earlier requests)."""

    count: int = Field(ge=0, le=10000)
    tier: int = Field(default=4, ge=1, le=4)
    kind: TicketKind = TicketKind.PREVENTIVE_MAINTENANCE
    duration: Duration = Duration(mean_minutes=60, sd_minutes=15)
    age_hours: float = Field(default=0.0, ge=0, le=24 * 30)
    """How long before the start they were reported."""


class Appointments(_Strict):
    """Appointment slots: a share of P3/P4 tickets gets a slot of ``slot_minutes``.

    Slots start between ``first`` and ``last`` on a working day 0..``lead_days`` days
    after the request (a day with engineers on shift).
    """

    share: float = Field(default=0.0, ge=0, le=1)
    slot_minutes: int = Field(default=120, ge=15, le=1440)
    first: Clock = "08:00"
    last: Annotated[
        Clock,
        AfterValidator(
            clock_after(
                "first",
                may_equal=True,
                message="last slot {value} is before the first slot {earlier}",
            )
        ),
    ] = "15:00"
    lead_days: int = Field(default=1, ge=0, le=30)


def _positive_values(value: dict[str, float], label: str) -> dict[str, float]:
    """``value`` when all its numbers are > 0, else ValueError naming the first other.

    ``label`` (formatted with the ``key``) names the number in the message.
    """
    for key, number in value.items():
        if number <= 0:
            raise ValueError(f"{label.format(key=key)} must be > 0, got {number}")
    return value


class Demand(_Strict):
    """Where the work comes from."""

    arrivals: tuple[Arrival, ...] = Field(min_length=1)
    skill_mix: dict[str, float] = Field(min_length=1)
    """Skill -> relative weight of tickets needing it."""
    level_mix: dict[int, float] = {1: 0.6, 2: 0.3, 3: 0.1}
    """Minimum engineer level -> relative weight."""
    vip_share: float = Field(default=0.1, ge=0, le=1)
    """Share of tickets from VIP customers."""
    remote_share: float = Field(default=0.0, ge=0, le=1)
    """Share of repairs fixed by remote diagnosis (15 minutes after the request)."""
    appointments: Appointments = Appointments()
    backlog: tuple[Backlog, ...] = ()

    @field_validator("skill_mix")
    @classmethod
    def _weights(cls, value: dict[str, float]) -> dict[str, float]:
        return _positive_values(value, "skill {key!r}: weight")

    @field_validator("level_mix")
    @classmethod
    def _levels(cls, value: dict[int, float]) -> dict[int, float]:
        for level, weight in value.items():
            if not 1 <= level <= 3:
                raise ValueError(f"level must be 1..3, got {level}")
            if weight < 0:
                raise ValueError(f"level {level}: weight must be >= 0, got {weight}")
        if not any(w > 0 for w in value.values()):
            raise ValueError("at least one level needs a positive weight")
        return value


class Sla(_Strict):
    """The SLA policy: a policy file (default: the packaged one) and response overrides."""

    policy_file: Path | None = None
    response_hours: dict[Literal["P1", "P2", "P3", "P4"], float] = {}
    """Response target (hours, standard customers; VIPs get half) per tier, replacing the file's."""

    @field_validator("response_hours")
    @classmethod
    def _positive(cls, value: dict[str, float]) -> dict[str, float]:
        return _positive_values(value, "{key}: response hours")


class Travel(_Strict):
    """Straight lines x ``circuity`` at ``speed_kmh``; actual drives vary by ``noise_sd``."""

    speed_kmh: float = Field(default=30.0, gt=0, le=200)
    circuity: float = Field(default=1.3, ge=1.0, le=3.0)
    noise_sd: float = Field(default=0.15, ge=0, le=2)
    """Standard deviation of log(actual / expected drive time)."""


class Sick(_Strict):
    """Engineers calling in sick: a chance per engineer and working day."""

    probability: float = Field(default=0.0, ge=0, le=1)


class Disruptions(_Strict):
    """What goes wrong in the field."""

    duration_noise_sd: float = Field(default=0.2, ge=0, le=2)
    """Standard deviation of log(actual / estimated time on site)."""
    overrun_probability: float = Field(default=0.0, ge=0, le=1)
    overrun_factor: float = Field(default=1.5, ge=1, le=10)
    no_access_probability: float = Field(default=0.0, ge=0, le=1)
    no_access_retry_hours: float = Field(default=4.0, gt=0, le=24 * 14)
    """The customer is reachable again this long after a failed visit."""
    parts_shortage_probability: float = Field(default=0.0, ge=0, le=1)
    parts_lead_hours: float = Field(default=24.0, gt=0, le=24 * 30)
    vip_parts_lead_hours: float = Field(default=8.0, gt=0, le=24 * 30)
    follow_up_share: float = Field(default=0.5, gt=0, le=2)
    """Follow-up visit length as a share of the first visit's estimate."""
    sick: Sick = Sick()


class PolicySpec(_Strict):
    """The dispatch policy and its parameters (see :mod:`scenarios.policies`)."""

    name: Literal["greedy", "batch", "batch+insert"] = "batch+insert"
    """The scenario's policy: ``dispatch simulate`` runs it beside the baseline unless
    ``--policy`` is given; a scenario that does not set it compares all policies."""
    interval_minutes: int = Field(default=60, ge=5, le=24 * 60)
    """Batch: minutes between re-optimisations. Greedy: minutes between queue re-checks."""
    iterations: int = Field(default=300, ge=0, le=100000)
    """Improvement iterations per re-optimisation: the whole work budget of a re-plan.
    The simulation's solves are deterministic (no wall-clock check), so a seed gives the
    same run on a loaded machine as on an idle one."""
    solve_seconds: float = Field(default=20.0, gt=0, le=600)
    """Recorded as each stored plan's time budget; it does not bound the simulation's
    solves (they are bounded by ``iterations``, see above)."""
    insert_tiers: tuple[int, ...] = (1,)
    """batch+insert: tiers inserted the moment they arrive."""
    plan_ahead_minutes: int = Field(default=30, ge=0, le=12 * 60)
    """The day's first plan is made this long before the earliest shift starts."""

    @field_validator("insert_tiers")
    @classmethod
    def _tiers(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        for tier in value:
            if not 1 <= tier <= 4:
                raise ValueError(f"tier must be 1..4, got {tier}")
        return value


class Scenario(_Strict):
    """A whole scenario file."""

    name: str = Field(min_length=1, max_length=80)
    description: str = ""
    start: dt.date
    """The first (local) day simulated."""
    days: int = Field(default=1, ge=1, le=28)
    """The horizon in days."""
    timezone: str = "UTC"
    seed: int = Field(default=1, ge=0)
    geography: Geography
    engineers: tuple[EngineerGroup, ...] = Field(min_length=1)
    customers: Customers = Customers()
    demand: Demand
    sla: Sla = Sla()
    travel: Travel = Travel()
    disruptions: Disruptions = Disruptions()
    policy: PolicySpec = PolicySpec()

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _skills_within_seniority(self) -> Scenario:
        """A skill level above the group's seniority is refused, naming the engineers.

        DOMAIN.md: juniors do basic operation and common faults, mids complex faults,
        seniors everything; a skill level (1 basic .. 3 expert) cannot exceed that.
        """
        problems, first_code = [], 1
        for index, group in enumerate(self.engineers):
            top = group.level.top_skill_level
            last_code = first_code + group.count - 1
            codes = f"E{first_code:03d}" + (f"-E{last_code:03d}" if group.count > 1 else "")
            for skill, level in sorted(group.skills.items()):
                if level > top:
                    problems.append(
                        f"engineers.{index}.skills.{skill}: level {level} is above what "
                        f"{group.level.value} engineers ({codes}) hold (up to {top}); "
                        f"lower it or make the group's level more senior"
                    )
            first_code = last_code + 1
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @model_validator(mode="after")
    def _skills_known(self) -> Scenario:
        known = sorted({s for g in self.engineers for s in g.skills})
        for skill in self.demand.skill_mix:
            if skill not in known:
                raise ValueError(
                    f"demand.skill_mix.{skill}: unknown skill {skill!r}; "
                    f"the engineers have {', '.join(known)}"
                )
        top = max(lvl for g in self.engineers for lvl in g.skills.values())
        for level, weight in self.demand.level_mix.items():
            if weight > 0 and level > top:
                raise ValueError(
                    f"demand.level_mix.{level}: no engineer has level {level} in any skill"
                )
        if not any(a.per_hour > 0 for a in self.demand.arrivals) and not any(
            b.count for b in self.demand.backlog
        ):
            raise ValueError("demand.arrivals: no ticket would ever arrive (all rates are 0)")
        return self

    @property
    def zone(self) -> ZoneInfo:
        """The region's time zone."""
        return ZoneInfo(self.timezone)

    @property
    def skills(self) -> list[str]:
        """Every skill of the engineers, sorted."""
        return sorted({s for g in self.engineers for s in g.skills})

    def origin(self) -> dt.datetime:
        """Local midnight of the first day, as UTC: second 0 of the simulation."""
        return dt.datetime.combine(self.start, dt.time(0), self.zone).astimezone(dt.UTC)

    def day(self, index: int) -> dt.date:
        """The local date of day ``index`` (0-based)."""
        return self.start + dt.timedelta(days=index)

    def day_start(self, index: int) -> float:
        """Simulation second of local midnight of day ``index`` (time-zone changes included)."""
        local = dt.datetime.combine(self.day(index), dt.time(0), self.zone)
        return (local.astimezone(dt.UTC) - self.origin()).total_seconds()

    def horizon_seconds(self) -> float:
        """Simulation seconds to the end of the horizon."""
        return self.day_start(self.days)
