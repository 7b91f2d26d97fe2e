"""Limits on the days and periods a request may ask about, judged against the app's clock.

A period costs work in proportion to its length, and a day far from now is a typing
mistake or a probe: both are refused as 422 problems naming the parameter.

- :data:`MAX_RANGE_DAYS`: the longest period (KPIs, SLA breaches ``since``).
- :data:`DAY_WINDOW`: how far from today a day may lie (plans, jobs, site visits,
  optimisations, KPIs, appointment windows).
"""

from __future__ import annotations

import datetime as dt

from dispatch.errors import InvalidInput

MAX_RANGE_DAYS = 92
"""The longest period one request may cover, in days (a quarter)."""
DAY_WINDOW = dt.timedelta(days=366)
"""Days more than this before or after today are refused."""


def check_day(day: dt.date, *, now: dt.datetime, field: str) -> dt.date:
    """``day`` if it lies within :data:`DAY_WINDOW` of ``now``'s day.

    Raises
    ------
    InvalidInput
        Further away (``field`` names the parameter).
    """
    today = now.date()
    first, last = today - DAY_WINDOW, today + DAY_WINDOW
    if not first <= day <= last:
        raise InvalidInput(
            f"{field} must be between {first.isoformat()} and {last.isoformat()}", field=field
        )
    return day


def check_instant(at: dt.datetime, *, now: dt.datetime, field: str) -> dt.datetime:
    """``at`` if its day lies within :data:`DAY_WINDOW` of ``now``'s (see :func:`check_day`)."""
    check_day(at.astimezone(dt.UTC).date(), now=now, field=field)
    return at


def check_period(
    first: dt.date,
    last: dt.date,
    *,
    now: dt.datetime,
    first_field: str = "from",
    last_field: str = "to",
) -> None:
    """Check the inclusive period ``first .. last``: near today, in order, not too long.

    Raises
    ------
    InvalidInput
        A day outside :data:`DAY_WINDOW`, ``last`` before ``first``, or more than
        :data:`MAX_RANGE_DAYS` days (``field`` names the parameter at fault).
    """
    check_day(first, now=now, field=first_field)
    check_day(last, now=now, field=last_field)
    if last < first:
        raise InvalidInput(f"{last_field} must not be before {first_field}", field=last_field)
    days = (last - first).days + 1
    if days > MAX_RANGE_DAYS:
        raise InvalidInput(
            f"the period covers {days} days; at most {MAX_RANGE_DAYS} are allowed",
            field=last_field,
            max_days=MAX_RANGE_DAYS,
        )


def check_since(since: dt.datetime, *, now: dt.datetime, field: str = "since") -> dt.datetime:
    """``since`` if it is at most :data:`MAX_RANGE_DAYS` days before ``now`` and not after it.

    Raises
    ------
    InvalidInput
        Naive, in the future, or too far back (``field``).
    """
    if since.tzinfo is None:
        raise InvalidInput(f"{field} must carry a time-zone offset", field=field)
    if since > now:
        raise InvalidInput(f"{field} must not be in the future", field=field)
    if now - since > dt.timedelta(days=MAX_RANGE_DAYS):
        raise InvalidInput(
            f"{field} must be at most {MAX_RANGE_DAYS} days ago",
            field=field,
            max_days=MAX_RANGE_DAYS,
        )
    return since
