"""Re-booking a work order: its appointment windows replaced while they may still change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from dispatch.errors import Conflict
from dispatch.models import Ticket, User
from dispatch.tickets.checks import REBOOKABLE, aware, window_rows
from dispatch.tickets.history import lock_ticket, record_event

__all__ = ["rebook_ticket"]


def rebook_ticket(
    *,
    session: Session,
    ticket: Ticket,
    windows: Sequence[tuple[dt.datetime, dt.datetime]],
    actor: User | None,
    at: dt.datetime,
    reason: str | None = None,
) -> Ticket:
    """Replace ``ticket``'s appointment windows (e.g. the customer accepted a new slot).

    The change is recorded in the ticket's history (``kind="rebooked"``, the windows before
    and after). The SLA due instants do not depend on the windows and are kept. A plan that
    placed the ticket becomes stale (the windows are part of what a plan saw).

    Parameters
    ----------
    session
        Open session; the caller commits.
    ticket
        The ticket to re-book.
    windows
        The new appointment slots ``(start, end)`` (aware); empty: any time.
    actor
        Who made the change (``None``: the system).
    at
        When the change was made (aware).
    reason
        Why (shown in the history), e.g. ``WINDOW_PASSED``.

    Raises
    ------
    InvalidInput
        A window without a time zone or not ending after it starts (``windows.N.end``).
    Conflict
        The ticket is handed to its engineer, on site or finished (field ``status``).
    """
    lock_ticket(session=session, ticket=ticket)
    if ticket.status not in REBOOKABLE:
        raise Conflict(
            f"ticket {ticket.number} is {ticket.status}: its appointment can no longer change",
            field="status",
        )
    rows = window_rows(windows)
    before = [[w.start, w.end] for w in sorted(ticket.windows, key=lambda w: w.start)]
    ticket.windows = rows
    ticket.updated_at = aware(at, "at")
    record_event(
        session=session,
        ticket=ticket,
        kind="rebooked",
        at=at,
        actor=actor,
        reason=reason,
        before={"windows": before},
        after={"windows": [[w.start, w.end] for w in rows]},
    )
    session.flush()
    return ticket
