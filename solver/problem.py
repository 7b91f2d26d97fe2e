"""The problem the solver takes: frozen, validated input data.

All times are integer seconds on one axis chosen by the caller (the field-service
benchmark uses seconds from midnight; the dispatch service uses seconds from the
plan's origin instant). Distances are integer metres.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from types import MappingProxyType
from typing import Any

from solver.travel.base import HaversineProvider, Location, TravelMatrix, TravelTimeProvider


class Tier(IntEnum):
    """Priority tier: 1 is an emergency, 4 is planned work."""

    P1 = 1
    P2 = 2
    P3 = 3
    P4 = 4


TIERS: tuple[Tier, ...] = (Tier.P1, Tier.P2, Tier.P3, Tier.P4)


def _frozen_mapping(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A closed interval ``[start, end]`` of seconds."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"time window ends ({self.end}) before it starts ({self.start})")

    def contains(self, t: int) -> bool:
        """Whether ``t`` lies inside the window."""
        return self.start <= t <= self.end


@dataclass(frozen=True, slots=True)
class Break:
    """A break of ``duration`` seconds that must *start* inside ``window``.

    The break is owed only if the engineer is still working (not yet back at the end
    location) when the window opens.
    """

    duration: int
    window: TimeWindow

    def __post_init__(self) -> None:
        if self.duration < 0:
            raise ValueError("break duration must be >= 0")


@dataclass(frozen=True, eq=False)
class Engineer:
    """An engineer available for the planning horizon.

    Attributes
    ----------
    id
        Stable identifier (the dispatch service uses the engineer's code).
    start, end
        Where the route starts (home base, or current position for an in-day
        re-plan) and ends.
    shift
        Leave ``start`` no earlier than ``shift.start``; be at ``end`` by ``shift.end``.
    skills
        Skill name -> level (1 junior .. 3 senior).
    breaks
        Breaks owed during the shift (lunch).
    max_jobs
        Most tickets in the horizon (``None``: unlimited).
    max_work_seconds
        Most travel + service seconds in the horizon (``None``: shift length).
    cost_per_job
        Money per job for contractors, in the same units as travel seconds
        (0 for employees).
    parts_capacity
        Parts the engineer can carry (``None``: unlimited).
    """

    id: str
    start: Location
    end: Location
    shift: TimeWindow
    skills: Mapping[str, int] = field(default_factory=dict)
    breaks: tuple[Break, ...] = ()
    max_jobs: int | None = None
    max_work_seconds: int | None = None
    cost_per_job: int = 0
    parts_capacity: int | None = None

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("engineer id must not be empty")
        object.__setattr__(self, "skills", _frozen_mapping(self.skills))
        object.__setattr__(self, "breaks", tuple(self.breaks))
        for skill, level in self.skills.items():
            if not 1 <= int(level) <= 3:
                raise ValueError(f"engineer {self.id}: skill {skill!r} level must be 1..3")
        if self.max_jobs is not None and self.max_jobs < 0:
            raise ValueError(f"engineer {self.id}: max_jobs must be >= 0")
        if self.max_work_seconds is not None and self.max_work_seconds < 0:
            raise ValueError(f"engineer {self.id}: max_work_seconds must be >= 0")
        if self.cost_per_job < 0:
            raise ValueError(f"engineer {self.id}: cost_per_job must be >= 0")
        if self.parts_capacity is not None and self.parts_capacity < 0:
            raise ValueError(f"engineer {self.id}: parts_capacity must be >= 0")

    def level_in(self, skill: str | None) -> int:
        """The engineer's level in ``skill`` (0 when they do not have it; 3 for no skill)."""
        if skill is None:
            return 3
        return int(self.skills.get(skill, 0))

    def qualified_for(self, ticket: Ticket) -> bool:
        """Whether the skill level and the ticket's required / excluded engineers allow it."""
        return (
            self.level_in(ticket.skill) >= ticket.min_level
            and (not ticket.required_engineers or self.id in ticket.required_engineers)
            and self.id not in ticket.excluded_engineers
        )


@dataclass(frozen=True, eq=False)
class Ticket:
    """A visit to plan.

    Attributes
    ----------
    windows
        Allowed service *start* intervals (appointment slots); empty means any time
        within the engineer's shift.
    sla_deadline
        Latest service start promised by the SLA. When ``sla_hard`` is false, starting
        later is allowed and costs lateness weighted by tier; when true it is a rule.
    preferred_engineers
        Soft: assigning one of these earns a bonus.
    required_engineers, excluded_engineers
        Hard: when ``required_engineers`` is not empty only they may serve the ticket;
        ``excluded_engineers`` never may.
    parts_demand
        Units of the engineer's parts capacity used.
    """

    id: str
    location: Location
    duration: int
    skill: str | None = None
    min_level: int = 1
    tier: Tier = Tier.P3
    windows: tuple[TimeWindow, ...] = ()
    sla_deadline: int | None = None
    sla_hard: bool = False
    preferred_engineers: frozenset[str] = frozenset()
    required_engineers: frozenset[str] = frozenset()
    excluded_engineers: frozenset[str] = frozenset()
    parts_demand: int = 0

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("ticket id must not be empty")
        object.__setattr__(self, "tier", Tier(self.tier))
        object.__setattr__(self, "windows", tuple(sorted(self.windows, key=lambda w: w.start)))
        for name in ("preferred_engineers", "required_engineers", "excluded_engineers"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))
        if self.duration < 0:
            raise ValueError(f"ticket {self.id}: duration must be >= 0")
        if not 1 <= self.min_level <= 3:
            raise ValueError(f"ticket {self.id}: min_level must be 1..3")
        if self.parts_demand < 0:
            raise ValueError(f"ticket {self.id}: parts_demand must be >= 0")
        for a, b in zip(self.windows, self.windows[1:], strict=False):
            if b.start <= a.end:
                raise ValueError(f"ticket {self.id}: time windows overlap")


@dataclass(frozen=True, slots=True)
class Pin:
    """A visit a re-plan must not move: already dispatched, en route or on site.

    Attributes
    ----------
    position
        0-based position in the engineer's route, or ``None`` to keep only the
        engineer fixed. Pins with positions keep their relative order.
    start
        Fixed service start (an engineer who has checked in), or ``None``.
    """

    ticket_id: str
    engineer_id: str
    position: int | None = None
    start: int | None = None


@dataclass(frozen=True, slots=True)
class Weights:
    """Objective weights below the hard tier ordering (served P1 > P2 > P3 > P4).

    Attributes
    ----------
    lateness_per_minute
        Cost of one minute of SLA lateness, per tier P1..P4 (soft deadlines).
    travel_per_second
        Cost of one second of travel.
    load_balance
        Cost per second of the difference between the busiest and the least busy
        engineer's working time (0 disables).
    preferred_bonus
        Saving for giving a ticket to one of its preferred engineers.
    stability
        Cost of giving a ticket to another engineer than the previous plan did.
    """

    lateness_per_minute: tuple[int, int, int, int] = (600, 240, 60, 30)
    travel_per_second: int = 1
    load_balance: int = 0
    preferred_bonus: int = 900
    stability: int = 600

    def __post_init__(self) -> None:
        if len(self.lateness_per_minute) != 4 or min(self.lateness_per_minute) < 0:
            raise ValueError("lateness_per_minute needs four non-negative weights")
        for name in ("travel_per_second", "load_balance", "preferred_bonus", "stability"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0")


@dataclass(frozen=True, eq=False)
class Problem:
    """Engineers, tickets, pins and travel: everything a solve needs.

    ``travel`` is either a provider (asked once per solve for the matrix over all
    engineer start/end and ticket locations) or a ready matrix whose points are, in
    order: each engineer's start, each engineer's end, each ticket (see
    :meth:`locations`).

    ``initial_routes`` (engineer id -> ticket ids in order, e.g. the published day) is a
    plan to start from: the search completes it and keeps it instead of its own
    construction when it serves more (by tier) or costs less, so a re-plan never serves
    less than the day it replaces when that day is still feasible.
    """

    engineers: tuple[Engineer, ...]
    tickets: tuple[Ticket, ...]
    pins: tuple[Pin, ...] = ()
    travel: TravelTimeProvider | TravelMatrix = field(default_factory=HaversineProvider)
    previous_assignment: Mapping[str, str] = field(default_factory=dict)
    weights: Weights = field(default_factory=Weights)
    unroutable_tickets: frozenset[str] = frozenset()
    initial_routes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "engineers", tuple(self.engineers))
        object.__setattr__(self, "tickets", tuple(self.tickets))
        object.__setattr__(self, "pins", tuple(self.pins))
        object.__setattr__(self, "previous_assignment", _frozen_mapping(self.previous_assignment))
        object.__setattr__(self, "unroutable_tickets", frozenset(self.unroutable_tickets))
        engineer_ids = [e.id for e in self.engineers]
        ticket_ids = [t.id for t in self.tickets]
        _require_unique("engineer", engineer_ids)
        _require_unique("ticket", ticket_ids)
        known_e, known_t = set(engineer_ids), set(ticket_ids)
        pinned: set[str] = set()
        for pin in self.pins:
            if pin.ticket_id not in known_t:
                raise ValueError(f"pin refers to unknown ticket {pin.ticket_id!r}")
            if pin.engineer_id not in known_e:
                raise ValueError(f"pin refers to unknown engineer {pin.engineer_id!r}")
            if pin.ticket_id in pinned:
                raise ValueError(f"ticket {pin.ticket_id!r} is pinned twice")
            pinned.add(pin.ticket_id)
        routes = {e: tuple(ts) for e, ts in self.initial_routes.items()}
        object.__setattr__(self, "initial_routes", _frozen_mapping(routes))
        _check_initial_routes(routes, known_e, known_t)
        if isinstance(self.travel, TravelMatrix) and self.travel.size != len(self.locations()):
            raise ValueError(
                f"travel matrix has {self.travel.size} points, expected {len(self.locations())}"
            )

    def locations(self) -> list[Location]:
        """Matrix point order: engineer starts, engineer ends, then tickets."""
        return (
            [e.start for e in self.engineers]
            + [e.end for e in self.engineers]
            + [t.location for t in self.tickets]
        )

    def travel_matrix(self) -> TravelMatrix:
        """The travel matrix for :meth:`locations` (asks the provider once)."""
        if isinstance(self.travel, TravelMatrix):
            return self.travel
        return self.travel.matrix(self.locations())


def _check_initial_routes(
    routes: Mapping[str, tuple[str, ...]], engineers: set[str], tickets: set[str]
) -> None:
    seen: set[str] = set()
    for engineer_id, ticket_ids in routes.items():
        if engineer_id not in engineers:
            raise ValueError(f"initial route of unknown engineer {engineer_id!r}")
        for ticket_id in ticket_ids:
            if ticket_id not in tickets:
                raise ValueError(f"initial route refers to unknown ticket {ticket_id!r}")
            if ticket_id in seen:
                raise ValueError(f"ticket {ticket_id!r} is in two initial routes")
            seen.add(ticket_id)


def _require_unique(kind: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ValueError(f"duplicate {kind} id {i!r}")
        seen.add(i)
