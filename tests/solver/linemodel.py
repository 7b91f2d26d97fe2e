"""Tiny hand-checkable problems: every point on a line, travel = |x_a - x_b| seconds."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from solver.problem import Break, Engineer, Pin, Problem, Ticket, Tier, TimeWindow
from solver.travel.base import Location, TravelMatrix

HOME = Location(0.0, 0.0)


def eng(
    eid: str = "E1",
    *,
    x: int = 0,
    shift: tuple[int, int] = (0, 10_000),
    skills: dict[str, int] | None = None,
    brk: tuple[int, int, int] | None = None,
    **kw: object,
) -> tuple[Engineer, int]:
    """An engineer at position ``x``; ``brk`` = (window start, window end, duration)."""
    breaks = () if brk is None else (Break(brk[2], TimeWindow(brk[0], brk[1])),)
    e = Engineer(
        id=eid,
        start=HOME,
        end=HOME,
        shift=TimeWindow(*shift),
        skills=skills if skills is not None else {"hvac": 3},
        breaks=breaks,
        **kw,  # type: ignore[arg-type]
    )
    return e, x


def tk(
    tid: str,
    x: int,
    *,
    duration: int = 100,
    windows: Sequence[tuple[int, int]] = (),
    skill: str | None = "hvac",
    tier: int = 3,
    **kw: object,
) -> tuple[Ticket, int]:
    """A ticket at position ``x``."""
    t = Ticket(
        id=tid,
        location=HOME,
        duration=duration,
        skill=skill,
        tier=Tier(tier),
        windows=tuple(TimeWindow(a, b) for a, b in windows),
        **kw,  # type: ignore[arg-type]
    )
    return t, x


def line_problem(
    engineers: Sequence[tuple[Engineer, int]],
    tickets: Sequence[tuple[Ticket, int]],
    pins: Sequence[Pin] = (),
    unroutable: frozenset[str] = frozenset(),
) -> Problem:
    """A problem whose matrix is the distance along a line (metres = 10 x seconds)."""
    xs = [x for _, x in engineers] * 2 + [x for _, x in tickets]
    arr = np.array(xs, dtype=np.int64)
    dur = np.abs(arr[:, None] - arr[None, :])
    return Problem(
        engineers=tuple(e for e, _ in engineers),
        tickets=tuple(t for t, _ in tickets),
        pins=tuple(pins),
        travel=TravelMatrix(durations=dur, distances=dur * 10, provider="line"),
        unroutable_tickets=unroutable,
    )
