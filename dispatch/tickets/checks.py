"""The checks of a work order's facts, shared by creating (:mod:`dispatch.tickets.records`),
re-booking and editing (:mod:`dispatch.tickets.edits`) a ticket.

Each check raises :class:`~dispatch.errors.InvalidInput` or :class:`~dispatch.errors.NotFound`
with ``field`` naming the fact at fault.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.errors import InvalidInput, NotFound
from dispatch.models import (
    Channel,
    Engineer,
    EngineerRuleKind,
    EngineerSkill,
    TicketEngineerRule,
    TicketKind,
    TicketStatus,
    TicketWindow,
)

__all__ = [
    "REBOOKABLE",
    "aware",
    "check_numbers",
    "check_skill",
    "choice",
    "engineer_rule_rows",
    "window_rows",
]

_SKILL = re.compile(r"^[a-z][a-z0-9_]{0,63}$")

REBOOKABLE = frozenset(
    {
        TicketStatus.NEW.value,
        TicketStatus.TRIAGED.value,
        TicketStatus.SCHEDULED.value,
        TicketStatus.NEEDS_FOLLOW_UP.value,
        TicketStatus.ON_HOLD_CUSTOMER.value,
        TicketStatus.ON_HOLD_PARTS.value,
        TicketStatus.REOPENED.value,
    }
)
"""Statuses in which a ticket's appointment may still change (not handed to its engineer)."""


def choice(value: str, allowed: type[TicketKind] | type[Channel], name: str) -> str:
    """``value`` as a member of ``allowed`` (its value).

    Raises
    ------
    InvalidInput
        ``value`` is none of them (``field=name``).
    """
    try:
        return allowed(value).value
    except ValueError as exc:
        options = ", ".join(m.value for m in allowed)
        raise InvalidInput(f"{name} must be one of {options}", field=name) from exc


def aware(value: dt.datetime, name: str) -> dt.datetime:
    """``value``, which must carry a time zone.

    Raises
    ------
    InvalidInput
        ``value`` is naive (``field=name``).
    """
    if value.tzinfo is None:
        raise InvalidInput(f"{name} must carry a time zone", field=name)
    return value


def check_numbers(
    *, priority: int, estimated_minutes: int, min_level: int, parts_demand: int
) -> None:
    """Check a ticket's numbers are in range, in this order.

    Raises
    ------
    InvalidInput
        Priority outside 1..4, estimated minutes outside 1..1440, level outside 1..3,
        negative parts demand.
    """
    if not 1 <= priority <= 4:
        raise InvalidInput("priority must be 1 (emergency) .. 4 (planned)", field="priority")
    if not 1 <= estimated_minutes <= 1440:
        raise InvalidInput("estimated_minutes must be 1..1440", field="estimated_minutes")
    if not 1 <= min_level <= 3:
        raise InvalidInput("min_level must be 1..3", field="min_level")
    if parts_demand < 0:
        raise InvalidInput("parts_demand must be >= 0", field="parts_demand")


def check_skill(session: Session, skill: str) -> str:
    """``skill``, a well-formed name that some engineer has.

    Raises
    ------
    InvalidInput
        A malformed name, or no engineer has it (``field="required_skill"``).
    """
    if not _SKILL.match(skill):
        raise InvalidInput(
            "required_skill must be a lower-case name like 'elevator'", field="required_skill"
        )
    known = sorted(set(session.scalars(select(EngineerSkill.skill).distinct())))
    if skill not in known:
        raise InvalidInput(
            f"no engineer has skill {skill!r}; known skills: {', '.join(known) or 'none'}",
            field="required_skill",
        )
    return skill


def engineer_rule_rows(
    session: Session,
    pairs: Sequence[tuple[int, str]],
    *,
    fields: Sequence[str] | None = None,
) -> list[TicketEngineerRule]:
    """The rule rows of ``(engineer_id, kind)`` pairs: kinds known, engineers exist, none twice.

    Parameters
    ----------
    fields
        The field to name for each pair's error; default ``engineer_rules.N.kind`` or
        ``engineer_rules.N.engineer_id`` (creation's fields).

    Raises
    ------
    InvalidInput
        An unknown kind, an engineer named twice.
    NotFound
        An unknown engineer.
    """
    rules: list[TicketEngineerRule] = []
    seen: set[int] = set()
    for i, (engineer_id, kind) in enumerate(pairs):
        where = f"engineer_rules.{i}"
        kind_field = fields[i] if fields is not None else f"{where}.kind"
        engineer_field = fields[i] if fields is not None else f"{where}.engineer_id"
        try:
            kind = EngineerRuleKind(kind).value
        except ValueError as exc:
            raise InvalidInput(
                "kind must be preferred, required or excluded", field=kind_field
            ) from exc
        if session.get(Engineer, engineer_id) is None:
            raise NotFound(f"no engineer {engineer_id}", field=engineer_field)
        if engineer_id in seen:
            raise InvalidInput(f"engineer {engineer_id} is named twice", field=engineer_field)
        seen.add(engineer_id)
        rules.append(TicketEngineerRule(engineer_id=engineer_id, kind=kind))
    return rules


def window_rows(windows: Sequence[tuple[dt.datetime, dt.datetime]]) -> list[TicketWindow]:
    """The window rows of appointment slots ``(start, end)``: aware, each ending after it starts.

    Raises
    ------
    InvalidInput
        A naive instant, or a window not ending after it starts (``windows.N.start|end``).
    """
    rows = []
    for i, (start, end) in enumerate(windows):
        aware(start, f"windows.{i}.start")
        aware(end, f"windows.{i}.end")
        if end <= start:
            raise InvalidInput("a window must end after it starts", field=f"windows.{i}.end")
        rows.append(TicketWindow(start=start, end=end))
    return rows
