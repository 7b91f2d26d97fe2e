"""Cell parsers and formatters: one text cell in, one typed value out (and back).

Every parser raises :class:`CellError` with a message for a human; the caller adds the file,
row and column. An empty cell is ``None`` (the column's default) for optional columns.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")
_SKILL = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
N = TypeVar("N", int, float)


class CellError(ValueError):
    """A cell that cannot be read as its column's type."""


def required(value: str | None) -> str:
    """The non-empty text of a cell."""
    if value is None or not value.strip():
        raise CellError("a value is required")
    return value.strip()


def text(value: str, *, max_length: int) -> str:
    """Text of at most ``max_length`` characters (no NUL)."""
    if "\x00" in value:
        raise CellError("contains a NUL character")
    if len(value) > max_length:
        raise CellError(f"longer than {max_length} characters")
    return value


def optional_text(value: str | None, *, max_length: int) -> str | None:
    """Text, or ``None`` for an empty cell."""
    if value is None or not value.strip():
        return None
    return text(value.strip(), max_length=max_length)


def _converted(value: str, convert: Callable[[str], N], what: str) -> N:
    """``convert`` of the stripped cell; ``{value!r} is not {what}`` when it fails."""
    try:
        return convert(value.strip())
    except ValueError as exc:
        raise CellError(f"{value!r} is not {what}") from exc


def integer(value: str, *, low: int, high: int) -> int:
    """A whole number in ``low..high``."""
    number = _converted(value, int, "a whole number")
    if not low <= number <= high:
        raise CellError(f"{number} is outside {low}..{high}")
    return number


def number(value: str, *, low: float, high: float) -> float:
    """A decimal number in ``low..high`` (e.g. a latitude)."""
    result = _converted(value, float, "a number")
    if not low <= result <= high:
        raise CellError(f"{value.strip()} is outside {low:g}..{high:g}")
    return result


def money(value: str) -> Decimal:
    """A non-negative amount with at most two decimals."""
    try:
        amount = Decimal(value.strip())
    except InvalidOperation as exc:
        raise CellError(f"{value!r} is not an amount") from exc
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e8"):
        raise CellError(f"{value.strip()} is not an amount between 0 and 99999999.99")
    if amount != amount.quantize(Decimal("0.01")):
        raise CellError("at most two decimals")
    return amount.quantize(Decimal("0.01"))


def choice(value: str, options: Iterable[str]) -> str:
    """One of ``options`` (case-insensitive)."""
    allowed = list(options)
    lowered = value.strip().lower()
    if lowered not in allowed:
        raise CellError(f"{value.strip()!r} is not one of {', '.join(allowed)}")
    return lowered


def date(value: str) -> dt.date:
    """A calendar date ``YYYY-MM-DD``."""
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise CellError(f"{value.strip()!r} is not a date YYYY-MM-DD") from exc


def instant(value: str) -> dt.datetime:
    """An ISO 8601 instant with a UTC offset (``Z`` allowed), in UTC."""
    raw = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise CellError(f"{raw!r} is not an ISO 8601 instant") from exc
    if parsed.tzinfo is None:
        raise CellError(f"{raw!r} has no UTC offset (e.g. +01:00 or Z)")
    return parsed.astimezone(dt.UTC)


def format_instant(value: dt.datetime, zone: dt.tzinfo) -> str:
    """``value`` in ``zone`` as ISO 8601 with its offset, to the second."""
    return value.astimezone(zone).replace(microsecond=0).isoformat()


def minute_of_day(value: str) -> int:
    """``HH:MM`` as minutes after midnight (``24:00`` = 1440)."""
    match = _HHMM.match(value.strip())
    if match is None:
        raise CellError(f"{value.strip()!r} is not a time HH:MM")
    minutes = int(match[1]) * 60 + int(match[2])
    if minutes > 1440:
        raise CellError(f"{value.strip()} is after 24:00")
    return minutes


def format_minute(minutes: int | None) -> str:
    """Minutes after midnight as ``HH:MM`` (empty for ``None``)."""
    return "" if minutes is None else f"{minutes // 60:02d}:{minutes % 60:02d}"


def zone(value: str) -> str:
    """An IANA time-zone name (``Europe/Berlin``)."""
    name = value.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a directory
        raise CellError(f"{name!r} is not a known time zone") from exc
    return name


def skills(value: str) -> tuple[tuple[str, int], ...]:
    """``hvac:3;lift:1`` as sorted ``(skill, level)`` pairs, levels 1..3."""
    found: dict[str, int] = {}
    for part in (p.strip() for p in value.split(";")):
        if not part:
            continue
        name, _, level = part.partition(":")
        name = name.strip().lower()
        if not _SKILL.match(name):
            raise CellError(f"{name!r} is not a skill name like 'hvac'")
        if name in found:
            raise CellError(f"skill {name!r} is named twice")
        try:
            found[name] = integer(level or "1", low=1, high=3)
        except CellError as exc:
            raise CellError(f"skill {name!r}: level {exc} (levels are 1..3)") from exc
    return tuple(sorted(found.items()))


def format_skills(pairs: Iterable[tuple[str, int]]) -> str:
    """Sorted ``(skill, level)`` pairs as ``hvac:3;lift:1``."""
    return ";".join(f"{name}:{level}" for name, level in sorted(pairs))


def weekdays(value: str) -> tuple[int, ...]:
    """``mon-fri``, ``mon,wed,fri`` or ``mon-wed,sat`` as sorted weekday numbers (0 = Monday)."""
    days: set[int] = set()
    for part in (p.strip().lower() for p in value.split(",")):
        if not part:
            continue
        first, _, last = part.partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise CellError(f"{part!r} is not a day (mon..sun) or a range like mon-fri")
        start, end = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        if end < start:
            raise CellError(f"{part!r} runs backwards")
        days.update(range(start, end + 1))
    return tuple(sorted(days))


def format_weekdays(days: Iterable[int]) -> str:
    """Weekday numbers as ``mon-fri`` / ``mon,wed,fri`` (runs of three or more as ranges)."""
    ordered = sorted(set(days))
    parts: list[str] = []
    run: list[int] = []
    for day in [*ordered, -9]:
        if run and day == run[-1] + 1:
            run.append(day)
            continue
        if len(run) >= 3:
            parts.append(f"{WEEKDAYS[run[0]]}-{WEEKDAYS[run[-1]]}")
        else:
            parts.extend(WEEKDAYS[d] for d in run)
        run = [day]
    return ",".join(parts)
