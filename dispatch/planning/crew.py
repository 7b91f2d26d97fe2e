"""The engineers of a planning problem: who works the day, from when and where.

An engineer is in the problem when they are active, have a shift that day, a valid
certification and some time left after their absences. An in-day re-plan starts them at
``now`` from their last known position (when recent), or where they are on site when the
job under way ends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dispatch.infra.positions import Position
from dispatch.models import Engineer, EngineerShift, SiteVisit, Ticket
from dispatch.org.availability import absences_on, available, to_seconds
from dispatch.planning.inputs import DayAxis, PlanningOptions
from dispatch.planning.snapshot import engineer_digest
from solver import Break, Location, TimeWindow
from solver import Engineer as SolverEngineer

Busy = tuple[int, Location]
"""When (solver seconds) and where an engineer on site becomes free."""


@dataclass(frozen=True)
class Crew:
    """The engineers' side of a problem.

    Attributes
    ----------
    engineers
        The solver's engineers, by code.
    engineer_ids
        Code -> database id of the engineers in the problem.
    codes
        Database id -> code of every active engineer of the regions (in it or not).
    snapshot
        ``engineer:<code>`` -> digest, for every engineer on shift and certified.
    on_site
        Ids of the site visits in progress (of tickets the problem knows).
    """

    engineers: tuple[SolverEngineer, ...]
    engineer_ids: dict[str, int]
    codes: dict[int, str]
    snapshot: dict[str, str]
    on_site: tuple[int, ...]


def load_engineers(session: Session, regions: list[int]) -> Sequence[Engineer]:
    """The active engineers of ``regions`` with skills and shifts, by code."""
    return session.scalars(
        select(Engineer)
        .where(Engineer.region_id.in_(regions), Engineer.active.is_(True))
        .options(selectinload(Engineer.skills), selectinload(Engineer.shifts))
        .order_by(Engineer.code)
    ).all()


def visits_in_progress(
    session: Session, codes: Mapping[int, str], tickets: Sequence[Ticket], axis: DayAxis
) -> tuple[dict[int, Busy], tuple[int, ...]]:
    """Engineers on site: engineer id -> when and where they are free; the visits' ids.

    The job ends its estimated duration after check-in (no earlier than now).
    """
    rows = session.scalars(
        select(SiteVisit).where(
            SiteVisit.checked_out_at.is_(None), SiteVisit.engineer_id.in_(list(codes) or [-1])
        )
    ).all()
    ticket_by_id = {t.id: t for t in tickets}
    busy: dict[int, Busy] = {}
    for sv in rows:
        t = ticket_by_id.get(sv.ticket_id)
        if t is None:
            continue
        done = axis.seconds(sv.checked_in_at) + t.estimated_minutes * 60
        busy[sv.engineer_id] = (max(done, axis.now_s or 0), Location(t.site.lat, t.site.lon))
    return busy, tuple(sv.id for sv in rows if sv.ticket_id in ticket_by_id)


def build_crew(
    *,
    session: Session,
    regions: list[int],
    axis: DayAxis,
    tickets: Sequence[Ticket],
    positions: Mapping[int, Position] | None,
    options: PlanningOptions,
) -> Crew:
    """The engineers of ``regions`` who can work on ``axis.day``, as the solver sees them."""
    rows = load_engineers(session, regions)
    codes = {e.id: e.code for e in rows}
    absent = absences_on(session=session, engineer_ids=codes, day=axis.day, zone=axis.zone)
    busy, on_site = visits_in_progress(session, codes, tickets, axis)
    engineers: list[SolverEngineer] = []
    engineer_ids: dict[str, int] = {}
    snapshot: dict[str, str] = {}
    for e in rows:
        shift = e.shift_on(axis.day)
        if shift is None or not e.certified_on(axis.day):
            continue
        snapshot[f"engineer:{e.code}"] = engineer_digest(e, axis.day, absent.get(e.id, ()))
        start = _start(e, shift, axis, busy.get(e.id), positions, options)
        solver = solver_engineer(e, shift, axis, start, absent.get(e.id, []), options)
        if solver is not None:
            engineers.append(solver)
            engineer_ids[e.code] = e.id
    return Crew(tuple(engineers), engineer_ids, codes, snapshot, on_site)


def solver_engineer(
    e: Engineer,
    shift: EngineerShift,
    axis: DayAxis,
    start: Busy,
    absences: Sequence[tuple[dt.datetime, dt.datetime]],
    options: PlanningOptions,
) -> SolverEngineer | None:
    """The solver's engineer from ``start`` to the shift's end, minus ``absences``.

    ``None`` when no time is left that day.
    """
    start_s, start_loc = start
    end_s = axis.minute(shift.end_minute)
    if start_s >= end_s:
        return None
    window = available(
        start=start_s,
        end=end_s,
        breaks=_lunch(shift, axis, start_s),
        absences=to_seconds(absences, axis.origin),
    )
    if window is None:  # absent all the time left that day
        return None
    cost = e.cost_per_job if isinstance(e.cost_per_job, Decimal) else Decimal(e.cost_per_job or 0)
    return SolverEngineer(
        id=e.code,
        start=start_loc,
        end=Location(e.home_lat, e.home_lon),
        shift=TimeWindow(window.start, window.end),
        skills={s.skill: s.level for s in e.skills},
        breaks=tuple(window.breaks),
        max_jobs=e.max_jobs_per_day,
        max_work_seconds=e.max_work_minutes_per_day * 60,
        cost_per_job=int(cost * options.contractor_cost_seconds),
        parts_capacity=e.parts_capacity,
    )


def _start(
    e: Engineer,
    shift: EngineerShift,
    axis: DayAxis,
    busy: Busy | None,
    positions: Mapping[int, Position] | None,
    options: PlanningOptions,
) -> Busy:
    """When and where the engineer starts: the shift's start at home; in a re-plan no
    earlier than now, from a recent position; on site, when and where the job ends."""
    start_s = axis.minute(shift.start_minute)
    start_loc = Location(e.home_lat, e.home_lon)
    now_s = axis.now_s
    if now_s is not None:
        start_s = max(start_s, now_s)
        pos = (positions or {}).get(e.id)
        if (
            pos is not None
            and axis.now is not None
            and axis.now - pos.at <= options.position_max_age
        ):
            start_loc = Location(pos.lat, pos.lon)
    if busy is not None:
        free_at, site = busy
        start_s, start_loc = max(start_s, free_at), site
    return start_s, start_loc


def _lunch(shift: EngineerShift, axis: DayAxis, start_s: int) -> list[Break]:
    """The shift's lunch break, if its window has not passed by ``start_s``."""
    if not (
        shift.break_minutes
        and shift.break_earliest_minute is not None
        and shift.break_latest_minute is not None
    ):
        return []
    b_start = axis.minute(shift.break_earliest_minute)
    b_end = axis.minute(shift.break_latest_minute)
    if b_end < start_s:
        return []
    return [Break(shift.break_minutes * 60, TimeWindow(max(b_start, start_s), b_end))]
