"""What the seam rows -> solver works with: options, the day's time axis, its result.

:class:`PlanningOptions` say how rows become a problem, :class:`DayAxis` is the time
axis of a region's day (seconds from local midnight), and :class:`PlanningInput` is the
problem with what it takes to map the solver's answer back to rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from dispatch.models import TicketStatus
from dispatch.tickets.service_windows import local_instant
from solver import Problem, Weights

PLANNABLE = frozenset(
    {
        TicketStatus.TRIAGED.value,
        TicketStatus.SCHEDULED.value,
        TicketStatus.REOPENED.value,
        TicketStatus.NEEDS_FOLLOW_UP.value,
    }
)
"""Statuses of tickets the optimiser may place (and move)."""

PINNED = frozenset({TicketStatus.DISPATCHED.value, TicketStatus.EN_ROUTE.value})
"""Statuses of tickets fixed to their engineer in a re-plan."""


@dataclass(frozen=True)
class PlanningOptions:
    """How to turn rows into a problem.

    Attributes
    ----------
    sla_hard
        Treat SLA response deadlines as hard rules (default: soft, lateness costs).
    contractor_cost_seconds
        Cost of one currency unit of a contractor's per-job price, in seconds of travel.
    position_max_age
        Positions older than this are ignored (the engineer starts from home).
    weights
        Objective weights below the tier ordering.
    """

    sla_hard: bool = False
    contractor_cost_seconds: int = 60
    position_max_age: dt.timedelta = dt.timedelta(minutes=30)
    weights: Weights = field(default_factory=Weights)


@dataclass(frozen=True)
class DayAxis:
    """The solver's time axis of a region's day: seconds from its local midnight.

    Attributes
    ----------
    day
        The service day (local).
    zone
        The region's time zone.
    origin
        The instant of second 0 (local midnight of ``day``, as UTC).
    now
        For an in-day re-plan, the instant engineers become available from (else ``None``).
    """

    day: dt.date
    zone: ZoneInfo
    origin: dt.datetime
    now: dt.datetime | None

    @property
    def now_s(self) -> int | None:
        """``now`` in solver seconds (``None``: the whole day is planned)."""
        return self.seconds(self.now) if self.now is not None else None

    def seconds(self, instant: dt.datetime) -> int:
        """The solver time of an instant."""
        return int((instant - self.origin).total_seconds())

    def minute(self, minute: int) -> int:
        """The solver time of ``minute`` minutes after local midnight (wall clock)."""
        return self.seconds(local_instant(self.day, minute, self.zone))


@dataclass(frozen=True)
class PlanningInput:
    """A solver problem and what it takes to map its answer back to rows."""

    problem: Problem
    region_id: int
    day: dt.date
    origin: dt.datetime
    """The instant of second 0 (local midnight of ``day``, as UTC)."""
    engineer_ids: Mapping[str, int]
    ticket_ids: Mapping[str, int]
    snapshot: Mapping[str, str]
    """Digest per ticket and engineer of what the solver saw (for staleness checks)."""
    inputs_hash: str
    skipped: Mapping[int, str]
    """Tickets of the region not in the problem, with why (e.g. site closed that day)."""
    on_site: tuple[int, ...] = ()
    """Ids of site visits in progress; kept in the plan as they are."""
    rebook: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)
    """P3/P4 tickets whose appointment has passed (``WINDOW_PASSED``): id -> new slot."""

    def instant(self, seconds: int) -> dt.datetime:
        """The UTC instant of a solver time."""
        return self.origin + dt.timedelta(seconds=seconds)

    def seconds(self, instant: dt.datetime) -> int:
        """The solver time of an instant."""
        return int((instant - self.origin).total_seconds())
