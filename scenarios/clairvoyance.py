"""Foresight for the clairvoyant policy: the requests of the day not reported yet.

The clairvoyant policy is an upper anchor, not a dispatcher: it plans with tickets that do
not exist yet. Each request still to come today becomes a solver ticket as the planner
would see it once it is reported (estimated duration, skill, tier, appointment slot, SLA
response deadline), with its release respected: its service cannot start before the
instant it is reported. Requests fixed by remote diagnosis need no visit and are left out;
holds (no access, missing parts) are not foreseen.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from dispatch.models import Region
from dispatch.planning.problem import PlanningInput
from dispatch.sla.clocks import due, region_calendar
from dispatch.sla.policy import SlaPolicy
from dispatch.tickets.service_windows import DAY_SECONDS, clock_minutes
from scenarios.demand import Request
from scenarios.model import Scenario
from solver import Location, Solution, Ticket, Tier, TimeWindow

FUTURE_PREFIX = "future:"
"""Id prefix of the solver tickets standing for requests not reported yet."""


@dataclass(frozen=True)
class Foresight:
    """What the clairvoyant policy knows of a run: its requests and its clock.

    Attributes
    ----------
    region_id
        The simulated region (its calendar runs the SLA clocks).
    sla
        The SLA policy in force.
    scenario
        The scenario (the customers' access hours).
    requests
        Every request of the run, in arrival order.
    now
        The simulation time now (seconds).
    at
        The instant of a simulation time.
    """

    region_id: int
    sla: SlaPolicy
    scenario: Scenario
    requests: Sequence[Request]
    now: Callable[[], float]
    at: Callable[[float], dt.datetime]


def future_tickets(sim: Foresight, session: Session, planning: PlanningInput) -> list[Ticket]:
    """Solver tickets of the requests that will arrive later on ``planning.day``.

    Parameters
    ----------
    sim
        What the run knows ahead (its requests and clock).
    session
        Open session (read only: the region's calendar).
    planning
        The problem of the rest of today (its origin is the time axis).
    """
    region = session.get(Region, sim.region_id)
    assert region is not None
    calendar = region_calendar(region, sim.sla)
    access = sim.scenario.customers.access_hours
    opens, closes = (
        (clock_minutes(access.start) * 60, clock_minutes(access.end) * 60)
        if access is not None
        else (0, DAY_SECONDS)
    )
    now = sim.now()
    out: list[Ticket] = []
    for request in sim.requests:
        if request.at <= now or request.remote:
            continue
        reported = sim.at(request.at)
        release = planning.seconds(reported)
        if not 0 <= release < DAY_SECONDS:
            continue
        spans = [(release, DAY_SECONDS)]
        if request.window is not None:
            spans = [tuple(planning.seconds(sim.at(s)) for s in request.window)]  # type: ignore[list-item]
        latest = closes - request.minutes * 60
        windows = [
            TimeWindow(max(s, release, opens), min(e, latest))
            for s, e in spans
            if max(s, release, opens) <= min(e, latest)
        ]
        if not windows:
            continue
        targets = sim.sla.targets_for(
            priority=request.tier,
            customer_tier="vip" if request.site.vip else "standard",
            kind=request.kind,
        )
        deadline = due(reported, targets.response, calendar=calendar)
        out.append(
            Ticket(
                id=f"{FUTURE_PREFIX}{request.key}",
                location=Location(request.site.lat, request.site.lon),
                duration=request.minutes * 60,
                skill=request.skill,
                min_level=request.min_level,
                tier=Tier(request.tier),
                windows=tuple(windows),
                sla_deadline=planning.seconds(deadline),
            )
        )
    return out


def without(solution: Solution, ids: Collection[str]) -> Solution:
    """``solution`` without the visits and unassigned entries of tickets ``ids``.

    The remaining visits keep their planned times: an engineer kept free for a request
    still to come waits for it rather than starting the next job early.
    """
    routes = tuple(
        dataclasses.replace(r, visits=tuple(v for v in r.visits if v.ticket_id not in ids))
        for r in solution.routes
    )
    unassigned = tuple(u for u in solution.unassigned if u.ticket_id not in ids)
    return dataclasses.replace(solution, routes=routes, unassigned=unassigned)
