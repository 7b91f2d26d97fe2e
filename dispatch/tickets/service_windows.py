"""When a ticket may be served on a day: appointment windows cut to the site's access hours.

Times are seconds from the region's local midnight of the service day (the solver's axis).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from dispatch.infra.day_clock import utc_text
from dispatch.models import Ticket, TicketWindow
from solver import TimeWindow

DAY_SECONDS = 24 * 3600
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def local_instant(day: dt.date, minute: int, zone: ZoneInfo) -> dt.datetime:
    """The instant ``minute`` minutes after local midnight of ``day`` in ``zone``."""
    return dt.datetime.combine(day, dt.time(0), zone) + dt.timedelta(minutes=minute)


def clock_minutes(text: str) -> int:
    """Minutes after midnight of ``"HH:MM"``."""
    hours, _, minutes = text.partition(":")
    return int(hours) * 60 + int(minutes or 0)


WINDOW_PASSED = "WINDOW_PASSED"
"""Why a P3/P4 ticket is not planned: every appointment window ended before it could be served."""

LATE_SERVED_TIERS = frozenset({1, 2})
"""Tiers served late (their SLA lateness shows) once their appointment has passed; the others
are offered a new slot instead."""

SLOT_STEP_MINUTES = 30
"""A suggested new slot starts on a multiple of this many minutes."""


def service_windows(
    ticket: Ticket,
    day: dt.date,
    zone: ZoneInfo,
    origin: dt.datetime,
    *,
    earliest: int = 0,
    committed: bool = False,
) -> tuple[list[TimeWindow], str | None]:
    """Service-start windows of ``ticket`` on ``day`` (seconds), or why it is not planned.

    One rule for a passed appointment, the same for today and any later day: a window that
    ends before ``earliest`` (the first second anyone can serve it: now in an in-day
    re-plan, else local midnight) has passed. When every window has passed, a P1/P2 ticket
    is served as soon as possible (late; the SLA shows the lateness) and a P3/P4 ticket is
    not planned (:data:`WINDOW_PASSED`; :func:`new_slot` suggests another). A
    ``committed`` ticket (already dispatched to its engineer) is kept however late: its
    windows only say when the engineer may start.
    """
    access = _access_seconds(ticket, day)
    if access is None:
        return [], "site closed that day"
    open_s, close_s = access
    spans = [(earliest, DAY_SECONDS)]
    if ticket.windows:
        seconds = [
            (int((w.start - origin).total_seconds()), int((w.end - origin).total_seconds()))
            for w in ticket.windows
        ]
        if all(s >= DAY_SECONDS for s, _ in seconds):
            return [], "appointment on a later day"
        live = [
            (max(s, earliest), min(e, DAY_SECONDS))
            for s, e in seconds
            if e >= earliest and s < DAY_SECONDS
        ]
        if live:
            spans = live
        elif ticket.priority not in LATE_SERVED_TIERS and not committed:
            return [], WINDOW_PASSED
    if committed:
        spans = [(min(s for s, _ in spans), DAY_SECONDS)]
    latest_start = close_s - ticket.estimated_minutes * 60
    clipped = [(max(s, open_s), min(e, latest_start)) for s, e in spans]
    windows = [TimeWindow(s, e) for s, e in clipped if e >= s]
    if not windows:
        return [], "no appointment window inside the site's access hours"
    return windows, None


def _access_seconds(ticket: Ticket, day: dt.date) -> tuple[int, int] | None:
    """The site's opening and closing second on ``day`` (``None``: closed)."""
    access = ticket.site.access_hours
    if access is None:
        return 0, DAY_SECONDS
    hours = access.get(_WEEKDAYS[day.weekday()])
    if not hours:
        return None
    return clock_minutes(hours[0]) * 60, clock_minutes(hours[1]) * 60


def new_slot(
    ticket: Ticket, day: dt.date, zone: ZoneInfo, origin: dt.datetime, *, earliest: int = 0
) -> dict[str, object]:
    """A suggested new appointment for a ticket whose windows have passed.

    The slot keeps the length of the ticket's last window and starts at the next
    :data:`SLOT_STEP_MINUTES` boundary from ``earliest`` when the site is open long enough
    that day; otherwise at the old window's time of day on the next day the site opens.
    """
    last = max(ticket.windows, key=lambda w: w.end) if ticket.windows else None
    length = (last.end - last.start) if last is not None else dt.timedelta(hours=2)
    work = dt.timedelta(minutes=ticket.estimated_minutes)
    step = SLOT_STEP_MINUTES * 60
    start_s = -(-earliest // step) * step
    access = _access_seconds(ticket, day)
    start: dt.datetime | None = None
    if access is not None:
        start_s = max(start_s, access[0])
        if start_s + work.total_seconds() <= access[1]:
            start = origin + dt.timedelta(seconds=start_s)
    if start is None:
        start = _next_open_day_start(ticket, day, zone, last)
    end = start + length
    local = start.astimezone(zone)
    return {
        "kind": "new_slot",
        "start": utc_text(start),
        "end": utc_text(end),
        "message": (
            "the appointment window has passed; offer the customer a new slot from "
            f"{local:%Y-%m-%d %H:%M} to {end.astimezone(zone):%H:%M}"
        ),
    }


def _next_open_day_start(
    ticket: Ticket, day: dt.date, zone: ZoneInfo, last: TicketWindow | None
) -> dt.datetime:
    minute = 9 * 60
    if last is not None:
        local = last.start.astimezone(zone)
        minute = local.hour * 60 + local.minute
    for ahead in range(1, 8):
        candidate = day + dt.timedelta(days=ahead)
        access = _access_seconds(ticket, candidate)
        if access is None:
            continue
        minute = max(minute, access[0] // 60)
        return local_instant(candidate, minute, zone).astimezone(dt.UTC)
    return local_instant(day + dt.timedelta(days=1), minute, zone).astimezone(dt.UTC)
