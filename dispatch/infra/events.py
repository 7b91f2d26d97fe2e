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
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import redis
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from dispatch.field import day_cache
from dispatch.infra import keys
from dispatch.infra.outbox import OutboxRelay
from dispatch.infra.redis_conn import redis_required
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
(:mod:`dispatch.field.day_cache`): a new kind is safe by default."""


@dataclass(frozen=True, slots=True)
class Event:
    """One delivered event."""

    id: str
    kind: str
    data: Mapping[str, Any]


class EventBus(Protocol):
    """Where events go and whence subscribers read them."""

    def publish(self, kind: str, data: Mapping[str, Any]) -> str:
        """Append an event; returns its id."""
        ...

    def read(self, after: str | None, *, block_ms: int = 0, count: int = 100) -> list[Event]:
        """Events after id ``after`` (``None``: only new ones), waiting up to ``block_ms``."""
        ...

    def last_id(self) -> str:
        """The id of the newest event (``"0-0"`` when none)."""
        ...


def _id_key(event_id: str) -> tuple[int, int]:
    ms, _, seq = event_id.partition("-")
    return int(ms), int(seq or 0)


class MemoryEventBus:
    """An in-process stream (embedded mode), bounded to the newest ``maxlen`` events."""

    def __init__(self, maxlen: int = 10_000) -> None:
        self._events: deque[Event] = deque(maxlen=maxlen)
        self._cond = threading.Condition()
        self._last = (0, 0)

    def publish(self, kind: str, data: Mapping[str, Any]) -> str:
        """Append an event; returns its id."""
        with self._cond:
            now_ms = int(time.time() * 1000)
            ms, seq = self._last
            self._last = (now_ms, 0) if now_ms > ms else (ms, seq + 1)
            event_id = f"{self._last[0]}-{self._last[1]}"
            self._events.append(Event(event_id, kind, dict(data)))
            self._cond.notify_all()
            return event_id

    def read(self, after: str | None, *, block_ms: int = 0, count: int = 100) -> list[Event]:
        """Events after ``after``, waiting up to ``block_ms`` for one to arrive."""
        start = _id_key(after) if after else self._last
        deadline = time.monotonic() + block_ms / 1000
        with self._cond:
            while True:
                found = [e for e in self._events if _id_key(e.id) > start][:count]
                remaining = deadline - time.monotonic()
                if found or remaining <= 0:
                    return found
                self._cond.wait(remaining)

    def last_id(self) -> str:
        """The newest id."""
        return f"{self._last[0]}-{self._last[1]}"


MAX_BLOCK_MS = 4_000
"""Longest blocking ``XREAD`` (Redis clients here time out sockets after 5 s)."""


class RedisEventBus:
    """A Redis Stream (``XADD`` / ``XREAD``), capped at about ``maxlen`` entries."""

    def __init__(self, client: redis.Redis, maxlen: int = 100_000) -> None:
        self._client = client
        self._maxlen = maxlen
        self._stream = keys.events_stream()

    def publish(self, kind: str, data: Mapping[str, Any]) -> str:
        """Append an event; returns its stream id.

        Raises
        ------
        ServiceUnavailable
            Redis is unavailable.
        """
        with redis_required("live events"):
            event_id: Any = self._client.xadd(
                self._stream,
                {"kind": kind, "data": json.dumps(data, default=str)},
                maxlen=self._maxlen,
                approximate=True,
            )
        return event_id.decode() if isinstance(event_id, bytes) else str(event_id)

    def read(self, after: str | None, *, block_ms: int = 0, count: int = 100) -> list[Event]:
        """Events after ``after`` (``None``: only new ones), waiting up to ``block_ms``.

        Raises
        ------
        ServiceUnavailable
            Redis is unavailable.
        """
        start = after or self.last_id()
        # Block less than the client's socket timeout, or the read itself times out; a
        # caller that wants to wait longer (the SSE loop) simply reads again.
        block = min(block_ms, MAX_BLOCK_MS) if block_ms else None
        with redis_required("live events"):
            reply: Any = self._client.xread({self._stream: start}, count=count, block=block)
        events: list[Event] = []
        for _stream, entries in reply or []:
            for raw_id, fields in entries:
                event_id = raw_id.decode() if isinstance(raw_id, bytes) else str(raw_id)
                kind = fields.get(b"kind", fields.get("kind", b""))
                data = fields.get(b"data", fields.get("data", b"{}"))
                events.append(
                    Event(
                        event_id,
                        kind.decode() if isinstance(kind, bytes) else str(kind),
                        json.loads(data),
                    )
                )
        return events

    def last_id(self) -> str:
        """The newest id in the stream (``"0-0"`` when empty).

        Raises
        ------
        ServiceUnavailable
            Redis is unavailable.
        """
        with redis_required("live events"):
            newest: Any = self._client.xrevrange(self._stream, count=1)
        if not newest:
            return "0-0"
        raw_id = newest[0][0]
        return raw_id.decode() if isinstance(raw_id, bytes) else str(raw_id)


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
