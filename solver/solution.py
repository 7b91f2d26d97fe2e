"""What a solve returns: routes with timings, unassigned tickets with reasons, KPIs.

Infeasibility is data: a ticket the solver cannot place appears in
:attr:`Solution.unassigned` with machine-readable :class:`Reason` codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class Reason(StrEnum):
    """Why a ticket is not in the plan."""

    NO_QUALIFIED_ENGINEER = "NO_QUALIFIED_ENGINEER"
    """No engineer has the skill at the required level (after required/excluded rules)."""
    OUTSIDE_ALL_SHIFTS = "OUTSIDE_ALL_SHIFTS"
    """No qualified engineer's shift overlaps any of the ticket's windows."""
    UNREACHABLE_IN_WINDOW = "UNREACHABLE_IN_WINDOW"
    """A qualified engineer is on shift, but cannot get there (and back) in time."""
    CAPACITY = "CAPACITY"
    """Qualified engineers' parts capacity is used up."""
    MAX_JOBS = "MAX_JOBS"
    """Qualified engineers are at their most jobs for the day."""
    MAX_WORKING_TIME = "MAX_WORKING_TIME"
    """Qualified engineers would exceed their most working minutes."""
    DISPLACED_BY_HIGHER_PRIORITY = "DISPLACED_BY_HIGHER_PRIORITY"
    """It would fit alone, but the room went to higher-tier tickets."""
    NO_ROOM = "NO_ROOM"
    """It would fit alone, but not beside the other tickets of the same or lower tier."""
    NOT_ROUTABLE = "NOT_ROUTABLE"
    """The site is not reachable on the road network (did not snap to a road)."""
    NO_ENGINEER_ON_SHIFT = "NO_ENGINEER_ON_SHIFT"
    """Nobody is on shift in the planned period (e.g. the day's shifts have all ended)."""
    PINNED_CONFLICT = "PINNED_CONFLICT"
    """Its pin cannot be honoured (pinned engineer unqualified or the pinned order is infeasible)."""
    ENGINEER_ABSENT = "ENGINEER_ABSENT"
    """Its engineer in the published plan became absent (set by the service, not the search)."""


class SolveStatus(StrEnum):
    """Outcome of a solve."""

    OPTIMAL = "OPTIMAL"
    FEASIBLE = "FEASIBLE"
    """A plan was found; the search stopped on its time or iteration budget."""
    EMPTY = "EMPTY"
    """Nothing to plan (no tickets or no engineers)."""
    FAILED = "FAILED"
    """The search found no plan at all; every ticket is unassigned."""


@dataclass(frozen=True, slots=True)
class Visit:
    """One ticket in a route, with planned times (seconds)."""

    ticket_id: str
    arrival: int
    start: int
    end: int
    travel_seconds: int
    """Driving time from the previous stop."""
    travel_metres: int
    lateness: int = 0
    """Seconds the start is past the ticket's soft SLA deadline."""
    pinned: bool = False


@dataclass(frozen=True, slots=True)
class BreakPlacement:
    """When a break is taken; ``after_visit`` is the index of the visit before it (-1: none)."""

    start: int
    end: int
    after_visit: int


@dataclass(frozen=True)
class Route:
    """An engineer's day: leave ``depart``, visit in order, be back at ``arrive``."""

    engineer_id: str
    visits: tuple[Visit, ...]
    breaks: tuple[BreakPlacement, ...] = ()
    depart: int = 0
    arrive: int = 0
    travel_seconds: int = 0
    travel_metres: int = 0

    @property
    def service_seconds(self) -> int:
        """Seconds spent on site."""
        return sum(v.end - v.start for v in self.visits)

    @property
    def working_seconds(self) -> int:
        """Travel + service seconds."""
        return self.travel_seconds + self.service_seconds

    @property
    def ticket_ids(self) -> tuple[str, ...]:
        """Tickets in visiting order."""
        return tuple(v.ticket_id for v in self.visits)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """The smallest change found that would let an unassigned ticket in.

    ``kind`` is one of ``"WINDOW_LATER"``, ``"WINDOW_EARLIER"``, ``"EXTEND_SHIFT"``,
    ``"LOWER_MIN_LEVEL"``, ``"RAISE_MAX_JOBS"``, ``"DROP_TICKET"``; ``amount`` is
    in seconds (or levels / jobs, as the kind says).
    """

    kind: str
    engineer_id: str | None
    amount: int
    message: str


@dataclass(frozen=True, slots=True)
class Unassigned:
    """A ticket left out of the plan and why."""

    ticket_id: str
    reasons: tuple[Reason, ...]
    suggestion: Suggestion | None = None


@dataclass(frozen=True)
class Kpis:
    """Figures of a plan."""

    served_by_tier: Mapping[int, int]
    total_by_tier: Mapping[int, int]
    late_by_tier: Mapping[int, int]
    lateness_seconds_by_tier: Mapping[int, int]
    travel_seconds: int
    travel_metres: int
    service_seconds: int
    utilisation: float
    """Working (travel + service) seconds / shift seconds of the engineers used."""
    engineers_used: int
    preferred_served: int = 0

    def __post_init__(self) -> None:
        for name in ("served_by_tier", "total_by_tier", "late_by_tier", "lateness_seconds_by_tier"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    @property
    def served(self) -> int:
        """Tickets served, all tiers."""
        return sum(self.served_by_tier.values())

    def served_vector(self) -> tuple[int, int, int, int]:
        """Served counts P1..P4, the first key of the plan ordering."""
        return tuple(self.served_by_tier.get(t, 0) for t in (1, 2, 3, 4))  # type: ignore[return-value]


@dataclass(frozen=True)
class Solution:
    """The result of :func:`solver.solve`."""

    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    kpis: Kpis
    status: SolveStatus
    seconds: float = 0.0
    provider: str = "haversine"
    decomposed: bool = False
    """True when the problem was split into parts solved separately."""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def route_of(self, engineer_id: str) -> Route | None:
        """The route of one engineer, if any."""
        for r in self.routes:
            if r.engineer_id == engineer_id:
                return r
        return None

    def assignment(self) -> dict[str, str]:
        """Ticket id -> engineer id for every planned ticket."""
        return {v.ticket_id: r.engineer_id for r in self.routes for v in r.visits}
