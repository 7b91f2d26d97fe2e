"""Live events (plan published, ticket status changed, SLA at risk...), delivered after commit.

Services call :func:`emit` inside their unit of work: the event is written to the outbox
table in the same transaction as the change (a rolled-back change announces nothing, a
committed one is never lost). After the commit the relay (:mod:`dispatch.infra.outbox`)
publishes it to the bus; while the bus is down the events wait in the outbox and the
housekeeping relays them when it is back. The bus is a Redis Stream when Redis is
configured, else an in-memory stream in this process.
Event ids are increasing strings (``"<ms>-<seq>"``, the Redis Stream id form), so a client
that reconnects with ``Last-Event-ID`` gets exactly what it missed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from dispatch.infra import day_cache
from dispatch.infra.bus import EventBus
from dispatch.infra.outbox import OutboxRelay
from dispatch.models import OutboxEvent

_PENDING = "dispatch.pending_events"
_COMMITTED = "dispatch.committed_events"


class EventKind:
    """The kinds of live events."""

    PLAN_PUBLISHED = "plan.published"
    PLAN_UPDATED = "plan.updated"
    TICKET_STATUS = "ticket.status_changed"
    TICKET_CREATED = "ticket.created"
    TICKET_UPDATED = "ticket.updated"
    SLA_AT_RISK = "sla.at_risk"
    SLA_BREACHED = "sla.breached"
    SLA_ESCALATED = "sla.escalated"
    CHECKIN_FLAGGED = "checkin.flagged"
    ENGINEER_CHECKED_IN = "engineer.checked_in"
    ENGINEER_CHECKED_OUT = "engineer.checked_out"
    ENGINEER_LOCATION = "engineer.location"
    ENGINEER_ABSENCE = "engineer.absence"
    OPTIMIZATION_PROGRESS = "optimization.progress"


DAY_NEUTRAL_KINDS = frozenset(
    {EventKind.ENGINEER_LOCATION, EventKind.OPTIMIZATION_PROGRESS, EventKind.TICKET_CREATED}
)
"""Kinds that change no engineer's day as the phone shows it (a ping, a run's progress, a
ticket not yet in any plan). Every other kind invalidates the days it names
(:mod:`dispatch.infra.day_cache`): a new kind is safe by default."""


def emit(session: Session, kind: str, data: Mapping[str, Any]) -> None:
    """Write an event to the outbox in ``session``'s transaction (relayed after commit).

    Parameters
    ----------
    session
        The unit of work of the change the event announces.
    kind
        One of :class:`EventKind`.
    data
        JSON-ready facts (other values are stored as their ``str``). Name the engineers
        whose day changes (``engineer_id`` / ``engineer_ids``) or the ``ticket_id``: their
        phones' cached days are invalidated after the commit; an event of a kind outside
        :data:`DAY_NEUTRAL_KINDS` naming neither invalidates every day.
    """
    row = OutboxEvent(kind=kind, data=json.loads(json.dumps(dict(data), default=str)))
    session.add(row)
    if kind not in DAY_NEUTRAL_KINDS:
        day_cache.note_change(session, data)
    session.info.setdefault(_PENDING, []).append(row)


def _committed_ids(rows: list[OutboxEvent]) -> list[int]:
    """Ids of the rows that were flushed and not rolled back since."""
    ids = []
    for row in rows:
        identity = inspect(row).identity
        if identity is not None:
            ids.append(int(identity[0]))
    return ids


def attach_bus(sessions: sessionmaker[Session], bus: EventBus) -> OutboxRelay:
    """Relay the events written by :func:`emit` on sessions of ``sessions`` after commit.

    Returns
    -------
    OutboxRelay
        The relay, for the housekeeping to publish what waits (e.g. after a Redis outage).
    """
    relay = OutboxRelay(sessions, bus)

    @event.listens_for(sessions, "after_commit")
    def _committed(session: Session) -> None:
        ids = _committed_ids(session.info.pop(_PENDING, []))
        if ids:
            session.info[_COMMITTED] = max(ids)

    @event.listens_for(sessions, "after_transaction_end")
    def _publish(session: Session, transaction: SessionTransaction) -> None:
        # After the commit's connection went back to the pool: the relay takes its own.
        if transaction.parent is None and (up_to := session.info.pop(_COMMITTED, None)):
            relay.after_commit(up_to)

    @event.listens_for(sessions, "after_soft_rollback")
    def _forget(session: Session, _previous: Any) -> None:
        pending = session.info.get(_PENDING)
        if pending:
            session.info[_PENDING] = [row for row in pending if row in session]

    return relay
