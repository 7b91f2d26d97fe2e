"""The event bus: a Redis Stream when Redis is configured, else an in-memory stream.

Event ids are increasing strings (``"<ms>-<seq>"``, the Redis Stream id form), so a client
that reconnects with ``Last-Event-ID`` gets exactly what it missed. Services never publish
here directly: they :func:`dispatch.infra.events.emit` into the outbox.
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

from dispatch.infra import keys
from dispatch.infra.redis_conn import redis_required, redis_text


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
    """A Redis Stream (``XADD`` / ``XREAD``), capped at about ``maxlen`` entries.

    Each method raises :class:`~dispatch.errors.ServiceUnavailable` while Redis is unavailable.
    """

    def __init__(self, client: redis.Redis, maxlen: int = 100_000) -> None:
        self._client = client
        self._maxlen = maxlen
        self._stream = keys.events_stream()

    def publish(self, kind: str, data: Mapping[str, Any]) -> str:
        """Append an event; returns its stream id."""
        with redis_required("live events"):
            event_id: Any = self._client.xadd(
                self._stream,
                {"kind": kind, "data": json.dumps(data, default=str)},
                maxlen=self._maxlen,
                approximate=True,
            )
        return redis_text(event_id)

    def read(self, after: str | None, *, block_ms: int = 0, count: int = 100) -> list[Event]:
        """Events after ``after`` (``None``: only new ones), waiting up to ``block_ms``."""
        start = after or self.last_id()
        # Block less than the client's socket timeout, or the read itself times out; a
        # caller that wants to wait longer (the SSE loop) simply reads again.
        block = min(block_ms, MAX_BLOCK_MS) if block_ms else None
        with redis_required("live events"):
            reply: Any = self._client.xread({self._stream: start}, count=count, block=block)
        events: list[Event] = []
        for _stream, entries in reply or []:
            for raw_id, fields in entries:
                event_id = redis_text(raw_id)
                kind = fields.get(b"kind", fields.get("kind", b""))
                data = fields.get(b"data", fields.get("data", b"{}"))
                events.append(
                    Event(
                        event_id,
                        redis_text(kind),
                        json.loads(data),
                    )
                )
        return events

    def last_id(self) -> str:
        """The newest id in the stream (``"0-0"`` when empty)."""
        with redis_required("live events"):
            newest: Any = self._client.xrevrange(self._stream, count=1)
        if not newest:
            return "0-0"
        raw_id = newest[0][0]
        return redis_text(raw_id)
