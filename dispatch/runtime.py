"""The process's connections, built on demand from settings: database, Redis, event bus.

An edge (the API app, a worker, a CLI command, a simulation run) builds one
:class:`Runtime` and closes it when done; nothing here runs at import time.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING

import redis
from sqlalchemy.orm import Session

from dispatch.infra import day_cache
from dispatch.infra.bus import EventBus, MemoryEventBus, RedisEventBus
from dispatch.infra.db import Database
from dispatch.infra.events import attach_bus
from dispatch.infra.redis_conn import connect
from dispatch.infra.settings import Settings
from dispatch.models import utcnow
from dispatch.sla.policy import bind_policy, load_policy

if TYPE_CHECKING:
    from dispatch.infra.job_queue import JobQueue
    from dispatch.infra.positions import PositionStore
    from dispatch.org.login_throttle import LoginThrottle
    from solver import TravelTimeProvider


def ticking_clock(start: dt.datetime) -> Callable[[], dt.datetime]:
    """A clock that reads ``start`` now and advances with real time from there."""
    began = time.monotonic()
    origin = start.astimezone(dt.UTC)
    return lambda: origin + dt.timedelta(seconds=time.monotonic() - began)


class Runtime:
    """Database, optional Redis client and the event bus of one process."""

    def __init__(self, settings: Settings, *, bus: EventBus | None = None) -> None:
        self.settings = settings
        self.database = Database(settings)
        self.redis: redis.Redis | None = connect(settings.redis_url) if settings.redis_url else None
        if bus is None:
            bus = RedisEventBus(self.redis) if self.redis is not None else MemoryEventBus()
        self.bus = bus
        self.clock: Callable[[], dt.datetime] = (
            utcnow if settings.clock_at is None else ticking_clock(settings.clock_at)
        )
        """The current instant; simulations and tests may set their own clock."""
        self.outbox = attach_bus(self.database.sessions, bus)
        """Relays stored events to the bus (after each commit, and from the housekeeping)."""
        self.days: day_cache.DayStore = (
            day_cache.RedisDayStore(self.redis)
            if self.redis is not None
            else day_cache.MemoryDayStore()
        )
        """Engineers' day versions and the phones' cached days (bumped after each commit)."""
        day_cache.attach(self.database.sessions, self.days)
        # Fail fast on a bad policy file; services find the policy on their session.
        bind_policy(self.database.sessions, load_policy(settings.sla_policy_file))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commit on success (then publish its events), roll back on error."""
        with self.database.session() as session:
            yield session

    @cached_property
    def positions(self) -> PositionStore:
        """Engineers' last positions: Redis GEO when configured, else in this process."""
        from dispatch.infra.positions import MemoryPositionStore, RedisPositionStore

        ttl = self.settings.location_ttl_seconds
        if self.redis is not None:
            return RedisPositionStore(self.redis, ttl)
        return MemoryPositionStore(ttl)

    @cached_property
    def login_throttle(self) -> LoginThrottle:
        """Failed log-ins counted per user name and address: in Redis when configured."""
        from dispatch.org.login_throttle import LoginPolicy, LoginThrottle

        policy = LoginPolicy(
            per_user=self.settings.login_failures_per_user,
            per_address=self.settings.login_failures_per_address,
            window_seconds=self.settings.login_failure_window_seconds,
        )
        return LoginThrottle(policy, self.redis)

    @cached_property
    def jobs(self) -> JobQueue:
        """The job queue: RQ on Redis when configured, else an in-process pool."""
        from dispatch.infra.job_queue import InProcessJobQueue, RedisJobQueue

        if self.redis is not None:
            return RedisJobQueue(self.redis)
        return InProcessJobQueue(self)

    @cached_property
    def travel(self) -> TravelTimeProvider:
        """The travel-time provider the settings choose (road matrices cached in Redis)."""
        from dispatch.infra.travel_provider import travel_provider

        return travel_provider(self.settings, self.redis)

    def close(self) -> None:
        """Stop the in-process jobs and release connections."""
        if "jobs" in self.__dict__:
            self.jobs.close()
        self.database.dispose()
        if self.redis is not None:
            self.redis.close()
