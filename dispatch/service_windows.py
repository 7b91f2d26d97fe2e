"""When a ticket may be served on a day: appointment windows cut to the site's access hours.

Times are seconds from the region's local midnight of the service day (the solver's axis).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from dispatch.models import Ticket
from solver.problem import TimeWindow

DAY_SECONDS = 24 * 3600
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def local_instant(day: dt.date, minute: int, zone: ZoneInfo) -> dt.datetime:
    """The instant ``minute`` minutes after local midnight of ``day`` in ``zone``."""
    return dt.datetime.combine(day, dt.time(0), zone) + dt.timedelta(minutes=minute)


def clock_minutes(text: str) -> int:
    """Minutes after midnight of ``"HH:MM"``."""
    hours, _, minutes = text.partition(":")
    return int(hours) * 60 + int(minutes or 0)


def service_windows(
    ticket: Ticket, day: dt.date, zone: ZoneInfo, origin: dt.datetime
) -> tuple[list[TimeWindow], str | None]:
    """Service-start windows of ``ticket`` on ``day`` (seconds), or why it is not for today."""
    day_end = DAY_SECONDS
    access = ticket.site.access_hours
    if access is not None:
        hours = access.get(_WEEKDAYS[day.weekday()])
        if not hours:
            return [], "site closed that day"
        open_s = clock_minutes(hours[0]) * 60
        close_s = clock_minutes(hours[1]) * 60
    else:
        open_s, close_s = 0, day_end
    spans: list[tuple[int, int]] = []
    if ticket.windows:
        seconds = [
            (int((w.start - origin).total_seconds()), int((w.end - origin).total_seconds()))
            for w in ticket.windows
        ]
        if all(s >= day_end for s, _ in seconds):
            return [], "appointment on a later day"
        if all(e < 0 for _, e in seconds):
            spans = [(0, day_end)]  # overdue: serve as soon as possible, lateness shows in the SLA
        else:
            spans = [(max(s, 0), min(e, day_end)) for s, e in seconds if e >= 0 and s < day_end]
    else:
        spans = [(0, day_end)]
    clipped = [(max(s, open_s), min(e, close_s - ticket.estimated_minutes * 60)) for s, e in spans]
    windows = [TimeWindow(s, e) for s, e in clipped if e >= s]
    if not windows:
        return [], "no appointment window inside the site's access hours"
    return windows, None
