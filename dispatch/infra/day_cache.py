"""The engineers' days as the phones poll them, cached under a version the events bump.

``GET /me/jobs`` is the service's hottest call: every phone, every 30 s. Its answer is
cached per engineer and day, tagged with the engineer's *day version*. Every change to a
day emits an event (:func:`dispatch.infra.events.emit`: publish, dispatch-now, diversion,
check-in/out, life-cycle steps, absences...), and ``emit`` notes which days it touches
(:func:`note_change`): the engineers the event names (``engineer_id`` / ``engineer_ids``),
the engineers whose days hold the ticket it names (resolved before the commit, in the same
transaction), or everyone when it names neither. Only *after* the commit are those
versions bumped, so a reader that saw the old version can only have cached the old day
under the old version: a cached answer is used only while its version is current, and a
phone never gets a day older than the last commit that changed it.

The versions (the authority) live in Redis when configured, shared by every worker process
and job worker; without Redis, in this process (embedded mode: one process, jobs in-process;
``dispatch serve --workers N`` without Redis turns the cache off). Cached answers expire
after :data:`CACHE_SECONDS` in any case, which bounds what a change that emits nothing
(a rename of a customer, say) can leave behind.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from dispatch.infra import keys
from dispatch.models import TicketEvent, Visit

logger = logging.getLogger(__name__)

CACHE_SECONDS = 600
"""Longest life of a cached day (versions decide first; this bounds un-evented edits)."""

_CHANGED = "dispatch.day_changes"
_COMMITTED = "dispatch.day_changes_committed"
_CHUNK = 1000


@dataclass(frozen=True, slots=True)
class CachedDay:
    """One engineer's day as answered: its ETag and JSON body, and the version it is for."""

    version: str
    etag: str
    body: bytes


@dataclass(slots=True)
class DayChanges:
    """What a unit of work changed: engineers' days, tickets' owners' days, or every day."""

    engineers: set[int] = field(default_factory=set)
    tickets: set[int] = field(default_factory=set)
    everyone: bool = False


class DayStore(Protocol):
    """Where the versions and the cached days live."""

    def version(self, engineer_id: int) -> str:
        """The engineer's current day version."""
        ...

    def lookup(self, engineer_id: int, day: str) -> tuple[str, CachedDay | None]:
        """The current version and the cached day (``None``: none, or an older version's)."""
        ...

    def store(self, engineer_id: int, day: str, cached: CachedDay) -> None:
        """Keep ``cached`` (computed after reading ``cached.version``)."""
        ...

    def bump(self, engineer_ids: Iterable[int], *, everyone: bool) -> None:
        """New versions for these engineers' days (or everyone's)."""
        ...


def _ids(value: Any) -> set[int]:
    if isinstance(value, bool) or value is None:
        return set()
    if isinstance(value, int):
        return {value}
    if isinstance(value, list | tuple | set | frozenset):
        return {v for v in value if isinstance(v, int) and not isinstance(v, bool)}
    return set()


def note_change(session: Session, data: Mapping[str, Any]) -> None:
    """Note the days an event changes (called by :func:`dispatch.infra.events.emit`).

    Parameters
    ----------
    session
        The unit of work the event belongs to.
    data
        The event's facts: ``engineer_id``/``engineer_ids`` name engineers, ``ticket_id``
        a ticket (its owners' days change); an event naming neither changes every day.
    """
    changes: DayChanges = session.info.setdefault(_CHANGED, DayChanges())
    engineers = _ids(data.get("engineer_id")) | _ids(data.get("engineer_ids"))
    tickets = _ids(data.get("ticket_id"))
    changes.engineers |= engineers
    changes.tickets |= tickets
    if not engineers and not tickets:
        changes.everyone = True


def engineers_holding(*, session: Session, ticket_ids: set[int]) -> set[int]:
    """Engineers whose day may show one of these tickets: a visit of it in any plan, or an
    event that named them (a hand dispatch); a superset of the owners before and after."""
    found: set[int] = set()
    ordered = sorted(ticket_ids)
    for i in range(0, len(ordered), _CHUNK):
        chunk = ordered[i : i + _CHUNK]
        found.update(
            session.scalars(select(Visit.engineer_id).where(Visit.ticket_id.in_(chunk)).distinct())
        )
        named = TicketEvent.after["engineer_id"].as_integer()
        found.update(
            e
            for e in session.scalars(
                select(named).where(TicketEvent.ticket_id.in_(chunk), named.is_not(None)).distinct()
            )
            if e is not None
        )
    return found


def attach(sessions: sessionmaker[Session], days: DayStore) -> None:
    """Bump the versions of the days each committed unit of work on ``sessions`` changed."""
    from sqlalchemy import event

    @event.listens_for(sessions, "before_commit")
    def _resolve(session: Session) -> None:
        changes: DayChanges | None = session.info.get(_CHANGED)
        if changes is not None and changes.tickets and not changes.everyone:
            tickets, changes.tickets = changes.tickets, set()
            changes.engineers |= engineers_holding(session=session, ticket_ids=tickets)

    @event.listens_for(sessions, "after_commit")
    def _committed(session: Session) -> None:
        changes = session.info.pop(_CHANGED, None)
        if changes is not None:
            session.info[_COMMITTED] = changes

    @event.listens_for(sessions, "after_transaction_end")
    def _bump(session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is not None:
            return
        session.info.pop(_CHANGED, None)  # rolled back: nothing changed
        changes: DayChanges | None = session.info.pop(_COMMITTED, None)
        if changes is not None:
            days.bump(changes.engineers, everyone=changes.everyone)


class MemoryDayStore:
    """Versions and cached days in this process (embedded mode), the newest ``maxlen`` days."""

    def __init__(self, maxlen: int = 20_000) -> None:
        self._lock = threading.Lock()
        self._everyone = 0
        self._versions: dict[int, int] = {}
        self._days: OrderedDict[tuple[int, str], CachedDay] = OrderedDict()
        self._maxlen = maxlen

    def version(self, engineer_id: int) -> str:
        """The engineer's current day version."""
        with self._lock:
            return f"{self._everyone}.{self._versions.get(engineer_id, 0)}"

    def lookup(self, engineer_id: int, day: str) -> tuple[str, CachedDay | None]:
        """The current version and the cached day when it is for that version."""
        with self._lock:
            version = f"{self._everyone}.{self._versions.get(engineer_id, 0)}"
            cached = self._days.get((engineer_id, day))
        return version, cached if cached is not None and cached.version == version else None

    def store(self, engineer_id: int, day: str, cached: CachedDay) -> None:
        """Keep ``cached``; the oldest days go beyond ``maxlen``."""
        with self._lock:
            self._days[(engineer_id, day)] = cached
            self._days.move_to_end((engineer_id, day))
            while len(self._days) > self._maxlen:
                self._days.popitem(last=False)

    def bump(self, engineer_ids: Iterable[int], *, everyone: bool) -> None:
        """New versions for these engineers (or everyone)."""
        with self._lock:
            if everyone:
                self._everyone += 1
            for engineer_id in engineer_ids:
                self._versions[engineer_id] = self._versions.get(engineer_id, 0) + 1


class RedisDayStore:
    """Versions (counters that never expire) and cached days (expiring) in Redis.

    A Redis failure while reading or storing only costs the cache (the day is read from the
    database); a failure while bumping is logged, and the cached days expire within
    :data:`CACHE_SECONDS`.
    """

    def __init__(self, client: redis.Redis) -> None:
        self._client = client

    def version(self, engineer_id: int) -> str:
        """The engineer's current day version (``"?"`` while Redis is unavailable)."""
        try:
            everyone, own = self._client.mget(
                [keys.day_version_everyone(), keys.day_version(engineer_id)]
            )
        except redis.RedisError:
            return "?"
        return f"{_count(everyone)}.{_count(own)}"

    def lookup(self, engineer_id: int, day: str) -> tuple[str, CachedDay | None]:
        """The current version and the cached day, in one round trip."""
        try:
            everyone, own, raw = self._client.mget(
                [
                    keys.day_version_everyone(),
                    keys.day_version(engineer_id),
                    keys.engineer_day(engineer_id, day),
                ]
            )
        except redis.RedisError as exc:
            logger.warning("day cache unavailable: %s", type(exc).__name__)
            return "?", None
        version = f"{_count(everyone)}.{_count(own)}"
        if not raw:
            return version, None
        value = raw if isinstance(raw, bytes) else str(raw).encode()
        stored_version, etag, body = value.split(b"\n", 2)
        if stored_version.decode() != version:
            return version, None
        return version, CachedDay(version, etag.decode(), body)

    def store(self, engineer_id: int, day: str, cached: CachedDay) -> None:
        """Keep ``cached`` for :data:`CACHE_SECONDS` (skipped when the version was unknown)."""
        if cached.version == "?":
            return
        value = cached.version.encode() + b"\n" + cached.etag.encode() + b"\n" + cached.body
        try:
            self._client.set(keys.engineer_day(engineer_id, day), value, ex=CACHE_SECONDS)
        except redis.RedisError as exc:
            logger.warning("day not cached: %s", type(exc).__name__)

    def bump(self, engineer_ids: Iterable[int], *, everyone: bool) -> None:
        """New versions for these engineers (or everyone), in one round trip."""
        pipe = self._client.pipeline(transaction=False)
        if everyone:
            pipe.incr(keys.day_version_everyone())
        for engineer_id in sorted(set(engineer_ids)):
            pipe.incr(keys.day_version(engineer_id))
        try:
            pipe.execute()
        except redis.RedisError as exc:
            logger.warning("day versions not bumped (cached days expire): %s", exc)


def _count(raw: Any) -> int:
    return int(raw) if raw else 0
