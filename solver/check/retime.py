"""Re-time an engineer's route from scratch: the timing half of :mod:`solver.check.validate`.

The re-timing is independent of the solver: given only the problem and the order of
the tickets, it computes the earliest feasible schedule, searching every placement of
the engineer's breaks.

Timing rules
------------
- Leave the start location at ``shift.start``; drive; arriving early means waiting.
- Service starts at the earliest instant inside one of the ticket's windows (and not
  after a hard SLA deadline). A ticket without windows may start any time. A pin with a
  fixed ``start`` fixes the service start instead (an engineer already on site, i.e.
  first visit with zero travel from the route start, may have started before leaving).
- Each break (sorted by window) is taken in some gap: before the first visit, between
  two visits, or after the last one. In a gap the engineer drives as much as possible
  before the break (so a break may sit in the middle of a drive, which then takes
  longer by the break) and starts it at ``max(now, window.start)``; it must start no
  later than ``window.end``. A break is not owed when the engineer is back at the end
  location no later than the instant its window opens.
- Be back at the end location by ``shift.end``. A route without visits is not driven.

Earlier is never worse under these rules, so a dynamic programme over (gap, breaks
taken) that keeps the earliest time per state is exact. When no feasible schedule
exists, the programme minimises the number of broken rules first (then time) and the
timings are still reported, with the violations.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from solver.problem import Engineer, Pin, Problem, Ticket
from solver.solution import BreakPlacement, Route, Visit
from solver.travel.base import TravelMatrix

_INF = 1 << 62


class Code(StrEnum):
    """Machine-readable violation codes."""

    UNKNOWN_ENGINEER = "UNKNOWN_ENGINEER"
    UNKNOWN_TICKET = "UNKNOWN_TICKET"
    DUPLICATE_TICKET = "DUPLICATE_TICKET"
    DUPLICATE_ROUTE = "DUPLICATE_ROUTE"
    SKILL = "SKILL"
    REQUIRED_ENGINEER = "REQUIRED_ENGINEER"
    EXCLUDED_ENGINEER = "EXCLUDED_ENGINEER"
    NOT_ROUTABLE = "NOT_ROUTABLE"
    MAX_JOBS = "MAX_JOBS"
    MAX_WORK = "MAX_WORK"
    CAPACITY = "CAPACITY"
    TIME_WINDOW = "TIME_WINDOW"
    SLA_DEADLINE = "SLA_DEADLINE"
    BREAK_WINDOW = "BREAK_WINDOW"
    BREAK_MISSED = "BREAK_MISSED"
    SHIFT_END = "SHIFT_END"
    PIN_ENGINEER = "PIN_ENGINEER"
    PIN_POSITION = "PIN_POSITION"
    PIN_START = "PIN_START"
    MISSING_TICKET = "MISSING_TICKET"
    ROUTED_AND_UNASSIGNED = "ROUTED_AND_UNASSIGNED"
    REPORTED_TIMES = "REPORTED_TIMES"
    REPORTED_TRAVEL = "REPORTED_TRAVEL"
    REPORTED_BREAK = "REPORTED_BREAK"
    REPORTED_KPIS = "REPORTED_KPIS"


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule.

    Attributes
    ----------
    code
        Machine-readable :class:`Code`.
    message
        Human-readable explanation with the figures.
    engineer_id, ticket_id
        The engineer / ticket concerned, when there is one.
    """

    code: Code
    message: str
    engineer_id: str | None = None
    ticket_id: str | None = None


@dataclass(frozen=True)
class RouteTiming:
    """The re-timed route and the timing rules it breaks (empty when feasible)."""

    route: Route
    violations: tuple[Violation, ...]

    @property
    def feasible(self) -> bool:
        """Whether the route can be driven without breaking a timing rule."""
        return not self.violations


@dataclass(frozen=True, slots=True)
class _Stop:
    ticket_id: str
    point: int
    duration: int
    windows: tuple[tuple[int, int], ...]  # effective (window ∩ hard deadline)
    raw_ends: tuple[int, ...]  # window ends before the deadline cut
    fixed: int | None
    onsite: bool  # first visit, zero travel: may have started before the route starts
    deadline: int | None  # soft deadline, for lateness
    pinned: bool


@dataclass(slots=True)
class _Cell:
    cost: int
    time: int
    prev: int
    break_starts: tuple[int, ...]
    arrival: int
    start: int
    issues: tuple[tuple[Code, str], ...]


def ticket_point(problem: Problem, index: int) -> int:
    """Matrix index of the ``index``-th ticket of ``problem``."""
    return 2 * len(problem.engineers) + index


def _stop(problem: Problem, index: int, pin: Pin | None, zero_travel_first: bool) -> _Stop:
    t: Ticket = problem.tickets[index]
    hard = t.sla_deadline if t.sla_hard else None
    raw = tuple((w.start, w.end) for w in t.windows) or ((-_INF, _INF),)
    windows = tuple(
        (s, e if hard is None else min(e, hard)) for s, e in raw if hard is None or s <= hard
    )
    fixed = pin.start if pin is not None else None
    return _Stop(
        ticket_id=t.id,
        point=ticket_point(problem, index),
        duration=t.duration,
        windows=windows,
        raw_ends=tuple(e for _, e in raw),
        fixed=fixed,
        onsite=zero_travel_first,
        deadline=None if t.sla_hard else t.sla_deadline,
        pinned=pin is not None,
    )


def _drive(
    clock: int, travel: int, brks: Sequence[tuple[int, int, int]]
) -> tuple[int, int, tuple[int, ...], int]:
    """Drive ``travel`` seconds from ``clock`` taking ``brks`` on the way.

    Returns physical arrival, ready time (after the breaks), break starts and how
    many breaks start after their window closes.
    """
    rem = travel
    arrival: int | None = None
    starts: list[int] = []
    late = 0
    for ws, we, d in brks:
        b = max(clock, ws)
        late += b > we
        if b - clock >= rem:
            if arrival is None:
                arrival = clock + rem
            rem = 0
        else:
            rem -= b - clock
        starts.append(b)
        clock = b + d
    ready = clock + rem
    return (ready if arrival is None else arrival), ready, tuple(starts), late


def _serve(stop: _Stop, ready: int) -> tuple[int, tuple[tuple[Code, str], ...]]:
    if stop.fixed is not None:
        if stop.onsite or ready <= stop.fixed:
            return stop.fixed, ()
        return ready, ((Code.PIN_START, f"ready at {ready}, pinned start {stop.fixed}"),)
    for s, e in stop.windows:
        if ready <= e:
            return max(ready, s), ()
    if any(ready <= e for e in stop.raw_ends):
        return ready, ((Code.SLA_DEADLINE, f"earliest start {ready} is past the hard SLA"),)
    return ready, ((Code.TIME_WINDOW, f"earliest start {ready} is after every window"),)


def retime_route(
    problem: Problem,
    engineer_id: str,
    ticket_ids: Sequence[str],
    *,
    matrix: TravelMatrix | None = None,
) -> RouteTiming:
    """Re-time one route from scratch with the best break placement.

    Parameters
    ----------
    problem
        The problem the route belongs to.
    engineer_id
        A known engineer id.
    ticket_ids
        Known ticket ids in visiting order (no duplicates).
    matrix
        The problem's travel matrix, when already computed (else it is asked for).

    Returns
    -------
    RouteTiming
        The route with timings (:class:`solver.solution.Route`) and the timing rules
        it breaks (time windows, hard SLA, pinned starts, breaks, shift end).

    Raises
    ------
    KeyError
        When an engineer or ticket id is unknown.
    """
    return RouteContext.of(problem, matrix).retime(engineer_id, ticket_ids)


@dataclass(frozen=True)
class RouteContext:
    """Indexes over a problem shared by many re-timings (build once with :meth:`of`)."""

    problem: Problem
    matrix: TravelMatrix
    engineer_index: dict[str, int]
    ticket_index: dict[str, int]
    pins: dict[str, Pin]

    @classmethod
    def of(cls, problem: Problem, matrix: TravelMatrix | None = None) -> RouteContext:
        """Index ``problem`` (asks its travel provider once when ``matrix`` is None)."""
        return cls(
            problem=problem,
            matrix=matrix if matrix is not None else problem.travel_matrix(),
            engineer_index={e.id: i for i, e in enumerate(problem.engineers)},
            ticket_index={t.id: i for i, t in enumerate(problem.tickets)},
            pins={p.ticket_id: p for p in problem.pins},
        )

    def retime(self, engineer_id: str, ticket_ids: Sequence[str]) -> RouteTiming:
        """Re-time one route; see :func:`retime_route`."""
        return _retime(self, engineer_id, ticket_ids)


def _retime(ctx: RouteContext, engineer_id: str, ticket_ids: Sequence[str]) -> RouteTiming:
    problem, m = ctx.problem, ctx.matrix
    e_index = ctx.engineer_index[engineer_id]
    t_index, pins = ctx.ticket_index, ctx.pins
    eng: Engineer = problem.engineers[e_index]
    start_pt, end_pt = e_index, len(problem.engineers) + e_index
    if not ticket_ids:
        route = Route(eng.id, (), (), eng.shift.start, eng.shift.start, 0, 0)
        return RouteTiming(route, ())
    first_travel = int(m.durations[start_pt, ticket_point(problem, t_index[ticket_ids[0]])])
    stops = [
        _stop(problem, t_index[tid], pins.get(tid), k == 0 and first_travel == 0)
        for k, tid in enumerate(ticket_ids)
    ]
    points = [start_pt, *(s.point for s in stops), end_pt]
    travel = [int(m.durations[a, b]) for a, b in itertools.pairwise(points)]
    metres = [int(m.distances[a, b]) for a, b in itertools.pairwise(points)]
    brks = sorted((b.window.start, b.window.end, b.duration) for b in eng.breaks)
    table = _programme(eng.shift.start, stops, travel, brks)
    final = _close(table[-1], travel[-1], brks, eng.shift.end)
    return _assemble(eng, stops, travel, metres, brks, table, final)


def _programme(
    depart: int, stops: Sequence[_Stop], travel: Sequence[int], brks: Sequence[tuple[int, int, int]]
) -> list[list[_Cell | None]]:
    nb = len(brks)
    init: list[_Cell | None] = [None] * (nb + 1)
    init[0] = _Cell(0, depart, -1, (), depart, depart, ())
    table = [init]
    for g, stop in enumerate(stops):
        row: list[_Cell | None] = [None] * (nb + 1)
        for j, cell in enumerate(table[-1]):
            if cell is None:
                continue
            clock = cell.time
            for k in range(j, nb + 1):
                arrival, ready, starts, late = _drive(clock, travel[g], brks[j:k])
                start, issues = _serve(stop, ready)
                cost = cell.cost + late + len(issues)
                if late:
                    issues += ((Code.BREAK_WINDOW, "a break starts after its window"),)
                cand = _Cell(cost, start + stop.duration, j, starts, arrival, start, issues)
                old = row[k]
                if old is None or (cand.cost, cand.time) < (old.cost, old.time):
                    row[k] = cand
        table.append(row)
    return table


def _close(
    last: Sequence[_Cell | None], travel: int, brks: Sequence[tuple[int, int, int]], shift_end: int
) -> _Cell:
    nb = len(brks)
    best: _Cell | None = None
    for j, cell in enumerate(last):
        if cell is None:
            continue
        for k in range(j, nb + 1):
            arrival, home, starts, late = _drive(cell.time, travel, brks[j:k])
            issues: list[tuple[Code, str]] = []
            if late:
                issues.append((Code.BREAK_WINDOW, "a break starts after its window"))
            missed = sum(home > ws for ws, _, _ in brks[k:])
            if missed:
                issues.append((Code.BREAK_MISSED, f"{missed} break(s) owed but not taken"))
            if home > shift_end:
                issues.append((Code.SHIFT_END, f"back at {home}, shift ends {shift_end}"))
            cost = cell.cost + late + missed + (home > shift_end)
            cand = _Cell(cost, home, j, starts, arrival, home, tuple(issues))
            if best is None or (cand.cost, cand.time) < (best.cost, best.time):
                best = cand
    assert best is not None
    return best


def _assemble(
    eng: Engineer,
    stops: Sequence[_Stop],
    travel: Sequence[int],
    metres: Sequence[int],
    brks: Sequence[tuple[int, int, int]],
    table: Sequence[Sequence[_Cell | None]],
    final: _Cell,
) -> RouteTiming:
    n = len(stops)
    cells: list[_Cell] = [final]
    j = final.prev
    for g in range(n, 0, -1):
        cell = table[g][j]
        assert cell is not None
        cells.append(cell)
        j = cell.prev
    cells.reverse()  # cells[g] is gap g (g == n: the way home)
    visits: list[Visit] = []
    placements: list[BreakPlacement] = []
    violations: list[Violation] = []
    taken = 0
    for g, cell in enumerate(cells):
        for b in cell.break_starts:
            placements.append(BreakPlacement(b, b + brks[taken][2], g - 1))
            taken += 1
        tid = stops[g].ticket_id if g < n else None
        violations.extend(Violation(code, msg, eng.id, tid) for code, msg in cell.issues)
        if g < n:
            stop = stops[g]
            late = 0 if stop.deadline is None else max(0, cell.start - stop.deadline)
            visits.append(
                Visit(
                    ticket_id=stop.ticket_id,
                    arrival=cell.arrival,
                    start=cell.start,
                    end=cell.start + stop.duration,
                    travel_seconds=travel[g],
                    travel_metres=metres[g],
                    lateness=late,
                    pinned=stop.pinned,
                )
            )
    route = Route(
        engineer_id=eng.id,
        visits=tuple(visits),
        breaks=tuple(placements),
        depart=eng.shift.start,
        arrive=final.time,
        travel_seconds=sum(travel),
        travel_metres=sum(metres),
    )
    return RouteTiming(route, tuple(violations))
