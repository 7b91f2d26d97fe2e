"""When an engineer can work on a day: the shift minus their absences.

Every path that plans (the API's optimisations, dispatch-now and its follow-up, the
housekeeping re-plans, the simulation's desk and the stale check at publish) builds its
problem with :func:`dispatch.planning.problem.build_problem`, which asks :func:`available` for
each engineer. The rule, on the solver's time axis (seconds from the plan's origin):

- an absence covering all the time the engineer has left that day removes them;
- one covering the start moves the start to its end; one covering the end moves the end
  to its start;
- one in the middle becomes a :class:`solver.problem.Break` whose window is the
  absence's first instant exactly and whose duration is its length: the engineer serves
  nothing during it (a drive may be split around it, like a lunch break, see
  :mod:`solver.check.retime`), and is not owed it once back home before it begins;
- the lunch break keeps clear of absences: an absence at least as long as the lunch that
  overlaps where the lunch could fall replaces it; otherwise the lunch's window shrinks to
  the part where it does not collide with a (short) absence, and is dropped if none is left.

Cancelled absences do not count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.infra.day_clock import local_midnight
from dispatch.models import EngineerAbsence
from solver import Break, TimeWindow

Interval = tuple[int, int]
"""``[start, end)`` in solver seconds."""


@dataclass(frozen=True)
class Availability:
    """An engineer's working time on a day after their absences.

    Attributes
    ----------
    start, end
        The shift as the solver sees it.
    breaks
        The lunch (if still owed) and one break per absence inside the shift.
    """

    start: int
    end: int
    breaks: tuple[Break, ...]


def absences_on(
    *, session: Session, engineer_ids: Iterable[int], day: dt.date, zone: ZoneInfo
) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
    """Uncancelled absences intersecting the local ``day``, per engineer id (earliest first)."""
    start = local_midnight(day, zone)
    end = local_midnight(day + dt.timedelta(days=1), zone)
    ids = sorted(set(engineer_ids))
    out: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    if not ids:
        return out
    rows = session.scalars(
        select(EngineerAbsence)
        .where(
            EngineerAbsence.engineer_id.in_(ids),
            EngineerAbsence.cancelled_at.is_(None),
            EngineerAbsence.start < end,
            EngineerAbsence.end > start,
        )
        .order_by(EngineerAbsence.start, EngineerAbsence.id)
    )
    for row in rows:
        out.setdefault(row.engineer_id, []).append((row.start, row.end))
    return out


def to_seconds(
    absences: Sequence[tuple[dt.datetime, dt.datetime]], origin: dt.datetime
) -> list[Interval]:
    """Absences as solver intervals (seconds from ``origin``)."""
    return [
        (int((a - origin).total_seconds()), int((b - origin).total_seconds())) for a, b in absences
    ]


def within(absences: Sequence[Interval], start: int, end: int) -> list[Interval]:
    """The parts of ``absences`` inside ``[start, end)``, merged and sorted."""
    clipped = sorted((max(a, start), min(b, end)) for a, b in absences if a < end and b > start)
    merged: list[Interval] = []
    for a, b in clipped:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _free_parts(start: int, end: int, busy: Sequence[Interval]) -> list[Interval]:
    """``[start, end]`` minus ``busy`` (merged, sorted), non-empty parts only."""
    parts: list[Interval] = []
    cursor = start
    for a, b in busy:
        if a > cursor:
            parts.append((cursor, min(a, end)))
        cursor = max(cursor, b)
    if cursor < end:
        parts.append((cursor, end))
    return [(a, b) for a, b in parts if b > a]


def _lunch(lunch: Break, start: int, end: int, busy: Sequence[Interval]) -> Break | None:
    """The lunch kept clear of absences and of the time before ``start`` (``None``: dropped)."""
    d = lunch.duration
    earliest, latest = max(lunch.window.start, start), lunch.window.end
    if earliest > latest or earliest >= end:
        return None
    # where the lunch would collide with an absence: starting in (a - d, b)
    colliding = [(a, b) for a, b in busy if a - d < latest and b > earliest]
    if any(b - a >= d for a, b in colliding):
        return None  # the absence gives the engineer the rest
    blocked = within([(a - d + 1, b) for a, b in colliding], earliest, latest + 1)
    allowed = _free_parts(earliest, latest + 1, blocked)
    if not allowed:
        return None
    first, last = allowed[0]
    return Break(d, TimeWindow(first, last - 1))


def available(
    *, start: int, end: int, breaks: Sequence[Break], absences: Sequence[Interval]
) -> Availability | None:
    """An engineer's shift ``[start, end]`` with their ``absences`` taken out.

    Parameters
    ----------
    start, end
        The time the engineer has on the day (already from now and after a visit under way).
    breaks
        The breaks owed without absences (the lunch).
    absences
        Absences in solver seconds (any overlap with the shift, any order).

    Returns
    -------
    Availability or None
        ``None`` when absences leave no working time.
    """
    busy = within(absences, start, end)
    if not busy:
        return Availability(start, end, tuple(breaks))
    free = _free_parts(start, end, busy)
    if not free:
        return None
    new_start, new_end = free[0][0], free[-1][1]
    gaps = within(busy, new_start, new_end)
    kept = (_lunch(b, new_start, new_end, gaps) for b in breaks)
    owed = [b for b in kept if b is not None]
    owed += [Break(b - a, TimeWindow(a, a)) for a, b in gaps]
    return Availability(new_start, new_end, tuple(sorted(owed, key=lambda b: b.window.start)))
