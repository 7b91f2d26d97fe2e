"""What a dispatcher narrows a ticket list by, and how it is sorted.

Every filter is a plain ``WHERE`` on a column of ``tickets`` (or an ``IN`` of ids resolved
first), so the database can use the indexes it has: ``customer_id``, ``region_id``,
``status`` and the unique ``number`` / ``external_ref`` (free text matches them by prefix).
Only the ``symptoms`` part of free text is a substring scan, over the rows the other
filters leave.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session

from dispatch.errors import InvalidInput, NotFound
from dispatch.models import Customer, Engineer, Ticket
from dispatch.tickets.assignment import tickets_assigned_to

SORT_FIELDS: dict[str, Any] = {
    "priority": Ticket.priority,
    "reported_at": Ticket.reported_at,
    "response_due": Ticket.response_due,
    "resolution_due": Ticket.resolution_due,
    "number": Ticket.number,
    "status": Ticket.status,
    "id": Ticket.id,
}
"""The fields a ticket list may be sorted by (``-`` before one: descending)."""
DEFAULT_SORT = "priority,response_due"
"""Most urgent first: tier, then the response due instant (tickets without one last)."""
MAX_TEXT = 100


@dataclass(frozen=True)
class TicketFilters:
    """Narrowing of a ticket list; every ``None`` is "any".

    ``reported_from`` .. ``reported_before`` bound ``reported_at`` (the API turns local days
    into these instants); ``customer`` and ``engineer`` are codes; ``engineer`` keeps the
    tickets assigned to that engineer now (its published plan, or a later hand assignment:
    :func:`dispatch.tickets.assignment.tickets_assigned_to`); ``text`` matches the start of the
    number or external reference, or any part of the symptoms (case-insensitive).
    """

    reported_from: dt.datetime | None = None
    reported_before: dt.datetime | None = None
    customer: str | None = None
    engineer: str | None = None
    text: str | None = None
    sort: str | None = None


def parse_sort(sort: str | None) -> list[ColumnElement[Any]]:
    """The ``ORDER BY`` of ``sort`` (``"priority,-reported_at"``), ending with the id.

    Raises
    ------
    InvalidInput
        An unknown or repeated field (``field="sort"``).
    """
    order: list[ColumnElement[Any]] = []
    seen: set[str] = set()
    for part in (sort or DEFAULT_SORT).split(","):
        name = part.strip().removeprefix("-")
        if name not in SORT_FIELDS or name in seen:
            allowed = ", ".join(SORT_FIELDS)
            what = "repeated" if name in seen else "unknown"
            raise InvalidInput(
                f"{what} sort field {name!r}; sort by {allowed} (a leading - for descending)",
                field="sort",
            )
        seen.add(name)
        column = SORT_FIELDS[name]
        descending = part.strip().startswith("-")
        order.append(column.is_(None))  # tickets without the value last, either way
        order.append(column.desc() if descending else column.asc())
    if "id" not in seen:
        order.append(Ticket.id.asc())
    return order


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _code_id(session: Session, model: Any, code: str, field: str) -> int:
    found = session.scalar(select(model.id).where(model.code == code))
    if found is None:
        raise NotFound(f"no {field} {code!r}", field=field)
    return int(found)


def apply_filters(query: Select[Any], filters: TicketFilters, *, session: Session) -> Select[Any]:
    """``query`` (of :class:`Ticket`) narrowed by ``filters``.

    Raises
    ------
    NotFound
        Unknown customer or engineer code (``field`` names it).
    InvalidInput
        ``reported_before`` not after ``reported_from`` (``field="to"``), text too long.
    """
    f = filters
    if (
        f.reported_from is not None
        and f.reported_before is not None
        and f.reported_before <= f.reported_from
    ):
        raise InvalidInput("the period must not end before it starts", field="to")
    if f.reported_from is not None:
        query = query.where(Ticket.reported_at >= f.reported_from)
    if f.reported_before is not None:
        query = query.where(Ticket.reported_at < f.reported_before)
    if f.customer is not None:
        query = query.where(
            Ticket.customer_id == _code_id(session, Customer, f.customer, "customer")
        )
    if f.engineer is not None:
        engineer_id = _code_id(session, Engineer, f.engineer, "engineer")
        mine = tickets_assigned_to(session=session, engineer_id=engineer_id)
        query = query.where(Ticket.id.in_(sorted(mine) or [-1]))
    if f.text:
        if len(f.text) > MAX_TEXT:
            raise InvalidInput(f"at most {MAX_TEXT} characters", field="q")
        pattern = _escape_like(f.text)
        query = query.where(
            or_(
                Ticket.number.like(f"{pattern}%", escape="\\"),
                Ticket.external_ref.like(f"{pattern}%", escape="\\"),
                Ticket.symptoms.ilike(f"%{pattern}%", escape="\\"),
            )
        )
    return query.order_by(*parse_sort(f.sort))
