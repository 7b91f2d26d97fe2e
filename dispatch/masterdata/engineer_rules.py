"""Checks of an engineer's fields: skills, weekly shifts with a break window, cost, limits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from dispatch.errors import InvalidInput
from dispatch.masterdata.common import check_range, hhmm, minutes_of
from dispatch.models import Employment, Engineer, EngineerLevel, EngineerShift, EngineerSkill

_LEVELS = {level.value for level in EngineerLevel}
_EMPLOYMENTS = {e.value for e in Employment}


def check_skills(skills: Sequence[Mapping[str, Any]]) -> list[EngineerSkill]:
    """Skill rows of ``[{skill, level 1..3}]`` (a skill at most once).

    Raises
    ------
    InvalidInput
        A blank or repeated skill, a level outside 1..3 (``field`` = ``skills.N.<name>``).
    """
    rows: list[EngineerSkill] = []
    seen: set[str] = set()
    for n, item in enumerate(skills):
        name = str(item.get("skill") or "").strip()
        if not name or len(name) > 64:
            raise InvalidInput("skill must be 1..64 characters", field=f"skills.{n}.skill")
        if name in seen:
            raise InvalidInput(f"skill {name!r} is listed twice", field=f"skills.{n}.skill")
        seen.add(name)
        level = item.get("level")
        if not isinstance(level, int) or not 1 <= level <= 3:
            raise InvalidInput("skill level must be 1, 2 or 3", field=f"skills.{n}.level")
        rows.append(EngineerSkill(skill=name, level=level))
    return rows


def _break_window(item: Mapping[str, Any], where: str, start: int, end: int) -> dict[str, Any]:
    minutes = item.get("break_minutes") or 0
    if not isinstance(minutes, int) or minutes < 0 or minutes > end - start:
        raise InvalidInput(
            "break_minutes must be 0 .. the shift's length", field=f"{where}.break_minutes"
        )
    earliest, latest = item.get("break_earliest"), item.get("break_latest")
    if minutes == 0 and earliest is None and latest is None:
        return {"break_minutes": 0, "break_earliest_minute": None, "break_latest_minute": None}
    if earliest is None or latest is None:
        field = f"{where}.break_earliest" if earliest is None else f"{where}.break_latest"
        raise InvalidInput("a break needs break_earliest and break_latest", field=field)
    first = minutes_of(str(earliest), f"{where}.break_earliest")
    last = minutes_of(str(latest), f"{where}.break_latest")
    if not start <= first <= end:
        raise InvalidInput("break_earliest is outside the shift", field=f"{where}.break_earliest")
    if not first <= last <= end:
        raise InvalidInput(
            "break_latest must be between break_earliest and the shift's end",
            field=f"{where}.break_latest",
        )
    return {"break_minutes": minutes, "break_earliest_minute": first, "break_latest_minute": last}


def check_shifts(shifts: Sequence[Mapping[str, Any]]) -> list[EngineerShift]:
    """Shift rows of ``[{weekday 0..6, start, end "HH:MM", break_minutes, break_earliest,
    break_latest}]`` (one shift a weekday, end after start, the break inside the shift).

    Raises
    ------
    InvalidInput
        The first bad value (``field`` = ``shifts.N.<name>``).
    """
    rows: list[EngineerShift] = []
    seen: set[int] = set()
    for n, item in enumerate(shifts):
        where = f"shifts.{n}"
        weekday = item.get("weekday")
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise InvalidInput("weekday must be 0 (Monday) .. 6", field=f"{where}.weekday")
        if weekday in seen:
            raise InvalidInput(f"weekday {weekday} has two shifts", field=f"{where}.weekday")
        seen.add(weekday)
        start = minutes_of(str(item.get("start") or ""), f"{where}.start")
        end = minutes_of(str(item.get("end") or ""), f"{where}.end")
        if end <= start:
            raise InvalidInput("a shift must end after it starts", field=f"{where}.end")
        window = _break_window(item, where, start, end)
        rows.append(EngineerShift(weekday=weekday, start_minute=start, end_minute=end, **window))
    return rows


def check_plain(values: Mapping[str, Any], engineer: Engineer | None) -> None:
    """Check the engineer's scalar fields (given ones, against the current for the rest).

    Raises
    ------
    InvalidInput
        Unknown level or employment, a position or limit out of range, a cost for an
        employee (only contractors cost per job).
    """
    if "level" in values and values["level"] not in _LEVELS:
        raise InvalidInput(f"level must be one of {sorted(_LEVELS)}", field="level")
    if "employment" in values and values["employment"] not in _EMPLOYMENTS:
        raise InvalidInput(f"employment must be one of {sorted(_EMPLOYMENTS)}", field="employment")
    for name in ("home_lat", "home_lon", "max_jobs_per_day", "max_work_minutes_per_day"):
        if name in values and values[name] is None:
            raise InvalidInput(f"{name} must not be null", field=name)
    check_range(values.get("home_lat"), "home_lat", -90, 90)
    check_range(values.get("home_lon"), "home_lon", -180, 180)
    check_range(values.get("max_jobs_per_day"), "max_jobs_per_day", 1, 100)
    check_range(values.get("max_work_minutes_per_day"), "max_work_minutes_per_day", 1, 1440)
    check_range(values.get("parts_capacity"), "parts_capacity", 0, 10_000)
    cost = values.get("cost_per_job")
    if "cost_per_job" in values and (cost is None or cost < 0 or cost >= Decimal("1e8")):
        raise InvalidInput("cost_per_job must be 0 .. 99999999.99", field="cost_per_job")
    employment = values.get("employment", engineer.employment if engineer else "employee")
    cost = values.get("cost_per_job", engineer.cost_per_job if engineer else Decimal(0))
    if employment != Employment.CONTRACTOR.value and cost:
        field = "cost_per_job" if "cost_per_job" in values else "employment"
        raise InvalidInput("only contractors cost money per job", field=field)


def skills_view(skills: Sequence[EngineerSkill]) -> list[dict[str, Any]]:
    """Skills as plain data (for the audit trail)."""
    return [{"skill": s.skill, "level": s.level} for s in sorted(skills, key=lambda s: s.skill)]


def shifts_view(shifts: Sequence[EngineerShift]) -> list[dict[str, Any]]:
    """Shifts as plain data with ``HH:MM`` times (for the audit trail)."""
    return [
        {
            "weekday": s.weekday,
            "start": hhmm(s.start_minute),
            "end": hhmm(s.end_minute),
            "break_minutes": s.break_minutes,
            "break_earliest": hhmm(s.break_earliest_minute),
            "break_latest": hhmm(s.break_latest_minute),
        }
        for s in sorted(shifts, key=lambda s: s.weekday)
    ]
