"""A plan's SLA figures, judged by the same rule as ``/sla/at-risk`` and ``/sla/breaches``.

The solver weighs lateness against one deadline per ticket; what a dispatcher reads is
whether each planned ticket will miss a due instant (response or resolution). This module
assesses every planned visit with :func:`dispatch.sla.clocks.assess` at the instant the
plan was made, so a plan's late counts agree with the SLA lists once it is published.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.models import SlaState, Ticket, Visit
from dispatch.sla.clocks import assess
from dispatch.sla.policy import session_policy

TIERS = (1, 2, 3, 4)


def predicted_sla(
    *, session: Session, visits: Iterable[Visit], now: dt.datetime
) -> dict[str, Mapping[str, int]]:
    """Planned tickets predicted to miss an SLA due instant, by tier.

    Parameters
    ----------
    session
        Open session (read only).
    visits
        The plan's visits (one per ticket).
    now
        The instant the plan was made (the assessment's "now").

    Returns
    -------
    dict
        ``late_by_tier`` (tickets at risk or breached) and ``lateness_seconds_by_tier``
        (how far the planned arrival, or finish, passes the due instant), keyed ``"P1".."P4"``.
    """
    policy = session_policy(session)
    arrival_by_ticket = {v.ticket_id: v.planned_arrival for v in visits}
    tickets = session.scalars(
        select(Ticket).where(Ticket.id.in_(list(arrival_by_ticket) or [-1]))
    ).all()
    late = dict.fromkeys(TIERS, 0)
    seconds = dict.fromkeys(TIERS, 0)
    for ticket in tickets:
        arrival = arrival_by_ticket[ticket.id]
        state = assess(
            ticket, now=now, planned_arrival=arrival, typical_response=policy.typical_response
        )
        if state not in (SlaState.AT_RISK, SlaState.BREACHED):
            continue
        late[ticket.priority] = late.get(ticket.priority, 0) + 1
        seconds[ticket.priority] = seconds.get(ticket.priority, 0) + _overrun(
            ticket, max(arrival, now)
        )
    return {
        "late_by_tier": {f"P{t}": late[t] for t in TIERS},
        "lateness_seconds_by_tier": {f"P{t}": seconds[t] for t in TIERS},
    }


def _overrun(ticket: Ticket, arrival: dt.datetime) -> int:
    """Seconds the expected arrival (or finish) passes the ticket's due instants."""
    finish = arrival + dt.timedelta(minutes=ticket.estimated_minutes)
    overruns = [0.0]
    if ticket.responded_at is None and ticket.response_due is not None:
        overruns.append((arrival - ticket.response_due).total_seconds())
    if ticket.resolution_due is not None:
        overruns.append((finish - ticket.resolution_due).total_seconds())
    return int(max(overruns))
