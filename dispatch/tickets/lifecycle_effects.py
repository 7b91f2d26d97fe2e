"""What each life-cycle action does besides changing the status.

:func:`dispatch.tickets.lifecycle.transition` checks an action against the table, then runs its
effect here (owner on triage, clocks on hold/resume/reopen, follow-up visits...).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch.errors import InvalidInput
from dispatch.models import (
    Engineer,
    FollowUpVisit,
    HoldKind,
    Role,
    SlaState,
    Ticket,
    TicketHold,
    TicketStatus,
    User,
)
from dispatch.sla.clocks import recompute_due
from dispatch.sla.policy import SlaPolicy

_DESK = frozenset({Role.DISPATCHER.value, Role.ADMIN.value})


@dataclass
class Step:
    """One action being taken: the context an effect works with."""

    session: Session
    ticket: Ticket
    actor: User | None
    at: dt.datetime
    policy: SlaPolicy
    params: dict[str, Any]
    reason: str | None
    target: TicketStatus | None = None
    """Set by effects whose target is dynamic (resume)."""


def visit_count(*, session: Session, ticket: Ticket) -> int:
    """Visits on the ticket so far: 1, plus one per follow-up."""
    follow_ups = session.scalar(
        select(func.count()).select_from(FollowUpVisit).where(FollowUpVisit.ticket_id == ticket.id)
    )
    return 1 + int(follow_ups or 0)


def _open_hold(step: Step) -> TicketHold | None:
    return step.session.scalar(
        select(TicketHold)
        .where(TicketHold.ticket_id == step.ticket.id, TicketHold.ended_at.is_(None))
        .order_by(TicketHold.id.desc())
        .limit(1)
    )


def _end_hold(step: Step) -> TicketHold | None:
    hold = _open_hold(step)
    if hold is not None:
        hold.ended_at = step.at
        hold.ended_by_id = step.actor.id if step.actor is not None else None
    return hold


def _hold(kind: HoldKind) -> Callable[[Step], dict[str, Any]]:
    def effect(step: Step) -> dict[str, Any]:
        """Open a hold (ending one of the other kind, keeping where to resume to)."""
        previous = _end_hold(step)
        resume = previous.resume_status if previous is not None else step.ticket.status
        step.session.add(
            TicketHold(
                ticket_id=step.ticket.id,
                kind=kind.value,
                resume_status=resume,
                started_at=step.at,
                started_by_id=step.actor.id if step.actor is not None else None,
                reason=step.reason,
            )
        )
        step.session.flush()
        recompute_due(session=step.session, ticket=step.ticket, at=step.at, policy=step.policy)
        return {"hold": kind.value, "resume_status": resume}

    return effect


def _resume(step: Step) -> dict[str, Any]:
    hold = _end_hold(step)
    step.target = TicketStatus(hold.resume_status) if hold is not None else TicketStatus.TRIAGED
    step.session.flush()
    recompute_due(session=step.session, ticket=step.ticket, at=step.at, policy=step.policy)
    return {"paused_from": hold.started_at if hold is not None else None}


def _triage(step: Step) -> dict[str, Any]:
    actor = step.actor
    if step.ticket.owner_id is None and actor is not None and actor.role in _DESK:
        step.ticket.owner_id = actor.id
    return {}


def _engineer(step: Step) -> dict[str, Any]:
    engineer_id = step.params.get("engineer_id")
    if engineer_id is None:
        return {}
    engineer = step.session.get(Engineer, engineer_id)
    if engineer is None or not engineer.active:
        raise InvalidInput(f"no active engineer {engineer_id}", field="engineer_id")
    return {"engineer_id": engineer.id}


def _unassign(step: Step) -> dict[str, Any]:
    return {"engineer_id": None}


def _respond(step: Step) -> dict[str, Any]:
    if step.ticket.responded_at is None:
        step.ticket.responded_at = step.at
    return {}


def _resolve(step: Step) -> dict[str, Any]:
    _respond(step)
    step.ticket.resolved_at = step.at
    return {}


def _follow_up(step: Step) -> dict[str, Any]:
    parts = step.params.get("parts") or []
    if not isinstance(parts, list) or not all(isinstance(p, str) and p.strip() for p in parts):
        raise InvalidInput("parts must be a list of part names", field="parts")
    number = visit_count(session=step.session, ticket=step.ticket) + 1
    step.session.add(
        FollowUpVisit(
            ticket_id=step.ticket.id,
            visit_number=number,
            reason=step.reason,
            parts=[p.strip() for p in parts],
            created_at=step.at,
            created_by_id=step.actor.id if step.actor is not None else None,
        )
    )
    return {"visit_number": number, "parts": parts}


def _cancel(step: Step) -> dict[str, Any]:
    _end_hold(step)
    return {"engineer_id": None}


def _reopen(step: Step) -> dict[str, Any]:
    ticket = step.ticket
    ticket.responded_at = None
    ticket.resolved_at = None
    ticket.escalation_level = 0
    ticket.sla_state = SlaState.OK.value
    recompute_due(
        session=step.session, ticket=ticket, at=step.at, policy=step.policy, start=step.at
    )
    return {"engineer_id": None}


def _handover(step: Step) -> dict[str, Any]:
    new_owner_id = step.params.get("new_owner_id")
    if new_owner_id is None:
        raise InvalidInput("handover needs new_owner_id", field="new_owner_id")
    new_owner = step.session.get(User, new_owner_id)
    if new_owner is None or not new_owner.active or new_owner.role not in _DESK:
        raise InvalidInput(
            f"user {new_owner_id} is not an active dispatcher or admin", field="new_owner_id"
        )
    if new_owner.id == step.ticket.owner_id:
        raise InvalidInput(f"user {new_owner_id} already owns the ticket", field="new_owner_id")
    step.ticket.owner_id = new_owner.id
    return {"new_owner": new_owner.username}


def _reprioritise(step: Step) -> dict[str, Any]:
    priority = step.params.get("priority")
    if not isinstance(priority, int) or isinstance(priority, bool) or not 1 <= priority <= 4:
        raise InvalidInput("priority must be an integer 1..4", field="priority")
    if priority == step.ticket.priority:
        raise InvalidInput(f"the ticket already has priority {priority}", field="priority")
    step.ticket.priority = priority
    recompute_due(session=step.session, ticket=step.ticket, at=step.at, policy=step.policy)
    return {}


EFFECTS: Mapping[str, Callable[[Step], dict[str, Any]]] = {
    "triage": _triage,
    "resolve_remotely": _resolve,
    "schedule": _engineer,
    "dispatch": _engineer,
    "unschedule": _unassign,
    "divert": _unassign,
    "arrive": _respond,
    "complete": _resolve,
    "need_follow_up": _follow_up,
    "hold_customer": _hold(HoldKind.CUSTOMER),
    "hold_parts": _hold(HoldKind.PARTS),
    "resume": _resume,
    "cancel": _cancel,
    "reopen": _reopen,
    "handover": _handover,
    "reprioritise": _reprioritise,
}
"""What an action does besides changing the status (absent: nothing)."""
