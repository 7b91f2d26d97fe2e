"""Business calendars and clock arithmetic: working hours per weekday, holidays, time zones.

A clock runs over *running intervals*: every instant for a 24/7 target, only working hours
for a business target, and in both cases never while the ticket was on hold (pauses).
All instants are aware datetimes; working hours are read in the calendar's local time, so
a clock crossing a daylight-saving change keeps local opening hours.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from dispatch.errors import InvalidInput
from dispatch.sla.official import OfficialDay, country_for_zone, official_day

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_DAYS_WITHOUT_WORK = 3660
"""A business clock gives up after this many days without a working minute."""

_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")

Interval = tuple[dt.datetime, dt.datetime]


def _minute_of_day(text: str) -> int:
    match = _HHMM.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a time of day 'HH:MM' (00:00 .. 24:00)")
    minute = int(match.group(1)) * 60 + int(match.group(2))
    if minute > 24 * 60:
        raise ValueError(f"{text!r} is after 24:00")
    return minute


class CalendarSpec(BaseModel):
    """A business calendar as written in the policy file or in ``Region.calendar``.

    ``hours`` maps a weekday (``mon`` .. ``sun``) to one ``["08:00", "18:00"]`` pair or a
    list of pairs (``[["08:00", "12:00"], ["13:00", "17:00"]]``); a missing day is closed.
    ``holidays`` are local dates with no working hours. ``timezone`` (optional) overrides
    the region's own zone. ``country`` names the official calendar that moves days off
    and make-up working days (``"CN"``: China's 调休, see :mod:`dispatch.sla.official`);
    by default it follows the time zone (a mainland China zone is ``"CN"``), ``"none"``
    turns it off. ``working_days`` are local dates worked whatever the official calendar
    says (with Monday's hours when their weekday has none); ``holidays`` win over both.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    hours: dict[str, list[Any]]
    holidays: list[dt.date] = []
    working_days: list[dt.date] = []
    timezone: str | None = None
    country: str | None = None

    @field_validator("hours")
    @classmethod
    def _valid_hours(cls, value: dict[str, list[Any]]) -> dict[str, list[Any]]:
        for day, spans in value.items():
            if day not in WEEKDAYS:
                raise ValueError(f"unknown weekday {day!r}; use one of {', '.join(WEEKDAYS)}")
            _day_minutes(day, spans)
        if not any(_day_minutes(day, spans) for day, spans in value.items()):
            raise ValueError("a business calendar needs at least one working day")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            _zone(value)
        return value

    def minutes(self) -> dict[int, tuple[tuple[int, int], ...]]:
        """Working spans per weekday number (0 = Monday) in minutes from local midnight."""
        return {WEEKDAYS.index(day): _day_minutes(day, spans) for day, spans in self.hours.items()}


def _day_minutes(day: str, spans: list[Any]) -> tuple[tuple[int, int], ...]:
    pairs = [spans] if spans and all(isinstance(s, str) for s in spans) else spans
    result: list[tuple[int, int]] = []
    for pair in pairs:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ValueError(f'{day}: each span is a pair ["HH:MM", "HH:MM"], got {pair!r}')
        start, end = _minute_of_day(str(pair[0])), _minute_of_day(str(pair[1]))
        if end <= start:
            raise ValueError(f"{day}: {pair[1]} must be after {pair[0]}")
        result.append((start, end))
    result.sort()
    for (_, end), (start, _) in itertools.pairwise(result):
        if start < end:
            raise ValueError(f"{day}: working spans overlap")
    return tuple(result)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


@dataclass(frozen=True)
class BusinessCalendar:
    """Working hours per weekday (minutes from local midnight) and holidays, in ``zone``.

    ``country`` adds an official calendar's public holidays and make-up working days
    (:func:`dispatch.sla.official.official_day`); the explicit ``holidays`` and
    ``working_days`` override it.
    """

    zone: ZoneInfo
    hours: Mapping[int, tuple[tuple[int, int], ...]]
    holidays: frozenset[dt.date]
    working_days: frozenset[dt.date] = frozenset()
    country: str | None = None

    @classmethod
    def from_spec(cls, spec: CalendarSpec, timezone: str) -> BusinessCalendar:
        """The calendar ``spec`` in ``spec.timezone`` or else ``timezone``.

        Raises
        ------
        InvalidInput
            The time zone is unknown (``field="timezone"``).
        """
        try:
            zone = _zone(spec.timezone or timezone)
        except ValueError as exc:
            raise InvalidInput(str(exc), field="timezone") from exc
        country = spec.country or country_for_zone(zone.key)
        return cls(
            zone=zone,
            hours=spec.minutes(),
            holidays=frozenset(spec.holidays),
            working_days=frozenset(spec.working_days),
            country=None if country == "none" else country,
        )

    def spans_on(self, day: dt.date) -> tuple[tuple[int, int], ...]:
        """The working spans of the local ``day`` (minutes from midnight; empty: closed).

        The explicit holidays first, then the explicit working days, then the official
        calendar (a public holiday closes, a make-up weekend day opens), else the weekday.
        """
        weekday = self.hours.get(day.weekday(), ())
        if day in self.holidays:
            return ()
        official = official_day(self.country, day)
        if day in self.working_days or official is OfficialDay.MAKE_UP:
            return weekday or self._make_up_spans()
        if official is OfficialDay.HOLIDAY:
            return ()
        return weekday

    def _make_up_spans(self) -> tuple[tuple[int, int], ...]:
        """Monday's hours (else the first worked weekday's) for a day worked in lieu."""
        for weekday in range(7):
            if self.hours.get(weekday):
                return self.hours[weekday]
        return ()

    def _instant(self, day: dt.date, minute: int) -> dt.datetime:
        day = day + dt.timedelta(days=minute // 1440)
        minute %= 1440
        local = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=self.zone)
        return local.astimezone(dt.UTC)

    def working_intervals(self, start: dt.datetime) -> Iterator[Interval]:
        """Working intervals (UTC) from ``start`` on, in order, clipped at ``start``.

        Raises
        ------
        InvalidInput
            No working minute within :data:`MAX_DAYS_WITHOUT_WORK` days (e.g. every day a
            holiday).
        """
        start = start.astimezone(dt.UTC)
        day = start.astimezone(self.zone).date()
        idle = 0
        while idle < MAX_DAYS_WITHOUT_WORK:
            spans = self.spans_on(day)
            worked = False
            for first, last in spans:
                opens, closes = self._instant(day, first), self._instant(day, last)
                opens = max(opens, start)
                if closes > opens:
                    worked = True
                    yield opens, closes
            idle = 0 if worked else idle + 1
            day += dt.timedelta(days=1)
        raise InvalidInput(
            f"the business calendar has no working time within {MAX_DAYS_WITHOUT_WORK} days",
            field="calendar",
        )


def calendar_from_json(
    data: Mapping[str, Any] | None, *, timezone: str, default: CalendarSpec
) -> BusinessCalendar:
    """A region's calendar from its ``Region.calendar`` JSON (``None``: ``default``).

    Raises
    ------
    InvalidInput
        The JSON is not a valid calendar (``field`` names the bad entry, under ``calendar``).
    """
    if data is None:
        return BusinessCalendar.from_spec(default, timezone)
    try:
        spec = CalendarSpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in ("calendar", *first["loc"]))
        raise InvalidInput(f"{where}: {first['msg']}", field=where) from exc
    return BusinessCalendar.from_spec(spec, timezone)


def _merge(pauses: Sequence[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(p for p in pauses if p[1] > p[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def running_intervals(
    start: dt.datetime,
    *,
    calendar: BusinessCalendar | None,
    pauses: Sequence[Interval] = (),
) -> Iterator[tuple[dt.datetime, dt.datetime | None]]:
    """The intervals a clock started at ``start`` runs in, in order.

    Parameters
    ----------
    start
        When the clock starts.
    calendar
        Working hours to follow; ``None`` for a 24/7 clock (the last interval is then
        open-ended: its end is ``None``).
    pauses
        Intervals in which the clock stands still (holds); they may overlap.
    """
    start = start.astimezone(dt.UTC)  # arithmetic in a local zone would be wall-clock time
    merged = _merge([(a.astimezone(dt.UTC), b.astimezone(dt.UTC)) for a, b in pauses])
    base: Iterator[tuple[dt.datetime, dt.datetime | None]] = (
        iter([(start, None)]) if calendar is None else calendar.working_intervals(start)
    )
    for opens, closes in base:
        current = opens
        for paused, resumed in merged:
            if resumed <= current:
                continue
            if closes is not None and paused >= closes:
                break
            if paused > current:
                yield current, paused
            current = max(current, resumed)
        if closes is None or current < closes:
            yield current, closes


def advance(
    start: dt.datetime,
    amount: dt.timedelta,
    *,
    calendar: BusinessCalendar | None,
    pauses: Sequence[Interval] = (),
) -> dt.datetime:
    """The instant a clock started at ``start`` has run for ``amount``.

    Examples
    --------
    A 24/7 clock is plain addition (minus pauses); a business clock skips nights,
    weekends and holidays in the calendar's time zone.
    """
    remaining = amount
    if remaining <= dt.timedelta(0):
        return start.astimezone(dt.UTC)
    for opens, closes in running_intervals(start, calendar=calendar, pauses=pauses):
        if closes is None or closes - opens >= remaining:
            return opens + remaining
        remaining -= closes - opens
    raise AssertionError("running_intervals ended without an open-ended interval")


def elapsed(
    start: dt.datetime,
    end: dt.datetime,
    *,
    calendar: BusinessCalendar | None,
    pauses: Sequence[Interval] = (),
) -> dt.timedelta:
    """How long a clock started at ``start`` has run by ``end``."""
    total = dt.timedelta(0)
    end = end.astimezone(dt.UTC)
    if end <= start:
        return total
    for opens, closes in running_intervals(start, calendar=calendar, pauses=pauses):
        if opens >= end:
            break
        total += (end if closes is None else min(closes, end)) - opens
    return total
