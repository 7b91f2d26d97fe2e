"""The seam between the database and the solver.

:func:`build_problem` turns the rows of one region and day (open tickets, engineers on
shift, their last known positions, pins from the published plan) into a
:class:`solver.problem.Problem` on a time axis of seconds from the region's local
midnight. :func:`apply_solution` turns a :class:`solver.solution.Solution` back into a
plan's visits and unassigned tickets. Nothing of the solver's internals crosses this
seam: solver ids are engineer codes and ticket numbers; database ids stay here.

The parts: :mod:`~dispatch.planning.inputs` (options, the day's time axis, the result),
:mod:`~dispatch.planning.crew` (engineers and where and when they start),
:mod:`~dispatch.planning.demand` (tickets, windows, rules, pins),
:mod:`~dispatch.planning.published_day` (the plans in force) and
:mod:`~dispatch.planning.solution_rows` (the answer back into rows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from dispatch.errors import NotFound
from dispatch.infra.day_clock import local_midnight
from dispatch.infra.positions import Position
from dispatch.models import Plan, Region, Ticket
from dispatch.org.regions import region_ids
from dispatch.planning.crew import Crew, build_crew
from dispatch.planning.demand import Demand, build_demand, load_tickets
from dispatch.planning.inputs import (
    PINNED,
    PLANNABLE,
    DayAxis,
    PlanningInput,
    PlanningOptions,
)
from dispatch.planning.published_day import (
    current_plan,
    previous_assignment,
    published_ids,
    published_routes,
    published_snapshot,
)
from dispatch.planning.snapshot import digest
from dispatch.planning.solution_rows import apply_solution, kpis_dict
from solver import HaversineProvider, Problem, TravelTimeProvider

__all__ = [
    "PINNED",
    "PLANNABLE",
    "PlanningInput",
    "PlanningOptions",
    "Position",
    "apply_solution",
    "build_problem",
    "current_plan",
    "day_axis",
    "kpis_dict",
    "published_ids",
    "published_routes",
]


def day_axis(*, session: Session, region_id: int, day: dt.date, now: dt.datetime | None) -> DayAxis:
    """The time axis of a region's day (seconds from its local midnight).

    Raises
    ------
    NotFound
        No such region (``field="region"``).
    """
    region = session.get(Region, region_id)
    if region is None:
        raise NotFound(f"no region {region_id}", field="region")
    zone = ZoneInfo(region.timezone)
    return DayAxis(day=day, zone=zone, origin=local_midnight(day, zone), now=now)


def build_problem(
    *,
    session: Session,
    region_id: int,
    day: dt.date,
    now: dt.datetime | None = None,
    positions: Mapping[int, Position] | None = None,
    travel: TravelTimeProvider | None = None,
    options: PlanningOptions | None = None,
) -> PlanningInput:
    """Build the solver problem for a region and day.

    Parameters
    ----------
    session
        Open session (read only).
    region_id
        The region to plan (sub-regions included).
    day
        The service day, in the region's time zone.
    now
        For an in-day re-plan: engineers become available from ``now`` (and from their
        last known position); ``None`` plans the whole day.
    positions
        Engineer id -> last known position (from the mobile app's pings).
    travel
        Travel-time provider (default: straight lines at 30 km/h x 1.3).
    options
        How to map rows to the problem.
    """
    options = options or PlanningOptions()
    axis = day_axis(session=session, region_id=region_id, day=day, now=now)
    regions = region_ids(session=session, region_id=region_id)
    published = current_plan(session=session, region_id=region_id, day=day)
    tickets = load_tickets(session, regions)
    crew = build_crew(
        session=session,
        regions=regions,
        axis=axis,
        tickets=tickets,
        positions=positions,
        options=options,
    )
    snapshot = {**published_snapshot(session, regions, day), **crew.snapshot}
    demand = build_demand(session=session, tickets=tickets, axis=axis, crew=crew, options=options)
    snapshot |= demand.snapshot
    return PlanningInput(
        problem=_problem(crew, demand, tickets, published, travel, options),
        region_id=region_id,
        day=day,
        origin=axis.origin,
        engineer_ids=crew.engineer_ids,
        ticket_ids=demand.ticket_ids,
        snapshot=snapshot,
        inputs_hash=digest(snapshot),
        skipped=demand.skipped,
        rebook=demand.rebook,
        on_site=crew.on_site,
    )


def _problem(
    crew: Crew,
    demand: Demand,
    tickets: Sequence[Ticket],
    published: Plan | None,
    travel: TravelTimeProvider | None,
    options: PlanningOptions,
) -> Problem:
    """The solver problem of ``crew`` and ``demand``, starting from the ``published`` day."""
    visits = list(published.visits) if published else []
    return Problem(
        engineers=crew.engineers,
        tickets=tuple(demand.tickets),
        pins=tuple(demand.pins),
        travel=travel or HaversineProvider(),
        previous_assignment=previous_assignment(tickets, visits, crew.codes, demand.ticket_ids),
        weights=options.weights,
        initial_routes=published_routes(
            visits, crew.codes, crew.engineer_ids, demand.ticket_ids, demand.pins
        ),
    )
