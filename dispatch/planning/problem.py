"""The seam between the database and the solver.

:func:`build_problem` turns the rows of one region and day (open tickets, engineers on
shift, their last known positions, pins from the published plan) into a
:class:`solver.problem.Problem` on a time axis of seconds from the region's local
midnight. :func:`apply_solution` turns a :class:`solver.solution.Solution` back into a
plan's visits and unassigned tickets. Nothing of the solver's internals crosses this
seam: solver ids are engineer codes and ticket numbers; database ids stay here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dispatch.infra.positions import Position
from dispatch.models import (
    Customer,
    CustomerTier,
    Engineer,
    EngineerRuleKind,
    Plan,
    PlanStatus,
    PlanUnassigned,
    Region,
    SiteVisit,
    Ticket,
    TicketStatus,
    Visit,
)
from dispatch.org.availability import absences_on, available, to_seconds
from dispatch.planning.plan_sla import predicted_sla
from dispatch.planning.snapshot import (
    PUBLISHED_KEY,
    digest,
    engineer_digest,
    published_digest,
    ticket_digest,
)
from dispatch.tickets.assignment import assigned_engineers
from dispatch.tickets.pinning import required_with_pin
from dispatch.tickets.service_windows import WINDOW_PASSED, local_instant, new_slot, service_windows
from solver import (
    Break,
    HaversineProvider,
    Location,
    Pin,
    Problem,
    Solution,
    Tier,
    TimeWindow,
    TravelTimeProvider,
    Weights,
)
from solver import Engineer as SolverEngineer
from solver import Ticket as SolverTicket

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
    """P3/P4 tickets whose appointment has passed (:data:`WINDOW_PASSED`): id -> new slot."""

    def instant(self, seconds: int) -> dt.datetime:
        """The UTC instant of a solver time."""
        return self.origin + dt.timedelta(seconds=seconds)

    def seconds(self, instant: dt.datetime) -> int:
        """The solver time of an instant."""
        return int((instant - self.origin).total_seconds())


def region_ids(*, session: Session, region_id: int) -> list[int]:
    """``region_id`` and every region below it (HQ plans cover all regions)."""
    ids = [region_id]
    frontier = [region_id]
    while frontier:
        children = session.scalars(select(Region.id).where(Region.parent_id.in_(frontier))).all()
        frontier = [c for c in children if c not in ids]
        ids.extend(frontier)
    return ids


def published_ids(session: Session, regions: list[int], day: dt.date) -> list[int]:
    """Ids of the published plans of ``day`` for ``regions`` (those a new plan replaces)."""
    return sorted(
        session.scalars(
            select(Plan.id).where(
                Plan.plan_date == day,
                Plan.status == PlanStatus.PUBLISHED.value,
                Plan.region_id.in_(regions or [-1]),
            )
        )
    )


def current_plan(*, session: Session, region_id: int, day: dt.date) -> Plan | None:
    """The published plan of a region and day, if any."""
    return session.scalar(
        select(Plan)
        .where(
            Plan.region_id == region_id,
            Plan.plan_date == day,
            Plan.status == PlanStatus.PUBLISHED.value,
        )
        .order_by(Plan.published_at.desc())
        .limit(1)
    )


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
    region = session.get(Region, region_id)
    if region is None:
        from dispatch.errors import NotFound

        raise NotFound(f"no region {region_id}", field="region")
    zone = ZoneInfo(region.timezone)
    origin = dt.datetime.combine(day, dt.time(0), zone).astimezone(dt.UTC)
    regions = region_ids(session=session, region_id=region_id)
    now_s = int((now - origin).total_seconds()) if now is not None else None

    published = current_plan(session=session, region_id=region_id, day=day)
    published_visits = {v.ticket_id: v for v in published.visits} if published else {}

    tickets = session.scalars(
        select(Ticket)
        .where(
            Ticket.region_id.in_(regions),
            Ticket.status.in_(PLANNABLE | PINNED | {TicketStatus.ON_SITE.value}),
        )
        .options(
            selectinload(Ticket.windows),
            selectinload(Ticket.engineer_rules),
            selectinload(Ticket.site),
        )
        .order_by(Ticket.id)
    ).all()
    engineers_rows = session.scalars(
        select(Engineer)
        .where(Engineer.region_id.in_(regions), Engineer.active.is_(True))
        .options(selectinload(Engineer.skills), selectinload(Engineer.shifts))
        .order_by(Engineer.code)
    ).all()
    codes = {e.id: e.code for e in engineers_rows}
    absent = absences_on(session=session, engineer_ids=codes, day=day, zone=zone)

    # Visits in progress: the engineer is on site; they become free at the site when the job ends.
    on_site_rows = session.scalars(
        select(SiteVisit).where(
            SiteVisit.checked_out_at.is_(None), SiteVisit.engineer_id.in_(list(codes) or [-1])
        )
    ).all()
    busy_until: dict[int, tuple[int, Location]] = {}
    ticket_by_id = {t.id: t for t in tickets}
    for sv in on_site_rows:
        t = ticket_by_id.get(sv.ticket_id)
        if t is None:
            continue
        done = int((sv.checked_in_at - origin).total_seconds()) + t.estimated_minutes * 60
        busy_until[sv.engineer_id] = (max(done, now_s or 0), Location(t.site.lat, t.site.lon))

    solver_engineers: list[SolverEngineer] = []
    engineer_ids: dict[str, int] = {}
    snapshot: dict[str, str] = {
        PUBLISHED_KEY: published_digest(published_ids(session, regions, day))
    }
    for e in engineers_rows:
        shift = e.shift_on(day)
        if shift is None or not e.certified_on(day):
            continue
        snapshot[f"engineer:{e.code}"] = engineer_digest(e, day, absent.get(e.id, ()))
        start_s = int((local_instant(day, shift.start_minute, zone) - origin).total_seconds())
        end_s = int((local_instant(day, shift.end_minute, zone) - origin).total_seconds())
        home = Location(e.home_lat, e.home_lon)
        start_loc = home
        if now_s is not None:
            start_s = max(start_s, now_s)
            pos = (positions or {}).get(e.id)
            if pos is not None and now is not None and now - pos.at <= options.position_max_age:
                start_loc = Location(pos.lat, pos.lon)
        if e.id in busy_until:
            free_at, site = busy_until[e.id]
            start_s, start_loc = max(start_s, free_at), site
        if start_s >= end_s:
            continue
        breaks: list[Break] = []
        if (
            shift.break_minutes
            and shift.break_earliest_minute is not None
            and shift.break_latest_minute is not None
        ):
            b_start = int(
                (local_instant(day, shift.break_earliest_minute, zone) - origin).total_seconds()
            )
            b_end = int(
                (local_instant(day, shift.break_latest_minute, zone) - origin).total_seconds()
            )
            if b_end >= start_s:
                breaks.append(
                    Break(shift.break_minutes * 60, TimeWindow(max(b_start, start_s), b_end))
                )
        window = available(
            start=start_s,
            end=end_s,
            breaks=breaks,
            absences=to_seconds(absent.get(e.id, []), origin),
        )
        if window is None:  # absent all the time left that day
            continue
        start_s, end_s, breaks = window.start, window.end, list(window.breaks)
        cost = (
            e.cost_per_job if isinstance(e.cost_per_job, Decimal) else Decimal(e.cost_per_job or 0)
        )
        solver_engineers.append(
            SolverEngineer(
                id=e.code,
                start=start_loc,
                end=home,
                shift=TimeWindow(start_s, end_s),
                skills={s.skill: s.level for s in e.skills},
                breaks=tuple(breaks),
                max_jobs=e.max_jobs_per_day,
                max_work_seconds=e.max_work_minutes_per_day * 60,
                cost_per_job=int(cost * options.contractor_cost_seconds),
                parts_capacity=e.parts_capacity,
            )
        )
        engineer_ids[e.code] = e.id

    customers = {
        c.id: c
        for c in session.scalars(
            select(Customer).where(Customer.id.in_({t.customer_id for t in tickets} or {-1}))
        )
    }
    solver_tickets: list[SolverTicket] = []
    ticket_ids: dict[str, int] = {}
    pins: list[Pin] = []
    skipped: dict[int, str] = {}
    rebook: dict[int, Mapping[str, Any]] = {}
    earliest = max(now_s or 0, 0)
    en_route_positions: dict[str, int] = {}
    owners = assigned_engineers(
        session=session, ticket_ids=[t.id for t in tickets if t.status in PINNED]
    )
    for t in tickets:
        if t.status == TicketStatus.ON_SITE.value:
            # not for the solver (the engineer is busy there), but a plan depends on it
            snapshot[f"ticket:{t.number}"] = ticket_digest(t)
            continue
        windows, why = service_windows(
            t, day, zone, origin, earliest=earliest, committed=t.status in PINNED
        )
        if why == WINDOW_PASSED:
            rebook[t.id] = new_slot(t, day, zone, origin, earliest=earliest)
            continue
        if why is not None:
            skipped[t.id] = why
            continue
        snapshot[f"ticket:{t.number}"] = ticket_digest(t)
        rules = {
            k: {
                codes[r.engineer_id]
                for r in t.engineer_rules
                if r.kind == k.value and r.engineer_id in codes
            }
            for k in EngineerRuleKind
        }
        required_rows = [r for r in t.engineer_rules if r.kind == EngineerRuleKind.REQUIRED.value]
        required = rules[EngineerRuleKind.REQUIRED] | {
            f"#{r.engineer_id}" for r in required_rows if r.engineer_id not in codes
        }
        required = required_with_pin(t, codes, required)
        preferred = set(rules[EngineerRuleKind.PREFERRED])
        customer = customers.get(t.customer_id)
        if (
            customer
            and customer.tier == CustomerTier.VIP.value
            and customer.dedicated_engineer_id in codes
        ):
            preferred.add(codes[customer.dedicated_engineer_id])
        deadline = None
        if t.response_due is not None and t.responded_at is None:
            deadline = int((t.response_due - origin).total_seconds())
        solver_tickets.append(
            SolverTicket(
                id=t.number,
                location=Location(t.site.lat, t.site.lon),
                duration=t.estimated_minutes * 60,
                skill=t.required_skill,
                min_level=t.min_level,
                tier=Tier(t.priority),
                windows=tuple(windows),
                sla_deadline=deadline,
                sla_hard=options.sla_hard,
                preferred_engineers=frozenset(preferred),
                required_engineers=frozenset(required),
                excluded_engineers=frozenset(rules[EngineerRuleKind.EXCLUDED]),
                parts_demand=t.parts_demand,
            )
        )
        ticket_ids[t.number] = t.id
        if t.status in PINNED:  # to the engineer it is assigned to (one owner at a time)
            owner = owners.get(t.id)
            engineer_code = codes.get(owner) if owner is not None else None
            if engineer_code in engineer_ids:
                position = None
                if t.status == TicketStatus.EN_ROUTE.value:
                    position = en_route_positions.setdefault(engineer_code, 0)
                pins.append(Pin(ticket_id=t.number, engineer_id=engineer_code, position=position))

    previous = {
        t.number: codes[published_visits[t.id].engineer_id]
        for t in tickets
        if t.id in published_visits
        and published_visits[t.id].engineer_id in codes
        and t.number in ticket_ids
    }
    problem = Problem(
        engineers=tuple(solver_engineers),
        tickets=tuple(solver_tickets),
        pins=tuple(pins),
        travel=travel or HaversineProvider(),
        previous_assignment=previous,
        weights=options.weights,
        initial_routes=published_routes(
            published.visits if published else [], codes, engineer_ids, ticket_ids, pins
        ),
    )
    return PlanningInput(
        problem=problem,
        region_id=region_id,
        day=day,
        origin=origin,
        engineer_ids=engineer_ids,
        ticket_ids=ticket_ids,
        snapshot=snapshot,
        inputs_hash=digest(snapshot),
        skipped=skipped,
        rebook=rebook,
        on_site=tuple(sv.id for sv in on_site_rows if sv.ticket_id in ticket_by_id),
    )


def published_routes(
    visits: Sequence[Visit],
    codes: Mapping[int, str],
    engineer_ids: Mapping[str, int],
    ticket_ids: Mapping[str, int],
    pins: Sequence[Pin],
) -> dict[str, tuple[str, ...]]:
    """The published day as solver routes (the re-plan's starting point).

    Only tickets still in the problem, on engineers still in it; a ticket pinned to
    another engineer (a hand dispatch since) is left to its pin.
    """
    numbers = {tid: number for number, tid in ticket_ids.items()}
    pinned_to = {p.ticket_id: p.engineer_id for p in pins}
    routes: dict[str, list[str]] = {}
    for v in sorted(visits, key=lambda v: (v.engineer_id, v.sequence)):
        code, number = codes.get(v.engineer_id), numbers.get(v.ticket_id)
        if code is None or number is None or code not in engineer_ids:
            continue
        if pinned_to.get(number, code) != code:
            continue
        routes.setdefault(code, []).append(number)
    return {code: tuple(numbers_) for code, numbers_ in routes.items()}


def apply_solution(
    *,
    session: Session,
    plan: Plan,
    planning: PlanningInput,
    solution: Solution,
    now: dt.datetime | None = None,
) -> None:
    """Store ``solution`` as ``plan``'s visits, unassigned tickets and figures.

    Site visits in progress are copied into the plan as pinned visits with their actual
    check-in time, so the plan shows each engineer's whole day. The plan's late counts
    are the SLA's own judgement of each planned arrival at ``now`` (default: the run's
    start), the rule ``/sla/at-risk`` and ``/sla/breaches`` use.
    """
    plan.visits.clear()
    plan.unassigned.clear()
    session.flush()
    on_site_by_engineer: dict[int, SiteVisit] = {}
    for sv_id in planning.on_site:
        sv = session.get(SiteVisit, sv_id)
        if sv is not None:
            on_site_by_engineer[sv.engineer_id] = sv
    for engineer_id, sv in on_site_by_engineer.items():
        ticket = session.get(Ticket, sv.ticket_id)
        minutes = ticket.estimated_minutes if ticket else 0
        plan.visits.append(
            Visit(
                ticket_id=sv.ticket_id,
                engineer_id=engineer_id,
                sequence=0,
                planned_arrival=sv.checked_in_at,
                planned_start=sv.checked_in_at,
                planned_end=sv.checked_in_at + dt.timedelta(minutes=minutes),
                pinned=True,
            )
        )
    for route in solution.routes:
        engineer_id = planning.engineer_ids[route.engineer_id]
        offset = 1 if engineer_id in on_site_by_engineer else 0
        for sequence, v in enumerate(route.visits):
            plan.visits.append(
                Visit(
                    ticket_id=planning.ticket_ids[v.ticket_id],
                    engineer_id=engineer_id,
                    sequence=sequence + offset,
                    planned_arrival=planning.instant(v.arrival),
                    planned_start=planning.instant(v.start),
                    planned_end=planning.instant(v.end),
                    travel_seconds=v.travel_seconds,
                    travel_metres=v.travel_metres,
                    lateness_seconds=v.lateness,
                    pinned=v.pinned,
                )
            )
    for u in solution.unassigned:
        suggestion: dict[str, Any] | None = None
        if u.suggestion is not None:
            suggestion = {
                "kind": u.suggestion.kind,
                "engineer": u.suggestion.engineer_id,
                "amount": u.suggestion.amount,
                "message": u.suggestion.message,
            }
        plan.unassigned.append(
            PlanUnassigned(
                ticket_id=planning.ticket_ids[u.ticket_id],
                reasons=[str(r) for r in u.reasons],
                suggestion=suggestion,
            )
        )
    for ticket_id, slot in planning.rebook.items():
        plan.unassigned.append(
            PlanUnassigned(ticket_id=ticket_id, reasons=[WINDOW_PASSED], suggestion=dict(slot))
        )
    plan.kpis = kpis_dict(solution)
    plan.kpis["unassigned"] += len(planning.rebook)
    judged_at = now or plan.started_at or planning.origin
    plan.kpis |= predicted_sla(session=session, visits=plan.visits, now=judged_at)
    plan.solver_status = str(solution.status)
    plan.solver_seconds = solution.seconds
    plan.notes = list(solution.notes) + [
        f"{n}: {why}" for n, why in _skipped_notes(session, planning)
    ]
    plan.inputs_hash = planning.inputs_hash
    plan.inputs_snapshot = dict(planning.snapshot)


def _skipped_notes(session: Session, planning: PlanningInput) -> list[tuple[str, str]]:
    if not planning.skipped:
        return []
    rows = session.execute(
        select(Ticket.id, Ticket.number).where(Ticket.id.in_(list(planning.skipped)))
    )
    numbers = {ticket_id: number for ticket_id, number in rows.all()}
    return [(numbers.get(tid, str(tid)), why) for tid, why in sorted(planning.skipped.items())]


def kpis_dict(solution: Solution) -> dict[str, Any]:
    """The solution's KPIs as JSON-ready data (tiers as ``"P1".."P4"``)."""
    k = solution.kpis

    def tiers(values: Mapping[int, int]) -> dict[str, int]:
        return {f"P{t}": int(values.get(t, 0)) for t in (1, 2, 3, 4)}

    return {
        "served_by_tier": tiers(k.served_by_tier),
        "total_by_tier": tiers(k.total_by_tier),
        "late_by_tier": tiers(k.late_by_tier),
        "lateness_seconds_by_tier": tiers(k.lateness_seconds_by_tier),
        "served": k.served,
        "unassigned": len(solution.unassigned),
        "travel_seconds": k.travel_seconds,
        "travel_metres": k.travel_metres,
        "service_seconds": k.service_seconds,
        "utilisation": round(k.utilisation, 4),
        "engineers_used": k.engineers_used,
        "preferred_served": k.preferred_served,
        "decomposed": solution.decomposed,
        "provider": solution.provider,
    }
