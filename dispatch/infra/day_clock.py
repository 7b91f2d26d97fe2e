"""One time model for "today": when a plan of a region's day starts, judged at ``now``.

Every path that plans (the API's optimisations, dispatch-now and its follow-up, the
housekeeping re-plans, the simulation's desk) asks :func:`plan_start` which instant the
plan's engineers become available from:

- a past day (in the region's time zone) is history: it cannot be planned;
- today starts at ``now`` (engineers from where they are, visits under way kept);
- a later day plans whole shifts.

The one rule for time in output: days are local days of a region's time zone, instants
are written in UTC with ``Z`` (:func:`utc_text`; the API's response models use it too).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from dispatch.errors import Conflict


def utc_text(instant: dt.datetime) -> str:
    """An instant as every output writes it: ISO 8601 in UTC with ``Z``.

    Raises
    ------
    ValueError
        A naive datetime (it is no instant).
    """
    if instant.tzinfo is None:
        raise ValueError("naive datetime: an instant needs its UTC offset")
    return instant.astimezone(dt.UTC).isoformat().removesuffix("+00:00") + "Z"


def local_midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The instant local ``day`` begins in ``zone`` (its midnight), in UTC.

    A plan's time axis counts seconds from it; a local day runs from this instant to
    ``local_midnight(day + 1 day)`` (23 or 25 hours on a daylight-saving change).
    """
    return dt.datetime.combine(day, dt.time(0), zone).astimezone(dt.UTC)


def local_day(now: dt.datetime, zone: ZoneInfo) -> dt.date:
    """The date ``now`` falls on in ``zone``."""
    return now.astimezone(zone).date()


def plan_start(*, zone: ZoneInfo, day: dt.date, now: dt.datetime) -> dt.datetime | None:
    """The instant a plan of ``day`` starts from, judged at ``now``.

    Parameters
    ----------
    zone
        The region's time zone (days are local days).
    day
        The service day to plan.
    now
        The current instant (time-zone aware).

    Returns
    -------
    datetime or None
        ``now`` for today; ``None`` (whole shifts) for a later day.

    Raises
    ------
    Conflict
        ``day`` is before today in ``zone`` (field ``date``).
    """
    today = local_day(now, zone)
    if day < today:
        raise Conflict(
            f"{day.isoformat()} is over in {zone.key} (today is {today.isoformat()}); "
            "a past day cannot be planned",
            field="date",
            today=today.isoformat(),
        )
    return now if day == today else None
