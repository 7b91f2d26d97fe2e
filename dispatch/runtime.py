"""The process's connections, built on demand from settings: database, Redis, event bus.

An edge (the API app, a worker, a CLI command, a simulation run) builds one
:class:`Runtime` and closes it when done; nothing here runs at import time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import redis
from sqlalchemy.orm import Session

from dispatch.db import Database
from dispatch.events import EventBus, MemoryEventBus, RedisEventBus, attach_bus
from dispatch.redis_conn import connect
from dispatch.settings import Settings


class Runtime:
    """Database, optional Redis client and the event bus of one process."""

    def __init__(self, settings: Settings, *, bus: EventBus | None = None) -> None:
        self.settings = settings
        self.database = Database(settings)
        self.redis: redis.Redis | None = connect(settings.redis_url) if settings.redis_url else None
        if bus is None:
            bus = RedisEventBus(self.redis) if self.redis is not None else MemoryEventBus()
        self.bus = bus
        attach_bus(self.database.sessions, bus)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commit on success (then publish its events), roll back on error."""
        with self.database.session() as session:
            yield session

    def close(self) -> None:
        """Release connections."""
        self.database.dispose()
        if self.redis is not None:
            self.redis.close()
