"""Work-order numbers: ``{customer}-{kind}-{yyyymmdd}-{seq}``, unique (the database enforces it)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.models import Ticket, TicketKind
from dispatch.models.enums import TICKET_KIND_CODES


def ticket_number_prefix(customer_code: str, kind: TicketKind, day: dt.date) -> str:
    """The number's fixed part, e.g. ``ACME-REP-20261123``."""
    return f"{customer_code}-{TICKET_KIND_CODES[kind]}-{day:%Y%m%d}"


def next_ticket_number(
    *, session: Session, customer_code: str, kind: TicketKind, day: dt.date
) -> str:
    """The next free number for this customer, kind and (local) day.

    The sequence restarts every day per customer and kind. Two concurrent callers may
    compute the same number; the unique constraint then refuses the second insert.
    """
    prefix = ticket_number_prefix(customer_code, kind, day)
    existing = session.scalars(select(Ticket.number).where(Ticket.number.like(f"{prefix}-%"))).all()
    highest = 0
    for number in existing:
        tail = number.rsplit("-", 1)[-1]
        if tail.isdigit():
            highest = max(highest, int(tail))
    return f"{prefix}-{highest + 1:04d}"
