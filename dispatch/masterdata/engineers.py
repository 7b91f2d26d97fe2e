"""Engineers: create, change and deactivate the workforce the optimiser plans.

Listing and reading stay in :mod:`dispatch.org.engineers`. Deactivating an engineer who still
has visits in a published plan is refused unless forced; forced, those visits are released
as an absence releases them (:func:`dispatch.masterdata.absence_effects.release_visits`):
the tickets go back to the pool through the life cycle (``unschedule``, or ``divert`` when
on the way) and each published day is published again without them, so the plan and the
phones' day agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.errors import InUse
from dispatch.masterdata.absence_effects import TAKE_BACK, release_visits
from dispatch.masterdata.common import active_region, coded_values, write_audited
from dispatch.masterdata.engineer_rules import (
    check_plain,
    check_shifts,
    check_skills,
    shifts_view,
    skills_view,
)
from dispatch.models import Engineer, Plan, PlanStatus, Ticket, TicketStatus, User, Visit
from dispatch.org.engineers import get_engineer
from dispatch.tickets.assignment import assigned_engineers
from solver import TravelTimeProvider

DEFAULT_REPLAN_SECONDS = 10.0
"""The time budget of the re-plan queued after a forced deactivation, unless given."""


@dataclass(frozen=True)
class Deactivation:
    """What deactivating an engineer did.

    Attributes
    ----------
    engineer
        The engineer, now inactive.
    returned_ticket_ids
        Tickets sent back to the pool (``force``).
    reoptimizations
        In-day re-plans of the days published again, queued (enqueue after the commit).
    """

    engineer: Engineer
    returned_ticket_ids: list[int]
    reoptimizations: tuple[Plan, ...] = ()


ENTITY = "engineer"
_PLAIN = (
    "code", "name", "level", "home_lat", "home_lon", "employment", "cost_per_job",
    "certification_valid_until", "max_jobs_per_day", "max_work_minutes_per_day",
    "parts_capacity", "phone", "email", "active",
)  # fmt: skip


def _values(
    session: Session, fields: Mapping[str, Any], engineer: Engineer | None
) -> dict[str, Any]:
    """The checked column values of ``fields`` (a creation needs a code, a name, a level, a
    home and a region)."""
    values = coded_values(
        session, fields, engineer, _PLAIN, code_column=Engineer.code, code_length=32,
        kind=ENTITY, required=("code", "name", "level", "home_lat", "home_lon"),
        reference=("region", "region_id", "region"),
    )  # fmt: skip
    check_plain(values, engineer)
    region = active_region(session, fields)
    if region is not None:
        values["region_id"] = region.id
    return values


def _replace_lists(
    engineer: Engineer, fields: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Replace skills and shifts when given; their (before, after) views for the audit."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    if fields.get("skills") is not None:
        rows = check_skills(fields["skills"])
        before["skills"] = skills_view(engineer.skills)
        engineer.skills = rows
        after["skills"] = skills_view(rows)
    if fields.get("shifts") is not None:
        rows_ = check_shifts(fields["shifts"])
        before["shifts"] = shifts_view(engineer.shifts)
        engineer.shifts = rows_
        after["shifts"] = shifts_view(rows_)
    return before, after


def _write(
    session: Session,
    engineer: Engineer,
    fields: Mapping[str, Any],
    values: dict[str, Any],
    *,
    actor_id: int | None,
    action: str,
) -> None:
    """Replace the lists given, write ``values`` and audit the change (lists included)."""
    before, after = _replace_lists(engineer, fields)
    write_audited(
        session=session, row=engineer, values=values, actor_id=actor_id, entity=ENTITY,
        action=action, extra_before=before, extra_after=after,
    )  # fmt: skip


def create_engineer(
    *, session: Session, actor_id: int | None, fields: Mapping[str, Any]
) -> Engineer:
    """Add an engineer (see the API's engineer body for the fields).

    Raises
    ------
    InvalidInput
        A missing or bad field (named: ``skills.0.level``, ``shifts.1.end``...).
    NotFound
        Unknown region.
    Conflict
        The code is taken.
    """
    values = _values(session, fields, None)
    values.setdefault("active", True)
    engineer = Engineer(skills=[], shifts=[])
    _write(session, engineer, fields, values, actor_id=actor_id, action="created")
    return engineer


def update_engineer(
    *,
    session: Session,
    actor_id: int | None,
    engineer_id: int,
    fields: Mapping[str, Any],
    now: dt.datetime,
) -> Engineer:
    """Change the given fields of an engineer; ``skills``/``shifts`` replace the lists.

    ``active=False`` deactivates, refused while the engineer has published visits (see
    :func:`deactivate_engineer`).

    Raises
    ------
    NotFound
        No such engineer, or unknown region.
    InvalidInput
        A bad field (named).
    Conflict
        The code is taken; ``engineer_in_use`` when deactivating with published visits.
    """
    engineer = get_engineer(session=session, engineer_id=engineer_id)
    values = _values(session, fields, engineer)
    check_skills(fields.get("skills") or [])
    check_shifts(fields.get("shifts") or [])
    if values.get("active") is False and engineer.active:
        _refuse_if_committed(session, engineer, now)
    _write(session, engineer, fields, values, actor_id=actor_id, action="updated")
    return engineer


def committed_tickets(*, session: Session, engineer: Engineer, now: dt.datetime) -> list[Ticket]:
    """Tickets the engineer still has to serve from ``now`` on in a published plan.

    Those planned for the engineer in a published plan whose horizon has not ended, still
    waiting for or in service (scheduled, dispatched, on the way, on site), and still
    assigned to this engineer (:func:`dispatch.tickets.assignment.assigned_engineers`).
    """
    waiting = [*TAKE_BACK, TicketStatus.ON_SITE.value]
    tickets = session.scalars(
        select(Ticket)
        .join(Visit, Visit.ticket_id == Ticket.id)
        .join(Plan, Visit.plan_id == Plan.id)
        .where(
            Visit.engineer_id == engineer.id,
            Plan.status == PlanStatus.PUBLISHED.value,
            Plan.horizon_end > now,
            Ticket.status.in_(waiting),
        )
        .order_by(Visit.planned_start, Ticket.id)
    ).unique()
    found = list(dict.fromkeys(tickets))
    owners = assigned_engineers(session=session, ticket_ids=[t.id for t in found])
    return [t for t in found if owners.get(t.id) == engineer.id]


def _refuse_if_committed(session: Session, engineer: Engineer, now: dt.datetime) -> None:
    tickets = committed_tickets(session=session, engineer=engineer, now=now)
    if tickets:
        raise InUse(
            f"engineer {engineer.code} has {len(tickets)} visit(s) in a published plan from "
            "now on; deactivate with force=true to send them back to the pool",
            entity=ENTITY,
            field="force",
            tickets=[t.number for t in tickets],
        )


def _published_visits(
    session: Session, engineer: Engineer, tickets: Sequence[Ticket], now: dt.datetime
) -> dict[Plan, list[Visit]]:
    """The engineer's visits of ``tickets`` in published plans whose horizon has not ended."""
    rows = session.execute(
        select(Plan, Visit)
        .join(Visit, Visit.plan_id == Plan.id)
        .where(
            Visit.engineer_id == engineer.id,
            Visit.ticket_id.in_([t.id for t in tickets]),
            Plan.status == PlanStatus.PUBLISHED.value,
            Plan.horizon_end > now,
        )
        .order_by(Plan.id, Visit.sequence)
    ).all()
    found: dict[Plan, list[Visit]] = {}
    for plan, visit in rows:
        found.setdefault(plan, []).append(visit)
    return found


def deactivate_engineer(
    *,
    session: Session,
    actor: User | None,
    engineer_id: int,
    now: dt.datetime,
    force: bool = False,
    travel: TravelTimeProvider | None = None,
    time_budget_seconds: float = DEFAULT_REPLAN_SECONDS,
) -> Deactivation:
    """Mark an engineer inactive (the optimiser no longer plans them).

    Parameters
    ----------
    force
        Send the engineer's tickets in published plans back to the pool (reason
        ``engineer deactivated``) instead of refusing; each published day is published
        again without them.
    travel
        Travel-time provider for re-timing the published routes that stay.
    time_budget_seconds
        The time budget of the in-day re-plan queued for each day published again.

    Returns
    -------
    Deactivation
        The engineer, the tickets sent back to the pool and the re-plans to enqueue after
        the commit (as for an absence).

    Raises
    ------
    NotFound
        No such engineer.
    InUse
        ``engineer_in_use``: visits in a published plan from now on (without ``force``), or
        a ticket the engineer is on site for (even with ``force``: check out first).
    """
    engineer = get_engineer(session=session, engineer_id=engineer_id)
    returned: list[int] = []
    reruns: tuple[Plan, ...] = ()
    if engineer.active:
        tickets = committed_tickets(session=session, engineer=engineer, now=now)
        _refuse_unless_forced(session, engineer, tickets, force=force, now=now)
        if tickets:
            reruns = _release(session, engineer, tickets, actor, now, travel, time_budget_seconds)
        returned = [t.id for t in tickets]
    write_audited(
        session=session, row=engineer, values={"active": False},
        actor_id=actor.id if actor is not None else None, entity=ENTITY,
        action="deactivated",
        extra_after={"returned_ticket_ids": returned} if returned else None,
    )  # fmt: skip
    return Deactivation(engineer, returned, reruns)


def _refuse_unless_forced(
    session: Session, engineer: Engineer, tickets: list[Ticket], *, force: bool, now: dt.datetime
) -> None:
    """Refuse while the engineer has published visits (unless forced) or is on site."""
    on_site = [t.number for t in tickets if t.status == TicketStatus.ON_SITE.value]
    if tickets and (not force or on_site):
        if on_site:
            raise InUse(
                f"engineer {engineer.code} is on site for {', '.join(on_site)}; check out first",
                entity=ENTITY, field="force", tickets=on_site,
            )  # fmt: skip
        _refuse_if_committed(session, engineer, now)


def _release(
    session: Session,
    engineer: Engineer,
    tickets: list[Ticket],
    actor: User | None,
    now: dt.datetime,
    travel: TravelTimeProvider | None,
    time_budget_seconds: float,
) -> tuple[Plan, ...]:
    """Release the engineer's published visits (as an absence does); the re-plans queued."""
    released = release_visits(
        session=session, found=_published_visits(session, engineer, tickets, now),
        why="engineer deactivated", source="deactivation", actor=actor, now=now, travel=travel,
    )  # fmt: skip
    return tuple(
        r.request_rerun(
            session=session, actor=actor, now=now, time_budget_seconds=time_budget_seconds
        )
        for r in released
    )
