"""Official calendars of a country: public holidays and make-up working days.

China moves weekend days around its public holidays (调休): a Saturday or Sunday may be a
working day and a weekday a day off. The State Council's calendar comes from the
``chinesecalendar`` package (updated every year when it is announced); a year it does not
know yet answers ``None`` and the calendar's own weekday hours apply.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum

import chinese_calendar

CHINA_ZONES = frozenset(
    {"Asia/Shanghai", "Asia/Chongqing", "Asia/Chungking", "Asia/Harbin", "Asia/Urumqi", "PRC"}
)
"""Time zones of mainland China: a calendar in one of them follows China's official days."""


class OfficialDay(Enum):
    """What a country's official calendar says of a day, beyond its weekday."""

    ORDINARY = "ordinary"
    """A weekday that is worked or a weekend day that is not: the weekday hours apply."""
    HOLIDAY = "holiday"
    """A public holiday (also when it falls on a weekday): no working hours."""
    MAKE_UP = "make_up"
    """A weekend day that is an official working day (调休)."""


def country_for_zone(zone: str) -> str | None:
    """``"CN"`` for a mainland China time zone, else ``None``."""
    return "CN" if zone in CHINA_ZONES else None


def official_day(country: str | None, day: dt.date) -> OfficialDay | None:
    """What ``country``'s official calendar says of ``day``.

    Parameters
    ----------
    country
        ``"CN"`` (the only country known so far); ``None`` or another code: no calendar.
    day
        A local date.

    Returns
    -------
    OfficialDay or None
        ``None`` when the country has no official calendar here or the year is not
        published yet.
    """
    if country != "CN":
        return None
    try:
        off, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    if off and name is not None:
        return OfficialDay.HOLIDAY
    if not off and day.weekday() >= 5:
        return OfficialDay.MAKE_UP
    return OfficialDay.ORDINARY
