"""The relay of the transactional outbox: stored events onto the bus, at least once.

:func:`dispatch.infra.events.emit` writes an :class:`~dispatch.models.OutboxEvent` row in the
transaction of the change. After the commit the relay publishes the session's rows (and
any older ones still waiting) to the bus and stamps them ``relayed_at``; the housekeeping
relays whatever is left, e.g. everything written while Redis was down. A bus failure is
logged and leaves the rows waiting: it never turns a committed change into an error.

Rows are claimed with ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL (on SQLite the
relay takes the database's write lock first), so two relays never publish the same row; a
crash between the publish and the stamp publishes that row again (at-least-once).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from dispatch.models import OutboxEvent, utcnow

if TYPE_CHECKING:
    from dispatch.infra.bus import EventBus

logger = logging.getLogger(__name__)

RELAY_BATCH = 500
"""Rows published per transaction."""
PAUSE_AFTER_FAILURE = 1.0
"""Seconds the after-commit path leaves relaying to the housekeeping after the bus failed
(so requests do not each wait on a dead Redis)."""
KEEP_RELAYED = dt.timedelta(hours=1)
"""Relayed rows are deleted after this long (the bus keeps the events themselves)."""


class OutboxRelay:
    """Publishes outbox rows of one database to one bus.

    Parameters
    ----------
    sessions
        The session factory of the database holding the outbox.
    bus
        Where the events go.
    clock
        The instant stamped on relayed rows.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        bus: EventBus,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._bus = bus
        self._clock = clock
        self._lock = threading.RLock()
        self._paused_until = 0.0
        self._wanted = 0  # the highest id a commit asked to relay
        self._reached = 0  # the highest id a finished relay was asked to reach
        self._marks = threading.Lock()

    def after_commit(self, up_to: int) -> None:
        """Relay the rows a transaction just committed (and older waiting ones); never raises.

        Requests do not queue behind each other's relays: while a relay runs in this process,
        a commit only raises the id to reach and returns; whoever holds the relay checks that
        id after letting go, and relays again up to it (the events stay in id order)."""
        if time.monotonic() < self._paused_until:
            return  # the bus failed a moment ago: the housekeeping retries
        with self._marks:
            self._wanted = max(self._wanted, up_to)
        self._catch_up()

    def _catch_up(self) -> None:
        """Relay up to the highest id asked for, unless another thread holds the relay."""
        while time.monotonic() >= self._paused_until:
            with self._marks:
                target = self._wanted
                if target <= self._reached:
                    return
            if not self._lock.acquire(blocking=False):
                return  # the holder catches up after letting go
            try:
                self._relay_locked(up_to=target, limit=RELAY_BATCH)
                with self._marks:
                    self._reached = max(self._reached, target)
            finally:
                self._lock.release()

    def relay(self, *, up_to: int | None = None, limit: int = RELAY_BATCH) -> int:
        """Publish waiting rows in id order, oldest first; never raises.

        Parameters
        ----------
        up_to
            Only rows with an id up to this one (default: all).
        limit
            At most this many rows.

        Returns
        -------
        int
            How many rows were published; fewer than were waiting when the bus failed.
        """
        with self._lock:
            published = self._relay_locked(up_to=up_to, limit=limit)
        self._catch_up()
        return published

    def _relay_locked(self, *, up_to: int | None, limit: int) -> int:
        session = self._sessions()
        try:
            published = self._publish_batch(session, up_to, limit)
            session.commit()
            return published
        except Exception:
            session.rollback()
            logger.exception("relaying the event outbox failed")
            return 0
        finally:
            session.close()

    def _publish_batch(self, session: Session, up_to: int | None, limit: int) -> int:
        if session.get_bind().dialect.name == "sqlite":
            # SQLite has no row locks: take the database's write lock before reading, so
            # another process's relay reads only after this one committed its stamps.
            session.execute(text("UPDATE event_outbox SET id = id WHERE 0"))
        query = (
            select(OutboxEvent)
            .where(OutboxEvent.relayed_at.is_(None))
            .order_by(OutboxEvent.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        if up_to is not None:
            query = query.where(OutboxEvent.id <= up_to)
        published = 0
        for row in session.scalars(query).all():
            try:
                event_id = self._bus.publish(row.kind, row.data)
            except Exception as exc:
                self._paused_until = time.monotonic() + PAUSE_AFTER_FAILURE
                logger.warning(
                    "event bus unavailable (%s: %s); events wait in the outbox",
                    type(exc).__name__,
                    exc,
                )
                break
            row.relayed_at = self._clock()
            row.event_id = event_id
            published += 1
        return published

    def relay_all(self, *, max_batches: int = 100) -> int:
        """Relay every waiting row, batch after batch, until none waits or the bus fails."""
        total = 0
        for _ in range(max_batches):
            published = self.relay()
            total += published
            if published < RELAY_BATCH:
                break
        return total

    def waiting(self) -> int:
        """How many rows wait to be relayed."""
        with self._sessions() as session:
            count = session.scalar(
                select(func.count())
                .select_from(OutboxEvent)
                .where(OutboxEvent.relayed_at.is_(None))
            )
        return int(count or 0)


def prune_relayed(*, session: Session, now: dt.datetime, keep: dt.timedelta = KEEP_RELAYED) -> int:
    """Delete rows relayed more than ``keep`` before ``now``; returns how many.

    Parameters
    ----------
    session
        Open session; the caller commits.
    now
        The current instant.
    keep
        How long relayed rows are kept.
    """
    result = session.execute(
        delete(OutboxEvent)
        .where(OutboxEvent.relayed_at.is_not(None), OutboxEvent.relayed_at < now - keep)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
