"""The ticket life cycle: one table of allowed transitions, and :func:`transition`.

::

    new -> triaged -> resolved_remotely ------------------------.
                   \\-> scheduled -> dispatched -> en_route -> on_site -> completed -> awaiting_acceptance -> closed
                                                               \\-> needs_follow_up -> (scheduled | dispatched)
    + on hold (customer | parts) and resume to where it was, cancel, reopen,
      handover (owner changes), reprioritise (priority changes).

:data:`TRANSITIONS` is the whole table: action, from-states, to-state, who may do it.
Every transition is recorded as a :class:`~dispatch.models.TicketEvent` (who, when, why,
before and after) and announced as a ``ticket.status_changed`` live event after commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from dispatch.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from dispatch.infra.day_clock import utc_text
from dispatch.infra.events import EventKind
from dispatch.models import Role, Ticket, TicketEvent, TicketStatus, User, utcnow
from dispatch.sla.clocks import outcome
from dispatch.sla.policy import SlaPolicy, session_policy
from dispatch.tickets.assignment import assigned_engineer_id
from dispatch.tickets.escalation import apply_sla_state
from dispatch.tickets.history import announce, lock_ticket, record_event
from dispatch.tickets.lifecycle_effects import EFFECTS, Step, visit_count

__all__ = [
    "RULES",
    "SYSTEM",
    "TRANSITIONS",
    "Rule",
    "Target",
    "allowed_actions",
    "assigned_engineer_id",
    "transition",
    "visit_count",
]

SYSTEM = "system"
"""The actor of automatic steps (plan publishing, the simulation): ``actor=None``."""


class Target(StrEnum):
    """Targets that are not a fixed status."""

    UNCHANGED = "(unchanged)"
    PREVIOUS = "(status before the hold)"


@dataclass(frozen=True)
class Rule:
    """One row of the transition table."""

    action: str
    """The action's name, as clients send it."""
    sources: frozenset[TicketStatus]
    """Statuses the action is allowed from."""
    target: TicketStatus | Target
    """The status after it (or :class:`Target` for "unchanged" and "back from hold")."""
    roles: frozenset[str]
    """Role values allowed to do it; :data:`SYSTEM` for automatic steps."""
    summary: str
    """What it means, for people."""
    own_tickets_only: bool = False
    """Engineers may do it only on tickets assigned to them."""
    params: frozenset[str] = frozenset()
    """Extra keyword arguments the action takes (``engineer_id``, ``parts``...)."""


S = TicketStatus
_DESK = frozenset({Role.DISPATCHER.value, Role.ADMIN.value})
_DESK_OR_SYSTEM = _DESK | {SYSTEM}
_FIELD = frozenset({Role.ENGINEER.value, Role.ADMIN.value, SYSTEM})
_HOLDABLE = frozenset(
    {
        S.NEW,
        S.TRIAGED,
        S.SCHEDULED,
        S.DISPATCHED,
        S.EN_ROUTE,
        S.ON_SITE,
        S.NEEDS_FOLLOW_UP,
        S.REOPENED,
    }
)
_ON_HOLD = frozenset({S.ON_HOLD_CUSTOMER, S.ON_HOLD_PARTS})
_OPEN = _HOLDABLE | _ON_HOLD
_RESOLVED = frozenset({S.RESOLVED_REMOTELY, S.COMPLETED, S.AWAITING_ACCEPTANCE})
OPEN_STATUSES: frozenset[TicketStatus] = _OPEN
"""Statuses of a ticket still being worked on (not resolved, closed or cancelled)."""

TRANSITIONS: tuple[Rule, ...] = (
    Rule("triage", frozenset({S.NEW, S.REOPENED}), S.TRIAGED, _DESK_OR_SYSTEM,
         "Assess the request; the first dispatcher to take it becomes its owner"),
    Rule("resolve_remotely", frozenset({S.TRIAGED}), S.RESOLVED_REMOTELY, _DESK_OR_SYSTEM,
         "Fixed by remote diagnosis, no visit needed"),
    Rule("schedule", frozenset({S.TRIAGED, S.NEEDS_FOLLOW_UP}), S.SCHEDULED, _DESK_OR_SYSTEM,
         "Give it a time (and optionally an engineer)", params=frozenset({"engineer_id"})),
    Rule("dispatch", frozenset({S.TRIAGED, S.SCHEDULED, S.NEEDS_FOLLOW_UP}), S.DISPATCHED,
         _DESK_OR_SYSTEM, "Send it to an engineer (manually or by publishing a plan)",
         params=frozenset({"engineer_id"})),
    Rule("unschedule", frozenset({S.SCHEDULED, S.DISPATCHED}), S.TRIAGED, _DESK_OR_SYSTEM,
         "Take it out of the plan, back to the pool"),
    Rule("divert", frozenset({S.EN_ROUTE}), S.TRIAGED, _DESK_OR_SYSTEM,
         "Call the engineer off on the way (an emergency needs them); back to the pool"),
    Rule("start_travel", frozenset({S.DISPATCHED}), S.EN_ROUTE, _FIELD,
         "The engineer accepts and sets off", own_tickets_only=True),
    Rule("arrive", frozenset({S.DISPATCHED, S.EN_ROUTE}), S.ON_SITE, _FIELD,
         "The engineer checks in on site (the response)", own_tickets_only=True),
    Rule("complete", frozenset({S.ON_SITE}), S.COMPLETED, _FIELD,
         "Repaired on this visit (the resolution)", own_tickets_only=True),
    Rule("need_follow_up", frozenset({S.ON_SITE}), S.NEEDS_FOLLOW_UP, _FIELD,
         "Another visit is needed (e.g. parts ordered)", own_tickets_only=True,
         params=frozenset({"parts"})),
    Rule("request_acceptance", frozenset({S.COMPLETED, S.RESOLVED_REMOTELY}),
         S.AWAITING_ACCEPTANCE, _DESK_OR_SYSTEM, "Ask the customer to accept (sign off) the work"),
    Rule("close", frozenset({S.AWAITING_ACCEPTANCE}), S.CLOSED, _DESK_OR_SYSTEM,
         "The customer accepted; the work order is closed"),
    Rule("hold_customer", _HOLDABLE | {S.ON_HOLD_PARTS}, S.ON_HOLD_CUSTOMER, _DESK_OR_SYSTEM,
         "Wait for the customer; SLA clocks pause"),
    Rule("hold_parts", _HOLDABLE | {S.ON_HOLD_CUSTOMER}, S.ON_HOLD_PARTS, _DESK_OR_SYSTEM,
         "Wait for parts; SLA clocks pause"),
    Rule("resume", _ON_HOLD, Target.PREVIOUS, _DESK_OR_SYSTEM,
         "End the hold: back to where it was, clocks run again"),
    Rule("cancel", _OPEN - {S.ON_SITE}, S.CANCELLED, _DESK,
         "Cancel the request (not while an engineer is on site)"),
    Rule("reopen", _RESOLVED | {S.CLOSED}, S.REOPENED, _DESK,
         "The fault is back or the customer rejected the work; clocks restart"),
    Rule("handover", _OPEN | _RESOLVED, Target.UNCHANGED, _DESK,
         "Hand ownership to another dispatcher (owner or admin only)",
         params=frozenset({"new_owner_id"})),
    Rule("reprioritise", _OPEN, Target.UNCHANGED, _DESK_OR_SYSTEM,
         "Change the priority tier; due instants are recomputed", params=frozenset({"priority"})),
)  # fmt: skip
"""The life cycle, one row per action."""

RULES: Mapping[str, Rule] = {rule.action: rule for rule in TRANSITIONS}

_TRACKED = (
    "status",
    "owner_id",
    "priority",
    "response_due",
    "resolution_due",
    "responded_at",
    "resolved_at",
    "sla_state",
    "escalation_level",
)


def _role(actor: User | None) -> str:
    return SYSTEM if actor is None else actor.role


def _may(rule: Rule, ticket: Ticket, actor: User | None, assigned: int | None) -> bool:
    if _role(actor) not in rule.roles:
        return False
    if actor is not None and actor.role == Role.ENGINEER.value and rule.own_tickets_only:
        return actor.engineer_id is not None and actor.engineer_id == assigned
    if rule.action == "handover" and actor is not None and actor.role == Role.DISPATCHER.value:
        return ticket.owner_id in (None, actor.id)
    return True


def _assignee(session: Session, ticket: Ticket, actor: User | None) -> int | None:
    """The engineer ``ticket`` is assigned to when ``actor`` is an engineer (their own-ticket
    rules need it); ``None`` otherwise, without asking."""
    if actor is None or actor.role != Role.ENGINEER.value:
        return None
    return assigned_engineer_id(session=session, ticket=ticket)


def allowed_actions(*, session: Session, ticket: Ticket, actor: User | None) -> list[str]:
    """The actions ``actor`` (``None``: the system) may take on ``ticket`` now, in table order."""
    status = TicketStatus(ticket.status)
    candidates = [r for r in TRANSITIONS if status in r.sources and _role(actor) in r.roles]
    if not candidates:
        return []
    assigned = _assignee(session, ticket, actor)
    return [r.action for r in candidates if _may(r, ticket, actor, assigned)]


def _snapshot(ticket: Ticket) -> dict[str, Any]:
    return {name: getattr(ticket, name) for name in _TRACKED}


def transition(
    *,
    session: Session,
    ticket: Ticket,
    action: str,
    actor: User | None,
    reason: str | None = None,
    at: dt.datetime | None = None,
    policy: SlaPolicy | None = None,
    **context: Any,
) -> TicketEvent:
    """Take ``action`` on ``ticket``: check, apply, record and announce it.

    Parameters
    ----------
    session
        Open session; the caller commits (the live event goes out on commit).
    ticket
        The ticket; its row is locked (:func:`~dispatch.tickets.history.lock_ticket`) and
        re-read before the checks.
    action
        A name from :data:`TRANSITIONS`.
    actor
        The user doing it, or ``None`` for the system (automatic steps).
    reason
        Why, for the record.
    at
        When (aware; default now). Pass it explicitly in simulations and tests.
    policy
        The SLA policy (default: :func:`~dispatch.sla.policy.session_policy`).
    **context
        The action's parameters: ``engineer_id`` (schedule, dispatch), ``parts``
        (need_follow_up), ``new_owner_id`` (handover), ``priority`` (reprioritise).
        ``None`` values are ignored.

    Returns
    -------
    TicketEvent
        The recorded ``transition`` event (``after["action"]`` is the action).

    Raises
    ------
    InvalidInput
        Unknown action, unknown or bad parameter, naive ``at``.
    PermissionDenied
        The actor's role may not take the action, or an engineer acts on a ticket not
        assigned to them, or a dispatcher hands over a ticket they do not own.
    TransitionNotAllowed
        The action is not allowed from the ticket's current status (``allowed`` lists
        what the actor may do now).
    """
    rule, params, at = _checked_request(action, actor, at, context)
    status = _checked_status(session, ticket, rule, actor)
    before = _snapshot(ticket)
    step = Step(session, ticket, actor, at, session_policy(session, policy), params, reason)
    target, extra = _take(step, rule, status)
    event = _record(step, action, status, target, before, extra)
    _announce(step, action, status, target, extra)
    return event


def _take(step: Step, rule: Rule, status: TicketStatus) -> tuple[TicketStatus, dict[str, Any]]:
    """Run the action's effect and set the ticket's new status; the target and extra facts."""
    effect = EFFECTS.get(rule.action)
    extra = effect(step) if effect is not None else {}
    target = step.target or (rule.target if isinstance(rule.target, TicketStatus) else status)
    step.ticket.status = target.value
    step.ticket.updated_at = step.at
    return target, extra


def _record(
    step: Step,
    action: str,
    status: TicketStatus,
    target: TicketStatus,
    before: Mapping[str, Any],
    extra: Mapping[str, Any],
) -> TicketEvent:
    """Record the ``transition`` event of a step (and the SLA outcome of a resolution)."""
    session, ticket, at = step.session, step.ticket, step.at
    after = _snapshot(ticket)
    changed = [name for name in _TRACKED if before[name] != after[name]]
    event = record_event(
        session=session,
        ticket=ticket,
        kind="transition",
        at=at,
        actor=step.actor,
        reason=step.reason,
        from_status=status.value,
        to_status=target.value,
        before={name: before[name] for name in changed},
        after={"action": action, **{name: after[name] for name in changed}, **extra},
    )
    if ticket.resolved_at is not None and before["resolved_at"] is None:
        apply_sla_state(session=session, ticket=ticket, state=outcome(ticket), at=at)
    return event


def _checked_request(
    action: str, actor: User | None, at: dt.datetime | None, context: Mapping[str, Any]
) -> tuple[Rule, dict[str, Any], dt.datetime]:
    """The rule of ``action``, its parameters (``None`` dropped) and ``at`` in UTC, checked."""
    rule = RULES.get(action)
    if rule is None:
        raise InvalidInput(
            f"unknown action {action!r}; actions: {', '.join(RULES)}", field="action"
        )
    params = {k: v for k, v in context.items() if v is not None}
    unknown = sorted(set(params) - rule.params)
    if unknown:
        raise InvalidInput(f"{action} takes no parameter {unknown[0]!r}", field=unknown[0])
    at = at or utcnow()
    if at.tzinfo is None:
        raise InvalidInput("at must be time-zone aware", field="at")
    at = at.astimezone(dt.UTC)
    role = _role(actor)
    if role not in rule.roles:
        raise PermissionDenied(
            f"role {role!r} may not {action}; allowed: {', '.join(sorted(rule.roles))}",
            field="action",
        )
    return rule, params, at


def _checked_status(
    session: Session, ticket: Ticket, rule: Rule, actor: User | None
) -> TicketStatus:
    """Lock ``ticket`` and check ``rule`` may be taken from its status by ``actor``."""
    action = rule.action
    lock_ticket(session=session, ticket=ticket)
    status = TicketStatus(ticket.status)
    if status not in rule.sources:
        allowed = allowed_actions(session=session, ticket=ticket, actor=actor)
        raise TransitionNotAllowed(
            f"cannot {action} a ticket that is {status.value}; "
            f"allowed now: {', '.join(allowed) or 'nothing'}",
            field="action",
            ticket_status=status.value,
            allowed=allowed,
        )
    if not _may(rule, ticket, actor, _assignee(session, ticket, actor)):
        who = "the owner or an admin" if action == "handover" else "the assigned engineer"
        raise PermissionDenied(f"only {who} may {action} ticket {ticket.number}", field="action")
    return status


def _announce(
    step: Step,
    action: str,
    status: TicketStatus,
    target: TicketStatus,
    extra: Mapping[str, Any],
) -> None:
    """Emit the ``ticket.status_changed`` live event of one step."""
    ticket, actor = step.ticket, step.actor
    announce(
        step.session,
        EventKind.TICKET_STATUS,
        ticket,
        {
            "action": action,
            "from_status": status.value,
            "to_status": target.value,
            "actor_id": actor.id if actor is not None else None,
            "at": utc_text(step.at),
            **({"engineer_id": extra["engineer_id"]} if "engineer_id" in extra else {}),
        },
    )
