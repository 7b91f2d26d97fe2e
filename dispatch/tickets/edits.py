"""Editing a work order after creation: priority, appointment, work, engineer rules, pin.

:func:`edit_ticket` checks an edit with the rules of ticket creation
(:mod:`dispatch.tickets.edit_checks`), applies it, records one ``updated`` event with the changed
facts before and after, and keeps what depends on them right:

- a priority change recomputes the SLA due instants (from when the clocks started: the
  report, or the latest reopening) and judges the SLA state afresh;
- a plan computed before the edit is stale (the edited facts are in its snapshot,
  :mod:`dispatch.planning.snapshot`), so publishing it is refused with the existing 409;
- a ticket in a published plan of today or later announces the change
  (``ticket.updated``); when its engineer rules now forbid the engineer it is scheduled
  for, it goes back to the pool (``unschedule``, reason :data:`ENGINEER_RULES_CHANGED`)
  instead of keeping a visit its rules refuse. A ticket already handed to its engineer
  (dispatched, en route, on site) cannot be given rules that exclude that engineer: the
  edit is refused (409); dispatch it to someone else first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.errors import Conflict, InvalidInput
from dispatch.infra.events import EventKind
from dispatch.models import (
    Plan,
    PlanStatus,
    SlaState,
    Ticket,
    TicketEngineerRule,
    TicketStatus,
    User,
    Visit,
)
from dispatch.sla.clocks import assess, recompute_due
from dispatch.sla.policy import SlaPolicy, session_policy
from dispatch.tickets.assignment import assigned_engineer_id
from dispatch.tickets.checks import window_rows
from dispatch.tickets.edit_checks import (
    KEEP,
    RULE_FIELDS,
    TicketEdit,
    forbids,
    merged_rules,
    validate_edit,
)
from dispatch.tickets.escalation import CLOCK_STOPPED, apply_sla_state, planned_arrivals
from dispatch.tickets.history import announce, lock_ticket, record_event
from dispatch.tickets.lifecycle import transition

__all__ = [
    "ENGINEER_RULES_CHANGED",
    "FINISHED",
    "KEEP",
    "PLAN_FACTS",
    "EditResult",
    "TicketEdit",
    "edit_ticket",
    "facts",
]

ENGINEER_RULES_CHANGED = "ENGINEER_RULES_CHANGED"
"""Why a scheduled ticket went back to the pool: its rules now forbid its engineer."""

FINISHED = frozenset({TicketStatus.CLOSED.value, TicketStatus.CANCELLED.value})
"""Statuses in which a ticket can no longer be edited."""
PLAN_FACTS = (
    "priority",
    "windows",
    "estimated_minutes",
    "required_skill",
    "min_level",
    "preferred_engineer_ids",
    "required_engineer_ids",
    "excluded_engineer_ids",
    "pinned_engineer_id",
)
"""The edited facts a plan depends on (a change makes plans computed before it stale)."""


@dataclass(frozen=True)
class EditResult:
    """What an edit changed and what followed from it."""

    ticket: Ticket
    """The edited ticket."""
    changed: tuple[str, ...]
    """The facts that changed (empty: the edit changed nothing, nothing was recorded)."""
    published_plan_ids: tuple[int, ...] = ()
    """Published plans (today or later) that contain the ticket."""
    back_to_pool: bool = False
    """The ticket left its scheduled engineer (:data:`ENGINEER_RULES_CHANGED`)."""


def facts(ticket: Ticket) -> dict[str, Any]:
    """The editable facts of ``ticket`` and its SLA clocks, as JSON-able values."""
    rules = {
        name: sorted(r.engineer_id for r in ticket.engineer_rules if r.kind == kind.value)
        for kind, name in RULE_FIELDS.items()
    }
    return {
        "priority": ticket.priority,
        "windows": [
            [w.start, w.end] for w in sorted(ticket.windows, key=lambda w: (w.start, w.end))
        ],
        "estimated_minutes": ticket.estimated_minutes,
        "required_skill": ticket.required_skill,
        "min_level": ticket.min_level,
        **rules,
        "pinned_engineer_id": ticket.pinned_engineer_id,
        "symptoms": ticket.symptoms,
        "response_due": ticket.response_due,
        "resolution_due": ticket.resolution_due,
        "sla_state": ticket.sla_state,
    }


def _apply(session: Session, ticket: Ticket, edit: TicketEdit) -> None:
    """Write a validated edit onto ``ticket``."""
    for name in ("priority", "estimated_minutes", "required_skill", "min_level", "symptoms"):
        value = getattr(edit, name)
        if value is not None:
            setattr(ticket, name, value)
    if edit.pinned_engineer_id is not KEEP:
        ticket.pinned_engineer_id = edit.pinned_engineer_id
    if edit.windows is not None:
        new = [(w.start, w.end) for w in window_rows(edit.windows)]
        if new != [(w.start, w.end) for w in ticket.windows]:
            ticket.windows = window_rows(edit.windows)
    merged = merged_rules(ticket, edit)
    if merged is not None:
        kinds = {i: kind.value for kind, ids in merged.items() for i in ids}
        for rule in list(ticket.engineer_rules):  # rows keyed by (ticket, engineer): update
            if rule.engineer_id not in kinds:
                ticket.engineer_rules.remove(rule)
            else:
                rule.kind = kinds.pop(rule.engineer_id)
        ticket.engineer_rules.extend(
            TicketEngineerRule(engineer_id=i, kind=kind) for i, kind in kinds.items()
        )
    session.flush()


def _rejudge_sla(
    session: Session, ticket: Ticket, *, at: dt.datetime, policy: SlaPolicy | None
) -> None:
    """Recompute the due instants for the new priority and judge the SLA state afresh.

    Judged as the sweep judges (:func:`dispatch.sla.clocks.assess`), but from scratch: a
    breach of the old, tighter targets is no breach of looser ones.
    """
    policy = session_policy(session, policy)
    recompute_due(session=session, ticket=ticket, at=at, policy=policy)
    if ticket.resolved_at is not None or TicketStatus(ticket.status) in CLOCK_STOPPED:
        return
    arrival = planned_arrivals(session=session, ticket_ids=[ticket.id]).get(ticket.id)
    judged = ticket.sla_state
    ticket.sla_state = SlaState.OK.value
    state = assess(
        ticket, now=at, planned_arrival=arrival, typical_response=policy.typical_response
    )
    ticket.sla_state = judged
    apply_sla_state(session=session, ticket=ticket, state=state, at=at, planned_arrival=arrival)


def _published_visits(session: Session, ticket: Ticket, at: dt.datetime) -> list[Visit]:
    """The ticket's visits in published plans of today (its region's day) or later."""
    today = at.astimezone(ZoneInfo(ticket.region.timezone)).date()
    return list(
        session.scalars(
            select(Visit)
            .join(Plan, Visit.plan_id == Plan.id)
            .where(
                Visit.ticket_id == ticket.id,
                Plan.status == PlanStatus.PUBLISHED.value,
                Plan.plan_date >= today,
            )
            .order_by(Plan.plan_date, Plan.id)
        )
    )


def _follow_published(
    session: Session, ticket: Ticket, changed: Sequence[str], actor: User | None, at: dt.datetime
) -> tuple[tuple[int, ...], bool]:
    """Announce a plan-relevant change of a published ticket; unschedule a forbidden one."""
    visits = _published_visits(session, ticket, at)
    if not visits or not set(changed) & set(PLAN_FACTS):
        return (), False
    engineer = assigned_engineer_id(session=session, ticket=ticket)
    rules = {kind: ticket.engineers_by_rule(kind) for kind in RULE_FIELDS}
    back = (
        ticket.status == TicketStatus.SCHEDULED.value
        and engineer is not None
        and forbids(engineer, ticket.pinned_engineer_id, rules)
    )
    if back:
        transition(
            session=session,
            ticket=ticket,
            action="unschedule",
            actor=actor,
            reason=ENGINEER_RULES_CHANGED,
            at=at,
        )
    plan_ids = tuple(sorted({v.plan_id for v in visits}))
    announce(
        session,
        EventKind.TICKET_UPDATED,
        ticket,
        {
            "changed": list(changed),
            "published_plan_ids": list(plan_ids),
            "engineer_id": engineer,
            "back_to_pool": back,
            "reason": ENGINEER_RULES_CHANGED if back else None,
            "at": at.astimezone(dt.UTC).isoformat(),
        },
    )
    return plan_ids, back


def edit_ticket(
    *,
    session: Session,
    ticket: Ticket,
    edit: TicketEdit,
    actor: User | None,
    at: dt.datetime,
    policy: SlaPolicy | None = None,
) -> EditResult:
    """Apply ``edit`` to ``ticket``: check, change, record, and let clocks and plans follow.

    Parameters
    ----------
    session
        Open session; the caller commits (a refused edit changes nothing).
    ticket
        The ticket; its row is locked and re-read first.
    edit
        The facts to change.
    actor
        Who edits (``None``: the system).
    at
        When (aware).
    policy
        The SLA policy (default: the session's).

    Raises
    ------
    InvalidInput, NotFound
        A value ticket creation would refuse, an unknown engineer, or a pin to an engineer
        who is inactive, lacks the skill or level, or whom the rules forbid (``field``
        names the fact at fault).
    Conflict
        The ticket is closed or cancelled (``status``), handed to an engineer the new
        rules forbid, or handed over and given new ``windows``.
    """
    if at.tzinfo is None:
        raise InvalidInput("at must be time-zone aware", field="at")
    at = at.astimezone(dt.UTC)
    lock_ticket(session=session, ticket=ticket)
    if ticket.status in FINISHED:
        raise Conflict(
            f"ticket {ticket.number} is {ticket.status}: it can no longer be edited",
            field="status",
        )
    validate_edit(session, ticket, edit)
    before = facts(ticket)
    _apply(session, ticket, edit)
    if ticket.priority != before["priority"]:
        _rejudge_sla(session, ticket, at=at, policy=policy)
    changed = _record_changes(session, ticket, before, actor, at)
    if not changed:
        return EditResult(ticket=ticket, changed=())
    plan_ids, back = _follow_published(session, ticket, changed, actor, at)
    return EditResult(
        ticket=ticket, changed=changed, published_plan_ids=plan_ids, back_to_pool=back
    )


def _record_changes(
    session: Session, ticket: Ticket, before: dict[str, Any], actor: User | None, at: dt.datetime
) -> tuple[str, ...]:
    """The facts that changed since ``before``; when any did, one ``updated`` event of them."""
    after = facts(ticket)
    changed = tuple(name for name in after if after[name] != before[name])
    if not changed:
        return ()
    ticket.updated_at = at
    record_event(
        session=session,
        ticket=ticket,
        kind="updated",
        at=at,
        actor=actor,
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
    )
    return changed
