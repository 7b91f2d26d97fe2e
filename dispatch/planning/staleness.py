"""Is a plan stale? What changed in its inputs since it was computed.

A plan is computed from a snapshot of tickets, engineers and pins (see
:mod:`dispatch.planning.snapshot`). :func:`stale_changes` compares that snapshot with one
taken now; when anything the solver saw has changed (a ticket added, cancelled, checked
into, re-timed; an engineer's shift or skills changed; another plan of the day published)
the plan is stale, and publishing it is refused with the list of changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.infra.day_clock import plan_start
from dispatch.models import Engineer, Plan, Ticket, utcnow
from dispatch.org.regions import region_ids
from dispatch.planning.problem import build_problem, published_ids
from dispatch.planning.snapshot import PUBLISHED_KEY, changes


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
