"""What an edit of a work order may change: :class:`TicketEdit` and its checks.

An edit is checked with the rules of ticket creation (:mod:`dispatch.tickets.checks`), and
against the ticket: a pin must suit its rules, skill and level; a ticket handed to its
engineer keeps its appointment and may not be given rules that forbid that engineer.
:func:`validate_edit` changes nothing; :mod:`dispatch.tickets.edits` applies the edit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Final

from sqlalchemy.orm import Session

from dispatch.errors import Conflict, InvalidInput, NotFound
from dispatch.models import Engineer, EngineerRuleKind, Ticket, TicketStatus
from dispatch.tickets.assignment import assigned_engineer_id
from dispatch.tickets.checks import (
    REBOOKABLE,
    check_numbers,
    check_skill,
    engineer_rule_rows,
    window_rows,
)

__all__ = [
    "HANDED_OVER",
    "KEEP",
    "RULE_FIELDS",
    "TicketEdit",
    "forbids",
    "merged_rules",
    "validate_edit",
]


class _Keep(Enum):
    KEEP = "keep"


KEEP: Final = _Keep.KEEP
"""``pinned_engineer_id`` not given: the pin stays as it is (``None`` unpins)."""

HANDED_OVER = frozenset(
    {TicketStatus.DISPATCHED.value, TicketStatus.EN_ROUTE.value, TicketStatus.ON_SITE.value}
)
"""Statuses in which the ticket is its engineer's: rules may not exclude them."""
RULE_FIELDS: Mapping[EngineerRuleKind, str] = {
    EngineerRuleKind.PREFERRED: "preferred_engineer_ids",
    EngineerRuleKind.REQUIRED: "required_engineer_ids",
    EngineerRuleKind.EXCLUDED: "excluded_engineer_ids",
}
"""Each kind of engineer rule and the edit's field that lists its engineers."""


@dataclass(frozen=True)
class TicketEdit:
    """What to change; ``None`` (and :data:`KEEP` for the pin) leaves a fact as it is.

    ``windows`` replaces all appointment windows (empty: any time); each engineer list
    replaces that kind of rule (empty: none).
    """

    priority: int | None = None
    windows: Sequence[tuple[dt.datetime, dt.datetime]] | None = None
    estimated_minutes: int | None = None
    required_skill: str | None = None
    min_level: int | None = None
    preferred_engineer_ids: Sequence[int] | None = None
    required_engineer_ids: Sequence[int] | None = None
    excluded_engineer_ids: Sequence[int] | None = None
    pinned_engineer_id: int | _Keep | None = KEEP
    symptoms: str | None = None


def merged_rules(ticket: Ticket, edit: TicketEdit) -> dict[EngineerRuleKind, list[int]] | None:
    """The engineer lists after the edit (``None``: the edit names none)."""
    given = {kind: getattr(edit, name) for kind, name in RULE_FIELDS.items()}
    if all(v is None for v in given.values()):
        return None
    return {
        kind: list(ids) if ids is not None else ticket.engineers_by_rule(kind)
        for kind, ids in given.items()
    }


def _check_rules(session: Session, merged: dict[EngineerRuleKind, list[int]]) -> None:
    """Creation's rule check (engineers exist, none named twice), naming this edit's fields."""
    where: list[str] = []
    pairs: list[tuple[int, str]] = []
    for kind, ids in merged.items():
        for j, engineer_id in enumerate(ids):
            where.append(f"{RULE_FIELDS[kind]}.{j}")
            pairs.append((engineer_id, kind.value))
    engineer_rule_rows(session, pairs, fields=where)


def _check_pin(
    session: Session,
    engineer_id: int,
    *,
    skill: str,
    level: int,
    rules: dict[EngineerRuleKind, list[int]],
    field: str,
) -> None:
    """The pinned engineer exists, is active, has the skill and the rules allow them."""
    engineer = session.get(Engineer, engineer_id)
    if engineer is None:
        raise NotFound(f"no engineer {engineer_id}", field=field)
    if not engineer.active:
        raise InvalidInput(f"engineer {engineer.code} is inactive", field=field)
    has = {s.skill: s.level for s in engineer.skills}.get(skill)
    if has is None or has < level:
        raise InvalidInput(
            f"engineer {engineer.code} lacks skill {skill!r} at level {level}", field=field
        )
    if engineer_id in rules[EngineerRuleKind.EXCLUDED]:
        raise InvalidInput(f"engineer {engineer.code} is excluded from this ticket", field=field)
    required = rules[EngineerRuleKind.REQUIRED]
    if required and engineer_id not in required:
        raise InvalidInput(
            f"engineer {engineer.code} is not among the required engineers", field=field
        )


def forbids(engineer_id: int, pin: int | None, rules: dict[EngineerRuleKind, list[int]]) -> bool:
    """Whether the rules (and pin) after an edit forbid ``engineer_id`` to serve the ticket."""
    required = rules[EngineerRuleKind.REQUIRED]
    return (
        engineer_id in rules[EngineerRuleKind.EXCLUDED]
        or bool(required and engineer_id not in required)
        or (pin is not None and pin != engineer_id)
    )


def validate_edit(session: Session, ticket: Ticket, edit: TicketEdit) -> None:
    """Check ``edit`` against ``ticket`` without changing anything.

    Raises
    ------
    InvalidInput, NotFound
        A value creation would refuse, or a pin the ticket's engineer rules, skill or
        level refuse (``field`` names the fact at fault).
    Conflict
        The ticket is handed to an engineer the new rules (or pin) forbid, or new windows
        for a ticket whose appointment can no longer change (handed over, finished).
    """
    level = ticket.min_level if edit.min_level is None else edit.min_level
    check_numbers(
        priority=ticket.priority if edit.priority is None else edit.priority,
        estimated_minutes=ticket.estimated_minutes
        if edit.estimated_minutes is None
        else edit.estimated_minutes,
        min_level=level,
        parts_demand=ticket.parts_demand,
    )
    if edit.required_skill is not None:
        check_skill(session, edit.required_skill)
    _check_windows(ticket, edit.windows or (), given=edit.windows is not None)
    merged = merged_rules(ticket, edit)
    if merged is not None:
        _check_rules(session, merged)
    rules = merged or {kind: ticket.engineers_by_rule(kind) for kind in RULE_FIELDS}
    pin = ticket.pinned_engineer_id if edit.pinned_engineer_id is KEEP else edit.pinned_engineer_id
    blame = "pinned_engineer_id" if edit.pinned_engineer_id is not KEEP else _blame(edit)
    if pin is not None and blame is not None:
        skill = edit.required_skill or ticket.required_skill
        _check_pin(session, pin, skill=skill, level=level, rules=rules, field=blame)
    if ticket.status in HANDED_OVER and (merged is not None or blame == "pinned_engineer_id"):
        owner = assigned_engineer_id(session=session, ticket=ticket)
        if owner is not None and forbids(owner, pin, rules):
            raise Conflict(
                f"ticket {ticket.number} is {ticket.status} with engineer {owner}, whom the "
                "new rules forbid; dispatch it to another engineer first",
                field=blame or _blame(edit) or "excluded_engineer_ids",
            )


def _check_windows(
    ticket: Ticket, given_windows: Sequence[tuple[dt.datetime, dt.datetime]], *, given: bool
) -> None:
    """Creation's window checks; new windows only while the appointment may still change."""
    windows = sorted((w.start, w.end) for w in window_rows(given_windows))
    if not given or ticket.status in REBOOKABLE:
        return
    if windows != sorted((w.start, w.end) for w in ticket.windows):
        raise Conflict(
            f"ticket {ticket.number} is {ticket.status}: its appointment can no longer change",
            field="windows",
        )


def _blame(edit: TicketEdit) -> str | None:
    """The first given fact that bears on whom the ticket may be served by."""
    names = ("required_skill", "min_level", "excluded_engineer_ids", "required_engineer_ids")
    return next((n for n in names if getattr(edit, n) is not None), None)
