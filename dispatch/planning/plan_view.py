"""What a plan shows, loaded: its routes (paged by engineer), unassigned tickets and diff.

Everything a plan shows is loaded up front (:func:`dispatch.planning.plans.load_plan`), so
gathering it runs a fixed number of queries, whatever the size of the plan. The API shapes
the :class:`PlanContents` into its answer without further queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.errors import InvalidInput, NotFound
from dispatch.models import Engineer, Plan, PlanStatus, PlanUnassigned, Region, Ticket, Visit
from dispatch.planning import plans


@dataclass(frozen=True)
class RoutePage:
    """Which routes to show: one engineer's (by code), or a page of engineers by code."""

    engineer: str | None = None
    offset: int = 0
    limit: int | None = None


@dataclass(frozen=True)
class Route:
    """An engineer's day in the plan: the visits in sequence."""

    engineer: Engineer
    visits: list[Visit]


@dataclass(frozen=True)
class PlanContents:
    """A plan and what it shows.

    Attributes
    ----------
    plan
        The plan (its visits and unassigned tickets loaded).
    routes
        The page's routes, engineers by code.
    routes_total
        How many routes the plan has.
    unassigned
        The tickets left out, by priority then number.
    diff
        Against the published plan of the region and day; ``None`` unless the plan
        succeeded or is published.
    ticket_numbers, engineer_codes
        The numbers and codes of the tickets and engineers the diff names.
    """

    plan: Plan
    routes: list[Route]
    routes_total: int
    unassigned: list[PlanUnassigned]
    diff: plans.PlanDiff | None
    ticket_numbers: dict[int, str]
    engineer_codes: dict[int, str]


def plan_contents(*, session: Session, plan: Plan, page: RoutePage | None = None) -> PlanContents:
    """What ``plan`` shows, with the routes of ``page`` (default: every route).

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
    PlanContents
        The plan, the page's routes and the names its diff needs.

    Raises
    ------
    NotFound
        ``page.engineer`` has no route in the plan.
    """
    routes, total = _routes(session, plan, page or RoutePage())
    diff = None
    numbers: dict[int, str] = {}
    codes: dict[int, str] = {}
    if plan.status in {"succeeded", "published"}:
        diff = plans.diff_against_published(session=session, plan=plan)
        codes = {e.id: e.code for e in session.scalars(select(Engineer))}
        numbers = _ticket_numbers(session, plan, diff)
    return PlanContents(
        plan=plan,
        routes=routes,
        routes_total=total,
        unassigned=sorted(plan.unassigned, key=lambda u: (u.ticket.priority, u.ticket.number)),
        diff=diff,
        ticket_numbers=numbers,
        engineer_codes=codes,
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
    query = select(Plan).order_by(Plan.id.desc()).limit(limit)
    if region_id is not None:
        query = query.where(Plan.region_id == region_id)
    if day is not None:
        query = query.where(Plan.plan_date == day)
    if status is not None:
        query = query.where(Plan.status == status)
    return list(session.scalars(query).all())


def _routes(session: Session, plan: Plan, page: RoutePage) -> tuple[list[Route], int]:
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
    routes = [
        Route(engineers[eid], sorted(by_engineer[eid], key=lambda v: v.sequence)) for eid in shown
    ]
    return routes, len(by_engineer)


def _ticket_numbers(session: Session, plan: Plan, diff: plans.PlanDiff) -> dict[int, str]:
    """The numbers of the tickets ``diff`` names (also those only the published plan has)."""
    numbers = {v.ticket_id: v.ticket.number for v in plan.visits}
    numbers.update({u.ticket_id: u.ticket.number for u in plan.unassigned})
    missing = [i.ticket_id for i in diff.items if i.ticket_id not in numbers]
    if missing:
        rows = session.execute(select(Ticket.id, Ticket.number).where(Ticket.id.in_(missing)))
        numbers.update({ticket_id: number for ticket_id, number in rows.all()})
    return numbers
