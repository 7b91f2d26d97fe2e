"""The API answer of a plan, shaped from what it shows (no queries here).

:func:`dispatch.planning.plan_view.plan_contents` loads a plan's routes, unassigned
tickets and diff; this module turns them into :class:`api.schemas.plans.PlanOut`.
"""

from __future__ import annotations

from api.rows import record_of
from api.schemas.plans import DiffEntry, PlanDiff, PlanOut, RouteOut, UnassignedOut, VisitOut
from dispatch.models import PlanUnassigned, Visit
from dispatch.planning.plan_view import PlanContents, Route


def plan_out(contents: PlanContents) -> PlanOut:
    """The API view of a plan: routes with ETAs, unassigned tickets, KPIs and diff."""
    plan = contents.plan
    return record_of(
        PlanOut,
        plan,
        region_code=plan.region.code,
        notes=list(plan.notes or []),
        routes=[_route(r) for r in contents.routes],
        routes_total=contents.routes_total,
        unassigned=[_unassigned(u) for u in contents.unassigned],
        diff=_diff(contents),
    )


def _route(route: Route) -> RouteOut:
    engineer, visits = route.engineer, route.visits
    return RouteOut(
        engineer_id=engineer.id,
        engineer_code=engineer.code,
        engineer_name=engineer.name,
        visits=[_visit(v) for v in visits],
        travel_seconds=sum(v.travel_seconds for v in visits),
        service_seconds=sum(int((v.planned_end - v.planned_start).total_seconds()) for v in visits),
    )


def _visit(v: Visit) -> VisitOut:
    t = v.ticket
    return record_of(
        VisitOut,
        v,
        ticket_number=t.number,
        priority=t.priority,
        status=t.status,
        lat=t.site.lat,
        lon=t.site.lon,
        site_name=t.site.name,
    )


def _unassigned(u: PlanUnassigned) -> UnassignedOut:
    return UnassignedOut(
        ticket_id=u.ticket_id,
        ticket_number=u.ticket.number,
        priority=u.ticket.priority,
        reasons=list(u.reasons),
        suggestion=u.suggestion,
    )


def _diff(contents: PlanContents) -> PlanDiff | None:
    d = contents.diff
    if d is None:
        return None
    codes, numbers = contents.engineer_codes, contents.ticket_numbers
    return PlanDiff(
        against_plan_id=d.against_plan_id,
        added=d.count("added"),
        dropped=d.count("dropped"),
        moved=d.count("moved"),
        entries=[
            record_of(
                DiffEntry,
                i,
                ticket_number=numbers[i.ticket_id],
                from_engineer=codes.get(i.from_engineer_id) if i.from_engineer_id else None,
                to_engineer=codes.get(i.to_engineer_id) if i.to_engineer_id else None,
            )
            for i in d.items
        ],
    )
