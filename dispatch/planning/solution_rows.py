"""A solver answer back into rows: a plan's visits, unassigned tickets with reasons, figures.

Site visits in progress are copied into the plan as pinned visits with their actual
check-in time, so the plan shows each engineer's whole day; tickets whose appointment
passed are unassigned with ``WINDOW_PASSED`` and the slot offered; tickets left out of
the problem are named in the plan's notes with why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.models import Plan, PlanStatus, PlanUnassigned, SiteVisit, Ticket, Visit
from dispatch.planning.inputs import PlanningInput
from dispatch.planning.plan_sla import predicted_sla
from dispatch.tickets.service_windows import WINDOW_PASSED
from solver import Solution


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
    on_site = on_site_visits(session, planning)
    plan.visits.extend(on_site)
    plan.visits.extend(route_visits(planning, solution, {v.engineer_id for v in on_site}))
    plan.unassigned.extend(unassigned_rows(planning, solution))
    _figures(session, plan, planning, solution, now)


def store_solution(
    *,
    session: Session,
    plan: Plan,
    planning: PlanningInput,
    solution: Solution,
    clock: Callable[[], dt.datetime],
) -> None:
    """Store ``solution`` in ``plan`` (:func:`apply_solution`, judged at the run's start),
    then mark the run succeeded, finished at ``clock()``."""
    apply_solution(session=session, plan=plan, planning=planning, solution=solution)
    plan.status = PlanStatus.SUCCEEDED.value
    plan.progress = 1.0
    plan.finished_at = clock()


def on_site_visits(session: Session, planning: PlanningInput) -> list[Visit]:
    """The site visits in progress as pinned visits (one per engineer, first of the day)."""
    by_engineer: dict[int, SiteVisit] = {}
    for sv_id in planning.on_site:
        sv = session.get(SiteVisit, sv_id)
        if sv is not None:
            by_engineer[sv.engineer_id] = sv
    visits: list[Visit] = []
    for engineer_id, sv in by_engineer.items():
        ticket = session.get(Ticket, sv.ticket_id)
        minutes = ticket.estimated_minutes if ticket else 0
        visits.append(
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
    return visits


def route_visits(planning: PlanningInput, solution: Solution, on_site: set[int]) -> list[Visit]:
    """The solution's routes as visits (after the visit under way of an engineer on site)."""
    visits: list[Visit] = []
    for route in solution.routes:
        engineer_id = planning.engineer_ids[route.engineer_id]
        offset = 1 if engineer_id in on_site else 0
        for sequence, v in enumerate(route.visits):
            visits.append(
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
    return visits


def unassigned_rows(planning: PlanningInput, solution: Solution) -> list[PlanUnassigned]:
    """The solution's unassigned tickets with reasons and suggestion, then the tickets
    whose appointment passed (``WINDOW_PASSED``, the new slot as suggestion)."""
    rows: list[PlanUnassigned] = []
    for u in solution.unassigned:
        suggestion: dict[str, Any] | None = None
        if u.suggestion is not None:
            suggestion = {
                "kind": u.suggestion.kind,
                "engineer": u.suggestion.engineer_id,
                "amount": u.suggestion.amount,
                "message": u.suggestion.message,
            }
        rows.append(
            PlanUnassigned(
                ticket_id=planning.ticket_ids[u.ticket_id],
                reasons=[str(r) for r in u.reasons],
                suggestion=suggestion,
            )
        )
    for ticket_id, slot in planning.rebook.items():
        rows.append(
            PlanUnassigned(ticket_id=ticket_id, reasons=[WINDOW_PASSED], suggestion=dict(slot))
        )
    return rows


def _figures(
    session: Session,
    plan: Plan,
    planning: PlanningInput,
    solution: Solution,
    now: dt.datetime | None,
) -> None:
    """The plan's KPIs (late counts judged at ``now``), solver status, notes and inputs."""
    kpis = kpis_dict(solution)
    kpis["unassigned"] += len(planning.rebook)
    judged_at = now or plan.started_at or planning.origin
    # One assignment of a new dict: a JSON column does not see changes made in place, so
    # counts added after a flush (predicted_sla queries, so it may flush) would be lost.
    plan.kpis = kpis | predicted_sla(session=session, visits=plan.visits, now=judged_at)
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
