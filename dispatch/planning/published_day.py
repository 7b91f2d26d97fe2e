"""The published day: the plans in force for a region and day, and what a re-plan keeps of them.

A re-plan starts from the published routes (:func:`published_routes`) and counts a
ticket's engineer in the published plan as its previous assignment (changing it costs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.models import Plan, PlanStatus, Ticket, Visit
from dispatch.planning.inputs import PlanningInput
from dispatch.planning.snapshot import PUBLISHED_KEY, published_digest
from solver import Pin


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


def published_snapshot(session: Session, regions: list[int], day: dt.date) -> dict[str, str]:
    """The snapshot entry of the plans in force (a plan published since makes a plan stale)."""
    return {PUBLISHED_KEY: published_digest(published_ids(session, regions, day))}


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


def previous_assignment(
    tickets: Sequence[Ticket],
    visits: Sequence[Visit],
    codes: Mapping[int, str],
    ticket_ids: Mapping[str, int],
) -> dict[str, str]:
    """Ticket number -> engineer code in the published ``visits``, for the tickets and
    engineers of the problem (in ticket order)."""
    published = {v.ticket_id: v for v in visits}
    return {
        t.number: codes[published[t.id].engineer_id]
        for t in tickets
        if t.id in published and published[t.id].engineer_id in codes and t.number in ticket_ids
    }


def current_routes(
    planning: PlanningInput, published: Sequence[Plan], leave_out: int
) -> dict[str, list[str]]:
    """Engineer code -> ticket numbers in order, from the published plans (pins included)."""
    numbers = {tid: number for number, tid in planning.ticket_ids.items()}
    codes = {eid: code for code, eid in planning.engineer_ids.items()}
    routes: dict[str, list[str]] = {}
    visits = [v for plan in published for v in plan.visits]
    for v in sorted(visits, key=lambda v: (v.engineer_id, v.sequence)):
        if v.ticket_id == leave_out or v.ticket_id not in numbers or v.engineer_id not in codes:
            continue
        routes.setdefault(codes[v.engineer_id], []).append(numbers[v.ticket_id])
    return routes
