"""The transactional outbox of live events (written with the change, relayed after commit)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dispatch.models.base import Base, utcnow

OUTBOX_ID = BigInteger().with_variant(Integer(), "sqlite")
"""64-bit ids (one row per event, location pings included); SQLite's rowid is 64-bit too."""


class OutboxEvent(Base):
    """A live event stored in the transaction that caused it, until it is on the bus.

    :func:`dispatch.infra.events.emit` adds one; the relay (:mod:`dispatch.infra.outbox`) publishes it
    after the commit, or later when the bus (Redis) was unavailable, and stamps
    ``relayed_at``. A rolled-back change leaves no row, so announces nothing.
    """

    __tablename__ = "event_outbox"

    id: Mapped[int] = mapped_column(OUTBOX_ID, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    relayed_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    """When the event went onto the bus (``None``: still to relay)."""
    event_id: Mapped[str | None] = mapped_column(String(40))
    """The bus's id of the event (a Redis Stream id), once relayed."""
