"""Publishing a plan: check it is not stale, make it current, assign its tickets.

A plan is computed from a snapshot of tickets, engineers and pins (see
:mod:`dispatch.planning.snapshot`). Publishing compares that snapshot with one taken now; when
anything the solver saw has changed (a ticket added, cancelled, checked into, re-timed;
an engineer's shift or skills changed) the plan is stale and publishing is refused with
the list of changes. Otherwise the plan becomes the published plan of its day (the plans
it replaces are superseded), every visit's ticket is scheduled for its engineer, and
tickets the previous plan had but this one drops go back to the pool.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dispatch.errors import Conflict, StalePlan
from dispatch.infra.day_clock import plan_start
from dispatch.infra.events import EventKind, emit
from dispatch.models import Engineer, Plan, PlanStatus, Region, Ticket, TicketStatus, User, utcnow
from dispatch.org.regions import ancestor_ids, region_ids, root_id
from dispatch.planning.plans import load_plan
from dispatch.planning.problem import build_problem, published_ids
from dispatch.planning.snapshot import PUBLISHED_KEY, changes
from dispatch.tickets.assignment import assigned_engineers
from dispatch.tickets.history import lock_tickets, record_event
from dispatch.tickets.lifecycle import transition

_SCHEDULABLE = frozenset({TicketStatus.TRIAGED.value, TicketStatus.NEEDS_FOLLOW_UP.value})
_UNSCHEDULABLE = frozenset({TicketStatus.SCHEDULED.value})


@dataclass(frozen=True)
class Change:
    """One thing that changed since a plan was computed.

    Attributes
    ----------
    kind
        ``ticket_added``, ``ticket_removed``, ``ticket_changed``, ``engineer_added``,
        ``engineer_removed``, ``engineer_changed`` or ``plan_published`` (another plan of
        the region and day was published since).
    ticket_id, engineer_id
        The database id of what changed (the other one is ``None``; both for
        ``plan_published``).
    detail
        For people: e.g. ``"ticket T-000123 changed (status, window, priority...)"``.
    """

    kind: str
    ticket_id: int | None
    engineer_id: int | None
    detail: str


def _ids_by_key(session: Session, keys: set[str]) -> dict[str, tuple[str, int | None]]:
    numbers = [k.split(":", 1)[1] for k in keys if k.startswith("ticket:")]
    codes = [k.split(":", 1)[1] for k in keys if k.startswith("engineer:")]
    out: dict[str, tuple[str, int | None]] = {}
    if numbers:
        for tid, number in session.execute(
            select(Ticket.id, Ticket.number).where(Ticket.number.in_(numbers))
        ).all():
            out[f"ticket:{number}"] = ("ticket", tid)
    if codes:
        for eid, code in session.execute(
            select(Engineer.id, Engineer.code).where(Engineer.code.in_(codes))
        ).all():
            out[f"engineer:{code}"] = ("engineer", eid)
    return out


def stale_changes(*, session: Session, plan: Plan, now: dt.datetime | None = None) -> list[Change]:
    """What changed in the plan's inputs since it was computed (empty: the plan is current).

    Parameters
    ----------
    session
        Open session (read only).
    plan
        A computed plan (with ``inputs_snapshot``).
    now
        The instant to judge at (default now): today's inputs are rebuilt from it, as
        the run built them from its start (:func:`dispatch.infra.day_clock.plan_start`).

    Raises
    ------
    Conflict
        The plan's day is over.
    """
    before = dict(plan.inputs_snapshot or {})
    start = plan_start(zone=ZoneInfo(plan.region.timezone), day=plan.plan_date, now=now or utcnow())
    current = build_problem(
        session=session, region_id=plan.region_id, day=plan.plan_date, now=start
    )
    if PUBLISHED_KEY not in before:  # computed before plans recorded what they replace
        before[PUBLISHED_KEY] = current.snapshot.get(PUBLISHED_KEY, "")
    diff = changes(before, current.snapshot)
    out: list[Change] = []
    if PUBLISHED_KEY in diff["changed"]:
        diff["changed"].remove(PUBLISHED_KEY)
        out.append(_published_since(session, plan))
    keys = {k for names in diff.values() for k in names}
    ids = _ids_by_key(session, keys)
    verbs = {"added": "added", "removed": "removed", "changed": "changed"}
    for what, names in diff.items():
        for key in names:
            kind, _, name = key.partition(":")
            _, row_id = ids.get(key, (kind, None))
            out.append(
                Change(
                    kind=f"{kind}_{verbs[what]}",
                    ticket_id=row_id if kind == "ticket" else None,
                    engineer_id=row_id if kind == "engineer" else None,
                    detail=f"{kind} {name} {_explain(what, kind)}",
                )
            )
    return out


def _published_since(session: Session, plan: Plan) -> Change:
    """The change "another plan of this region and day was published since"."""
    regions = region_ids(session=session, region_id=plan.region_id)
    now = [i for i in published_ids(session, regions, plan.plan_date) if i != plan.id]
    shown = ", ".join(str(i) for i in now) or "none"
    return Change(
        kind="plan_published",
        ticket_id=None,
        engineer_id=None,
        detail=f"the published plans of this region and day changed since this plan was "
        f"computed (published now: {shown})",
    )


def _explain(what: str, kind: str) -> str:
    if what == "added":
        return (
            "is new since the plan was computed"
            if kind == "ticket"
            else "came on shift since the plan was computed"
        )
    if what == "removed":
        return (
            "is no longer open for planning (cancelled, resolved, checked into, on hold...)"
            if kind == "ticket"
            else "is no longer on shift or active"
        )
    return "changed since the plan was computed (place, work, tier, windows, rules or status)"


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
    before: dict[int, int] = {}
    for old in replaced:
        for v in old.visits:
            before[v.ticket_id] = v.engineer_id
    # One query for every ticket involved, instead of one lazy load per visit (kept in a
    # variable: the session's identity map holds objects only weakly).
    involved = {v.ticket_id for v in plan.visits} | set(before)
    tickets = {
        t.id: t
        for t in session.scalars(select(Ticket).where(Ticket.id.in_(list(involved) or [-1])))
    }
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
    after = {v.ticket_id: v.engineer_id for v in plan.visits}
    touched: set[int] = set()
    for visit in plan.visits:
        ticket = tickets[visit.ticket_id]
        previous = owners.get(ticket.id)  # (only read for tickets not scheduled afresh)
        if ticket.status in _SCHEDULABLE:
            transition(
                session=session,
                ticket=ticket,
                action="schedule",
                actor=actor,
                reason=reason,
                at=at,
                engineer_id=visit.engineer_id,
            )
            touched.add(visit.engineer_id)
        elif previous != visit.engineer_id:
            record_event(
                session=session,
                ticket=ticket,
                kind="assigned",
                at=at,
                actor=actor,
                reason=reason,
                before={"engineer_id": previous},
                after={"engineer_id": visit.engineer_id, "plan_id": plan.id},
            )
            touched.add(visit.engineer_id)
            if previous is not None:
                touched.add(previous)
    for ticket_id, engineer_id in before.items():
        if ticket_id in after:
            continue
        dropped = tickets.get(ticket_id)
        touched.add(engineer_id)
        if dropped is not None and dropped.status in _UNSCHEDULABLE:
            transition(
                session=session,
                ticket=dropped,
                action="unschedule",
                actor=actor,
                reason=f"not in plan {plan.id}",
                at=at,
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
