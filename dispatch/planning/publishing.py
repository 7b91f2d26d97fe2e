"""Publishing a plan: check it is not stale, make it current, assign its tickets.

Publishing refuses a stale plan (:func:`dispatch.planning.staleness.stale_changes`: its
inputs changed since it was computed). Otherwise the plan becomes the published plan of
its day (the plans it replaces are superseded), every visit's ticket is scheduled for its
engineer, and tickets the previous plan had but this one drops go back to the pool
(:func:`make_current`). A plan computed and published at the same instant (dispatch now,
an absence, the simulation's desk) takes :func:`publish_solution`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dispatch.errors import Conflict, NotFound, StalePlan
from dispatch.infra.events import EventKind, emit
from dispatch.models import Plan, PlanStatus, Region, Ticket, TicketStatus, User, utcnow
from dispatch.org.regions import ancestor_ids, region_ids, root_id
from dispatch.planning.plans import load_plan, new_plan
from dispatch.planning.problem import PlanningInput
from dispatch.planning.solution_rows import store_solution
from dispatch.planning.staleness import stale_changes
from dispatch.tickets.assignment import assigned_engineers
from dispatch.tickets.history import lock_tickets, record_event
from dispatch.tickets.lifecycle import transition
from solver import Solution

_SCHEDULABLE = frozenset({TicketStatus.TRIAGED.value, TicketStatus.NEEDS_FOLLOW_UP.value})
_UNSCHEDULABLE = frozenset({TicketStatus.SCHEDULED.value})


@dataclass(frozen=True)
class PlanSource:
    """Where a plan published at once comes from (:func:`publish_solution`).

    Attributes
    ----------
    options
        Stored as the plan's options (e.g. ``{"source": "dispatch_now", "ticket_id": 7}``).
    reason
        The life-cycle reason of its scheduling steps, or how to word it from the plan's id.
    notes
        Put before the solution's notes.
    time_budget_seconds
        The plan's time budget.
    created_at
        When the plan was requested (default: the row's default, the wall clock).
    """

    options: Mapping[str, Any]
    reason: str | Callable[[int], str]
    notes: tuple[str, ...] = ()
    time_budget_seconds: float = 1.0
    created_at: dt.datetime | None = None


def _published_in(session: Session, region_ids_: list[int], day: dt.date) -> list[Plan]:
    return list(
        session.scalars(
            select(Plan).where(
                Plan.plan_date == day,
                Plan.status == PlanStatus.PUBLISHED.value,
                Plan.region_id.in_(region_ids_ or [-1]),
            )
        ).all()
    )


def lock_publishing(*, session: Session, region_id: int) -> None:
    """Serialise publishing in ``region_id``'s tree: lock its root region's row.

    Publishes (and dispatch-now) anywhere under one root wait for each other until the
    first commits; the next one then sees what it published (and is refused as stale
    when it was computed against the plans that one replaced). A no-op ``UPDATE`` takes
    the row lock on PostgreSQL and the write lock on SQLite. Pending changes are flushed.
    """
    session.flush()
    root = root_id(session=session, region_id=region_id)
    session.execute(
        update(Region)
        .where(Region.id == root)
        .values(code=Region.code)
        .execution_options(synchronize_session=False)
    )


def replaced_plans(*, session: Session, plan: Plan) -> list[Plan]:
    """The published plans of the day that ``plan`` replaces: its region's and those below.

    Raises
    ------
    Conflict
        A plan of a wider region (e.g. headquarters) is published for the day: publishing a
        part of it would leave the other regions' engineers without a day, or with two.
    """
    above = ancestor_ids(session=session, region_id=plan.region_id)
    wider = _published_in(session, above, plan.plan_date)
    if wider:
        raise Conflict(
            f"plan {wider[0].id} of a wider region is published for {plan.plan_date}; "
            "optimise and publish that region instead",
            field="plan_id",
            published_plan_id=wider[0].id,
        )
    below = published_under(session=session, region_id=plan.region_id, day=plan.plan_date)
    return [p for p in below if p.id != plan.id]


def published_under(*, session: Session, region_id: int, day: dt.date) -> list[Plan]:
    """The published plans of ``day`` for ``region_id`` and the regions below it."""
    return _published_in(session, region_ids(session=session, region_id=region_id), day)


def make_current(
    *, session: Session, plan: Plan, actor: User | None, at: dt.datetime, reason: str
) -> list[int]:
    """Mark ``plan`` published, supersede the plans it replaces and (re)assign its tickets.

    Tickets the plan places are scheduled for their engineer (or re-assigned, recorded as
    an ``assigned`` event); scheduled tickets the replaced plans had and this one drops go
    back to the pool (``unschedule``). Emits ``plan.published``.

    Raises
    ------
    Conflict
        A plan of a wider region is published for the day (:func:`replaced_plans`).

    Returns
    -------
    list of int
        Ids of the engineers whose day changed.
    """
    lock_publishing(session=session, region_id=plan.region_id)
    replaced = replaced_plans(session=session, plan=plan)
    before = {v.ticket_id: v.engineer_id for old in replaced for v in old.visits}
    tickets = _involved_tickets(session, plan, before)
    # Whom the tickets not scheduled afresh are assigned to now, before this plan counts:
    # a hand dispatch since the replaced plan may differ from it.
    owners = assigned_engineers(
        session=session,
        ticket_ids=[
            v.ticket_id for v in plan.visits if tickets[v.ticket_id].status not in _SCHEDULABLE
        ],
    )
    lock_tickets(session=session, tickets=list(tickets.values()))
    for old in replaced:
        old.status = PlanStatus.SUPERSEDED.value
    plan.status = PlanStatus.PUBLISHED.value
    plan.published_at = at
    plan.published_by_id = actor.id if actor is not None else None
    session.flush()
    step = _Step(session, plan, actor, at)
    touched = _assign_visits(step, tickets, owners, reason) | _release_dropped(
        step, before, tickets
    )
    engineer_ids = sorted(touched)
    emit(
        session,
        EventKind.PLAN_PUBLISHED,
        {
            "plan_id": plan.id,
            "region_id": plan.region_id,
            "date": plan.plan_date.isoformat(),
            "superseded": [p.id for p in replaced],
            "engineer_ids": engineer_ids,
            "published_by": actor.id if actor is not None else None,
        },
    )
    return engineer_ids


@dataclass(frozen=True)
class _Step:
    """A publish under way: the plan made current, by whom and when."""

    session: Session
    plan: Plan
    actor: User | None
    at: dt.datetime


def _involved_tickets(session: Session, plan: Plan, before: dict[int, int]) -> dict[int, Ticket]:
    """The tickets of ``plan``'s visits and of the replaced plans' (``before``), by id.

    One query for every ticket involved, instead of one lazy load per visit (kept by the
    caller: the session's identity map holds objects only weakly).
    """
    involved = {v.ticket_id for v in plan.visits} | set(before)
    return {
        t.id: t
        for t in session.scalars(select(Ticket).where(Ticket.id.in_(list(involved) or [-1])))
    }


def _assign_visits(
    step: _Step, tickets: dict[int, Ticket], owners: dict[int, int | None], reason: str
) -> set[int]:
    """Schedule each visit's ticket for its engineer, or record its re-assignment.

    Returns the engineers whose day changed.
    """
    touched: set[int] = set()
    for visit in step.plan.visits:
        ticket = tickets[visit.ticket_id]
        previous = owners.get(ticket.id)  # (only read for tickets not scheduled afresh)
        if ticket.status in _SCHEDULABLE:
            transition(
                session=step.session,
                ticket=ticket,
                action="schedule",
                actor=step.actor,
                reason=reason,
                at=step.at,
                engineer_id=visit.engineer_id,
            )
            touched.add(visit.engineer_id)
        elif previous != visit.engineer_id:
            record_event(
                session=step.session,
                ticket=ticket,
                kind="assigned",
                at=step.at,
                actor=step.actor,
                reason=reason,
                before={"engineer_id": previous},
                after={"engineer_id": visit.engineer_id, "plan_id": step.plan.id},
            )
            touched.add(visit.engineer_id)
            if previous is not None:
                touched.add(previous)
    return touched


def _release_dropped(step: _Step, before: dict[int, int], tickets: dict[int, Ticket]) -> set[int]:
    """Send scheduled tickets the replaced plans had (``before``: ticket -> engineer) and
    the new plan drops back to the pool. Returns the engineers whose day changed."""
    after = {v.ticket_id for v in step.plan.visits}
    touched: set[int] = set()
    for ticket_id, engineer_id in before.items():
        if ticket_id in after:
            continue
        dropped = tickets.get(ticket_id)
        touched.add(engineer_id)
        if dropped is not None and dropped.status in _UNSCHEDULABLE:
            transition(
                session=step.session,
                ticket=dropped,
                action="unschedule",
                actor=step.actor,
                reason=f"not in plan {step.plan.id}",
                at=step.at,
            )
    return touched


def publish_solution(
    *,
    session: Session,
    planning: PlanningInput,
    solution: Solution,
    source: PlanSource,
    actor: User | None,
    at: dt.datetime,
) -> Plan:
    """Store ``solution`` as a new plan of ``planning``'s region and day and make it current.

    The one path of a plan computed and published at the same instant ``at`` (dispatch
    now, an absence's released visits, the simulation's desk): a run that started and
    finished at ``at`` (:func:`~dispatch.planning.solution_rows.store_solution`), then
    :func:`make_current` without the staleness check (nothing changed since ``at``).

    Parameters
    ----------
    session
        Open session; the caller commits.
    planning, solution
        The problem the solution answers, and the solution.
    source
        Where the plan comes from: its options, notes and the life-cycle reason.
    actor
        Who publishes (``None``: the system).
    at
        The instant the plan is computed and published.

    Raises
    ------
    Conflict
        A plan of a wider region is published for the day (:func:`replaced_plans`).
    """
    region = session.get(Region, planning.region_id)
    if region is None:
        raise NotFound(f"no region {planning.region_id}", field="region")
    plan = new_plan(
        region=region,
        day=planning.day,
        status=PlanStatus.RUNNING,
        options=dict(source.options),
        time_budget_seconds=source.time_budget_seconds,
        actor=actor,
    )
    plan.attempts, plan.started_at = 1, at
    if source.created_at is not None:
        plan.created_at = source.created_at
    session.add(plan)
    session.flush()
    store_solution(
        session=session, plan=plan, planning=planning, solution=solution, clock=lambda: at
    )
    plan.notes = [*source.notes, *plan.notes]
    reason = source.reason if isinstance(source.reason, str) else source.reason(plan.id)
    make_current(session=session, plan=plan, actor=actor, at=at, reason=reason)
    return plan


def publish_plan(
    *, session: Session, plan_id: int, actor: User | None, at: dt.datetime | None = None
) -> Plan:
    """Make a computed plan the published plan of its region and day.

    Parameters
    ----------
    session
        Open session; the caller commits (live events go out on commit).
    plan_id
        The plan (status ``succeeded``).
    actor
        The dispatcher publishing (``None``: the system).
    at
        When (default now).

    Raises
    ------
    NotFound
        No such plan.
    Conflict
        The plan is not a finished, unpublished run (queued, running, failed, superseded...).
    StalePlan
        Tickets, pins or engineers changed since the plan was computed, or another plan of
        its region and day was published since (``plan_published``: two candidates
        published one after the other or at once; publishes serialise on
        :func:`lock_publishing`, so the second sees the first); ``changes`` lists them
        (each ``kind``, ``ticket_id``, ``engineer_id``, ``detail``).
    """
    at = at or utcnow()
    region_id = session.scalar(select(Plan.region_id).where(Plan.id == plan_id))
    if region_id is not None:
        # one publish at a time per organisation; what this session read before is re-read
        lock_publishing(session=session, region_id=region_id)
        session.expire_all()
    plan = load_plan(session=session, plan_id=plan_id)
    if plan.status == PlanStatus.PUBLISHED.value:
        raise Conflict(f"plan {plan.id} is already published", field="plan_id")
    if plan.status != PlanStatus.SUCCEEDED.value:
        raise Conflict(
            f"plan {plan.id} is {plan.status}; only a succeeded run can be published",
            field="plan_id",
            plan_status=plan.status,
        )
    found = stale_changes(session=session, plan=plan, now=at)
    if found:
        shown = "; ".join(c.detail for c in found[:5])
        more = f" and {len(found) - 5} more" if len(found) > 5 else ""
        raise StalePlan(
            f"plan {plan.id} was computed from data that changed since: {shown}{more}; "
            "run the optimisation again",
            field="plan_id",
            changes=[asdict(c) for c in found],
        )
    make_current(session=session, plan=plan, actor=actor, at=at, reason=f"plan {plan.id} published")
    return plan
