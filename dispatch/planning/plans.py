"""Plans as dispatchers see them: routes, the diff against the published plan, publishing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dispatch.errors import NotFound
from dispatch.infra.day_clock import local_midnight
from dispatch.models import Plan, PlanStatus, PlanUnassigned, Region, Ticket, User, Visit
from dispatch.planning.problem import current_plan

MOVE_THRESHOLD = dt.timedelta(minutes=15)
"""A visit on the same engineer counts as moved when its start shifts by more than this."""


@dataclass(frozen=True)
class DiffItem:
    """How one ticket is placed differently from the published plan."""

    ticket_id: int
    change: str
    """``added``, ``dropped`` or ``moved``."""
    from_engineer_id: int | None
    to_engineer_id: int | None
    from_start: dt.datetime | None
    to_start: dt.datetime | None


@dataclass(frozen=True)
class PlanDiff:
    """Changes of a plan against the published plan of its region and day."""

    against_plan_id: int | None
    items: tuple[DiffItem, ...]

    def count(self, change: str) -> int:
        """How many items have ``change``."""
        return sum(1 for i in self.items if i.change == change)


def new_plan(
    *,
    region: Region,
    day: dt.date,
    status: PlanStatus,
    options: dict[str, Any],
    time_budget_seconds: float,
    actor: User | None,
) -> Plan:
    """A plan row for ``region`` and ``day`` (horizon: the local day), not yet added."""
    start = local_midnight(day, ZoneInfo(region.timezone))
    return Plan(
        region_id=region.id,
        plan_date=day,
        horizon_start=start,
        horizon_end=start + dt.timedelta(days=1),
        status=status.value,
        options=options,
        time_budget_seconds=time_budget_seconds,
        created_by_id=actor.id if actor is not None else None,
        notes=[],
        progress=0.0,
        attempts=0,
    )


def load_plan(*, session: Session, plan_id: int) -> Plan:
    """A plan with its visits and unassigned tickets loaded.

    Raises
    ------
    NotFound
        No such plan.
    """
    plan = session.scalar(
        select(Plan)
        .where(Plan.id == plan_id)
        .options(
            selectinload(Plan.visits).selectinload(Visit.ticket).selectinload(Ticket.site),
            selectinload(Plan.visits).selectinload(Visit.engineer),
            selectinload(Plan.unassigned).selectinload(PlanUnassigned.ticket),
            selectinload(Plan.region),
        )
    )
    if plan is None:
        raise NotFound(f"no plan {plan_id}")
    return plan


def diff_plans(new: Plan, old: Plan | None) -> PlanDiff:
    """Visits added, dropped and moved (other engineer, or start shifted > 15 min)."""
    if old is None:
        items = tuple(
            DiffItem(v.ticket_id, "added", None, v.engineer_id, None, v.planned_start)
            for v in sorted(new.visits, key=lambda v: (v.engineer_id, v.sequence))
        )
        return PlanDiff(None, items)
    before = {v.ticket_id: v for v in old.visits}
    after = {v.ticket_id: v for v in new.visits}
    result: list[DiffItem] = []
    for ticket_id, v in sorted(after.items()):
        o = before.get(ticket_id)
        if o is None:
            result.append(DiffItem(ticket_id, "added", None, v.engineer_id, None, v.planned_start))
        elif (
            o.engineer_id != v.engineer_id
            or abs(o.planned_start - v.planned_start) > MOVE_THRESHOLD
        ):
            result.append(
                DiffItem(
                    ticket_id,
                    "moved",
                    o.engineer_id,
                    v.engineer_id,
                    o.planned_start,
                    v.planned_start,
                )
            )
    for ticket_id, o in sorted(before.items()):
        if ticket_id not in after:
            result.append(
                DiffItem(ticket_id, "dropped", o.engineer_id, None, o.planned_start, None)
            )
    return PlanDiff(old.id, tuple(result))


def diff_against_published(*, session: Session, plan: Plan) -> PlanDiff:
    """The diff of ``plan`` against the current published plan (none when it is the one)."""
    published = current_plan(session=session, region_id=plan.region_id, day=plan.plan_date)
    if published is not None and published.id == plan.id:
        return PlanDiff(plan.id, ())
    return diff_plans(plan, published)
