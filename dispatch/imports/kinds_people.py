"""Engineers (with skills and a weekly shift) and their absences."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from decimal import Decimal
from functools import partial
from typing import Any, ClassVar

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from dispatch.errors import DispatchError
from dispatch.imports import cells as c
from dispatch.imports.spec import Context, Kind, Parser, Row, Stored, Values, format_cell, opt, req
from dispatch.infra.audit import record
from dispatch.masterdata.absences import create_absence
from dispatch.models import (
    AbsenceReason,
    Employment,
    Engineer,
    EngineerAbsence,
    EngineerLevel,
    EngineerShift,
    EngineerSkill,
    Region,
    User,
)

_SHIFT = (
    "shift_days",
    "shift_start",
    "shift_end",
    "break_minutes",
    "break_earliest",
    "break_latest",
)


class Engineers(Kind):
    """``engineers.csv``: one row per engineer, one weekly shift pattern (times local)."""

    entity = "engineer"
    parsers: ClassVar[Mapping[str, Parser]] = {
        "code": req(partial(c.text, max_length=32)),
        "name": req(partial(c.text, max_length=200)),
        "region": req(partial(c.text, max_length=32)),
        "level": req(partial(c.choice, options=[v.value for v in EngineerLevel])),
        "skills": opt(c.skills, ()),
        "home_lat": req(partial(c.number, low=-90, high=90)),
        "home_lon": req(partial(c.number, low=-180, high=180)),
        "shift_days": opt(c.weekdays, ()),
        "shift_start": opt(c.minute_of_day),
        "shift_end": opt(c.minute_of_day),
        "break_minutes": opt(partial(c.integer, low=0, high=1440), 0),
        "break_earliest": opt(c.minute_of_day),
        "break_latest": opt(c.minute_of_day),
        "max_jobs_per_day": opt(partial(c.integer, low=1, high=1000), 8),
        "max_work_minutes_per_day": opt(partial(c.integer, low=1, high=1440), 480),
        "parts_capacity": opt(partial(c.integer, low=0, high=1_000_000)),
        "employment": opt(partial(c.choice, options=[v.value for v in Employment]), "employee"),
        "cost_per_job": opt(c.money, Decimal("0.00")),
        "certification_valid_until": opt(c.date),
        "phone": opt(partial(c.text, max_length=64)),
        "email": opt(partial(c.text, max_length=320)),
    }
    references = (("region", "regions"),)
    model = Engineer

    def check(self, values: Values) -> list[tuple[str, str]]:
        """The shift hangs together; only contractors cost money per job."""
        problems = []
        start, end = values["shift_start"], values["shift_end"]
        if values["shift_days"]:
            if start is None or end is None:
                column = "shift_start" if start is None else "shift_end"
                problems.append((column, "a shift needs a start and an end"))
            elif end <= start:
                problems.append(("shift_end", "the shift must end after it starts"))
        earliest, latest = values["break_earliest"], values["break_latest"]
        if values["break_minutes"] and (earliest is None or latest is None):
            problems.append(("break_earliest", "a break needs break_earliest and break_latest"))
        elif earliest is not None and latest is not None and latest < earliest:
            problems.append(("break_latest", "break_latest is before break_earliest"))
        if values["employment"] != "contractor" and values["cost_per_job"]:
            problems.append(("cost_per_job", "only contractors cost money per job"))
        return problems

    def load(self, session: Session) -> dict[Hashable, Stored]:
        """Stored engineers by code, with skills and the (first) shift pattern."""
        regions = {i: v for i, v in session.execute(select(Region.id, Region.code))}
        skills: dict[int, list[tuple[str, int]]] = {}
        for engineer_id, skill, level in session.execute(select(EngineerSkill.__table__)):
            skills.setdefault(engineer_id, []).append((skill, level))
        shifts: dict[int, list[Any]] = {}
        for shift in session.execute(select(EngineerShift.__table__)):
            shifts.setdefault(shift.engineer_id, []).append(shift)
        stored: dict[Hashable, Stored] = {}
        for r in session.execute(select(Engineer.__table__)):
            values = {
                column: getattr(r, column)
                for column in self.columns
                if column not in ("region", "skills", *_SHIFT)
            }
            values["region"] = regions[r.region_id]
            values["skills"] = tuple(sorted(skills.get(r.id, [])))
            values["cost_per_job"] = Decimal(r.cost_per_job).quantize(Decimal("0.01"))
            values.update(_shift_values(shifts.get(r.id, [])))
            stored[r.code] = Stored(r.id, values)
        return stored

    def db_values(self, values: Values, ctx: Context) -> dict[str, Any]:
        """Engineer columns (skills and shifts are rows of their own)."""
        own = {
            column: values[column]
            for column in self.columns
            if column not in ("region", "skills", *_SHIFT)
        }
        return {**own, "region_id": ctx.id_of("regions", values["region"]), "created_at": ctx.at}

    def write(
        self, session: Session, creates: list[Row], updates: list[tuple[int, Row]], ctx: Context
    ) -> list[tuple[Row, str, str]]:
        """Store engineers in bulk, then replace their skills and shifts."""
        problems = super().write(session, creates, updates, ctx)
        ids = ctx.ids[self.name]
        touched = [(ids[r.key], r) for r in creates] + updates
        if updates:
            changed = [i for i, _ in updates]
            session.execute(delete(EngineerSkill).where(EngineerSkill.engineer_id.in_(changed)))
            session.execute(delete(EngineerShift).where(EngineerShift.engineer_id.in_(changed)))
        skill_rows = [
            {"engineer_id": i, "skill": skill, "level": level}
            for i, r in touched
            for skill, level in r.values["skills"]
        ]
        shift_rows = [
            _shift_row(i, r.values, day) for i, r in touched for day in r.values["shift_days"]
        ]
        if skill_rows:
            session.execute(insert(EngineerSkill), skill_rows)
        if shift_rows:
            session.execute(insert(EngineerShift), shift_rows)
        return problems

    def format(self, values: Values) -> dict[str, str]:
        """Cells, with skills as ``hvac:3;lift:1``, days as ``mon-fri`` and times ``HH:MM``."""
        cells = super().format(values)
        cells["skills"] = c.format_skills(values["skills"])
        cells["shift_days"] = c.format_weekdays(values["shift_days"])
        for column in ("shift_start", "shift_end", "break_earliest", "break_latest"):
            cells[column] = c.format_minute(values[column])
        return cells


def _shift_values(shifts: list[Any]) -> Values:
    """The weekly pattern in the file's shape (times of the first shift)."""
    if not shifts:
        return {
            "shift_days": (),
            "shift_start": None,
            "shift_end": None,
            "break_minutes": 0,
            "break_earliest": None,
            "break_latest": None,
        }
    first = min(shifts, key=lambda s: s.weekday)
    return {
        "shift_days": tuple(sorted(s.weekday for s in shifts)),
        "shift_start": first.start_minute,
        "shift_end": first.end_minute,
        "break_minutes": first.break_minutes,
        "break_earliest": first.break_earliest_minute,
        "break_latest": first.break_latest_minute,
    }


def _shift_row(engineer_id: int, values: Values, weekday: int) -> dict[str, Any]:
    return {
        "engineer_id": engineer_id,
        "weekday": weekday,
        "start_minute": values["shift_start"],
        "end_minute": values["shift_end"],
        "break_minutes": values["break_minutes"],
        "break_earliest_minute": values["break_earliest"],
        "break_latest_minute": values["break_latest"],
    }


class Absences(Kind):
    """``absences.csv``: periods engineers cannot work, by (engineer, start, end)."""

    entity = "absence"
    key_columns = ("engineer", "start", "end")
    parsers: ClassVar[Mapping[str, Parser]] = {
        "engineer": req(partial(c.text, max_length=32)),
        "start": req(c.instant),
        "end": req(c.instant),
        "reason": opt(partial(c.choice, options=[r.value for r in AbsenceReason]), "other"),
    }
    references = (("engineer", "engineers"),)
    model = EngineerAbsence
    audited_by_write = True

    def key(self, values: Values) -> Hashable:
        """Engineer, start and end."""
        return (values["engineer"], values["start"], values["end"])

    def check(self, values: Values) -> list[tuple[str, str]]:
        """An absence ends after it starts."""
        if values["end"] <= values["start"]:
            return [("end", "the absence must end after it starts")]
        return []

    def load(self, session: Session) -> dict[Hashable, Stored]:
        """Uncancelled absences by (engineer code, start, end)."""
        engineers = {i: v for i, v in session.execute(select(Engineer.id, Engineer.code))}
        rows = session.execute(
            select(EngineerAbsence.__table__).where(EngineerAbsence.cancelled_at.is_(None))
        )
        stored: dict[Hashable, Stored] = {}
        for r in rows:
            values = {
                "engineer": engineers[r.engineer_id],
                "start": r.start_at,
                "end": r.end_at,
                "reason": r.reason,
            }
            stored[self.key(values)] = Stored(r.id, values)
        return stored

    def write(
        self, session: Session, creates: list[Row], updates: list[tuple[int, Row]], ctx: Context
    ) -> list[tuple[Row, str, str]]:
        """Store absences through :func:`store_absences` (the absences service)."""
        return store_absences(session=session, creates=creates, updates=updates, ctx=ctx)

    def format(self, values: Values) -> dict[str, str]:
        """Cells; instants in UTC."""
        return {column: format_cell(values[column]) for column in self.columns}


def store_absences(
    *, session: Session, creates: list[Row], updates: list[tuple[int, Row]], ctx: Context
) -> list[tuple[Row, str, str]]:
    """Record new absences with :func:`dispatch.masterdata.absences.create_absence` (audited there, the
    engineer's visits in published plans go back to the pool); a stored one's reason changes
    in place (audited). Queued re-optimisations are left in ``ctx.extra["reoptimizations"]``
    as ``(plan_id, time_budget_seconds)`` for the caller to enqueue after committing.
    """
    actor = session.get(User, ctx.actor_id) if ctx.actor_id is not None else None
    engineer_ids = ctx.ids["engineers"]
    ids = ctx.ids.setdefault("absences", {})
    queued = ctx.extra.setdefault("reoptimizations", [])
    problems: list[tuple[Row, str, str]] = []
    for row in creates:
        try:
            change = create_absence(
                session=session,
                engineer_id=engineer_ids[row.values["engineer"]],
                start=row.values["start"],
                end=row.values["end"],
                reason=row.values["reason"],
                actor=actor,
                now=ctx.at,
            )
        except DispatchError as exc:
            column = {"engineer_id": "engineer"}.get(exc.field or "", exc.field or "start")
            problems.append((row, column, exc.message))
            continue
        ids[row.key] = change.absence.id
        queued.extend((p.id, p.time_budget_seconds) for p in change.reoptimizations)
    for absence_id, row in updates:
        stored = session.get(EngineerAbsence, absence_id)
        if stored is not None and stored.reason != row.values["reason"]:
            record(
                session=session,
                actor_id=ctx.actor_id,
                entity="absence",
                entity_id=absence_id,
                action="updated",
                before={"reason": stored.reason},
                after={"reason": row.values["reason"]},
                at=ctx.at,
            )
            stored.reason = row.values["reason"]
    session.flush()
    return problems
