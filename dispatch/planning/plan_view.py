"""The read model of a plan: routes (paged by engineer), unassigned tickets, KPIs and diff.

Everything a plan shows is loaded up front (:func:`dispatch.planning.plans.load_plan`), so
building the view runs a fixed number of queries, whatever the size of the plan. The API
serves these values as they are (``api.schemas.plans.PlanOut`` has the same fields).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.errors import InvalidInput, NotFound
from dispatch.models import Engineer, Plan, PlanStatus, Region, Ticket, Visit
from dispatch.planning import plans


@dataclass(frozen=True)
class RoutePage:
    """Which routes to show: one engineer's (by code), or a page of engineers by code."""

    engineer: str | None = None
    offset: int = 0
    limit: int | None = None


@dataclass(frozen=True)
class VisitView:
    """One planned visit, with its ticket and site."""

    ticket_id: int
    ticket_number: str
    priority: int
    status: str
    sequence: int
    planned_arrival: dt.datetime
    planned_start: dt.datetime
    planned_end: dt.datetime
    travel_seconds: int
    lateness_seconds: int
    pinned: bool
    lat: float
    lon: float
    site_name: str


@dataclass(frozen=True)
class RouteView:
    """An engineer's day in the plan."""

    engineer_id: int
    engineer_code: str
    engineer_name: str
    visits: list[VisitView]
    travel_seconds: int
    service_seconds: int


@dataclass(frozen=True)
class UnassignedView:
    """A ticket the plan leaves out, with the solver's reasons and suggested fix."""

    ticket_id: int
    ticket_number: str
    priority: int
    reasons: list[str]
    suggestion: dict[str, Any] | None


@dataclass(frozen=True)
class DiffEntryView:
    """One ticket the plan places differently from the published plan (engineers by code)."""

    ticket_id: int
    ticket_number: str
    change: str
    from_engineer: str | None
    to_engineer: str | None
    from_start: dt.datetime | None
    to_start: dt.datetime | None


@dataclass(frozen=True)
class DiffView:
    """Changes against the published plan of the same region and day."""

    against_plan_id: int | None
    added: int
    dropped: int
    moved: int
    entries: list[DiffEntryView]


@dataclass(frozen=True)
class PlanView:
    """A plan as shown: routes with ETAs, unassigned tickets, KPIs and the diff."""

    id: int
    region_id: int
    region_code: str
    plan_date: dt.date
    status: str
    kpis: dict[str, Any] | None
    notes: list[str]
    inputs_hash: str | None
    solver_status: str | None
    solver_seconds: float | None
    published_at: dt.datetime | None
    routes: list[RouteView]
    routes_total: int
    unassigned: list[UnassignedView]
    diff: DiffView | None


def plan_view(*, session: Session, plan: Plan, page: RoutePage | None = None) -> PlanView:
    """The view of ``plan`` with the routes of ``page`` (default: every route).

    Parameters
    ----------
    session
        The session ``plan`` was loaded in (by :func:`dispatch.planning.plans.load_plan`).
    plan
        The plan, its visits and unassigned tickets loaded.
    page
        Which routes to show.

    Returns
    -------
    PlanView
        Routes ordered by engineer code; ``routes_total`` counts every route.

    Raises
    ------
    NotFound
        ``page.engineer`` has no route in the plan.
    """
    routes, total = _routes(session, plan, page or RoutePage())
    return PlanView(
        id=plan.id,
        region_id=plan.region_id,
        region_code=plan.region.code,
        plan_date=plan.plan_date,
        status=plan.status,
        kpis=plan.kpis,
        notes=list(plan.notes or []),
        inputs_hash=plan.inputs_hash,
        solver_status=plan.solver_status,
        solver_seconds=plan.solver_seconds,
        published_at=plan.published_at,
        routes=routes,
        routes_total=total,
        unassigned=_unassigned(plan),
        diff=_diff(session, plan),
    )


def recent_plans(
    *,
    session: Session,
    region_code: str | None = None,
    day: dt.date | None = None,
    status: str | None = None,
    limit: int = 50,
) -> list[Plan]:
    """Plans newest first, by region (code), day and status.

    Raises
    ------
    NotFound
        Unknown region (``field`` ``region``).
    InvalidInput
        Unknown status (``field`` ``status``).
    """
    region_id = None
    if region_code is not None:
        region_id = session.scalar(select(Region.id).where(Region.code == region_code))
        if region_id is None:
            raise NotFound(f"no region {region_code!r}", field="region")
    if status is not None and status not in {s.value for s in PlanStatus}:
        raise InvalidInput(f"unknown status {status!r}", field="status")
    return plans.list_plans(
        session=session, region_id=region_id, day=day, status=status, limit=limit
    )


def _routes(session: Session, plan: Plan, page: RoutePage) -> tuple[list[RouteView], int]:
    """The page's routes (engineers by code) and how many routes the plan has."""
    by_engineer: dict[int, list[Visit]] = {}
    for v in plan.visits:
        by_engineer.setdefault(v.engineer_id, []).append(v)
    engineers = {
        e.id: e
        for e in session.scalars(select(Engineer).where(Engineer.id.in_(list(by_engineer) or [-1])))
    }
    ordered = sorted(by_engineer, key=lambda eid: engineers[eid].code)
    if page.engineer is not None:
        ordered = [eid for eid in ordered if engineers[eid].code == page.engineer]
        if not ordered:
            raise NotFound(f"no route of {page.engineer!r} in plan {plan.id}", field="engineer")
    end = None if page.limit is None else page.offset + page.limit
    shown = ordered[page.offset : end]
    return [_route(engineers[eid], by_engineer[eid]) for eid in shown], len(by_engineer)


def _route(engineer: Engineer, visits: Sequence[Visit]) -> RouteView:
    ordered = sorted(visits, key=lambda v: v.sequence)
    return RouteView(
        engineer_id=engineer.id,
        engineer_code=engineer.code,
        engineer_name=engineer.name,
        visits=[_visit(v) for v in ordered],
        travel_seconds=sum(v.travel_seconds for v in ordered),
        service_seconds=sum(
            int((v.planned_end - v.planned_start).total_seconds()) for v in ordered
        ),
    )


def _visit(v: Visit) -> VisitView:
    t = v.ticket
    return VisitView(
        ticket_id=t.id,
        ticket_number=t.number,
        priority=t.priority,
        status=t.status,
        sequence=v.sequence,
        planned_arrival=v.planned_arrival,
        planned_start=v.planned_start,
        planned_end=v.planned_end,
        travel_seconds=v.travel_seconds,
        lateness_seconds=v.lateness_seconds,
        pinned=v.pinned,
        lat=t.site.lat,
        lon=t.site.lon,
        site_name=t.site.name,
    )


def _unassigned(plan: Plan) -> list[UnassignedView]:
    return [
        UnassignedView(
            ticket_id=u.ticket_id,
            ticket_number=u.ticket.number,
            priority=u.ticket.priority,
            reasons=list(u.reasons),
            suggestion=u.suggestion,
        )
        for u in sorted(plan.unassigned, key=lambda u: (u.ticket.priority, u.ticket.number))
    ]


def _diff(session: Session, plan: Plan) -> DiffView | None:
    if plan.status not in {"succeeded", "published"}:
        return None
    d = plans.diff_against_published(session=session, plan=plan)
    codes = {e.id: e.code for e in session.scalars(select(Engineer))}
    numbers = {v.ticket_id: v.ticket.number for v in plan.visits}
    numbers.update({u.ticket_id: u.ticket.number for u in plan.unassigned})
    missing = [i.ticket_id for i in d.items if i.ticket_id not in numbers]
    if missing:
        rows = session.execute(select(Ticket.id, Ticket.number).where(Ticket.id.in_(missing)))
        numbers.update({ticket_id: number for ticket_id, number in rows.all()})
    return DiffView(
        against_plan_id=d.against_plan_id,
        added=d.count("added"),
        dropped=d.count("dropped"),
        moved=d.count("moved"),
        entries=[
            DiffEntryView(
                ticket_id=i.ticket_id,
                ticket_number=numbers[i.ticket_id],
                change=i.change,
                from_engineer=codes.get(i.from_engineer_id) if i.from_engineer_id else None,
                to_engineer=codes.get(i.to_engineer_id) if i.to_engineer_id else None,
                from_start=i.from_start,
                to_start=i.to_start,
            )
            for i in d.items
        ],
    )
