"""Master-data records: engineers' absences and the audit trail of master-data changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dispatch.models.base import Base, utcnow
from dispatch.models.enums import AbsenceReason, enum_check
from dispatch.models.people import Engineer, User


class EngineerAbsence(Base):
    """A period an engineer cannot work (sick, leave, training), as instants in UTC.

    A cancelled absence keeps its row (``cancelled_at`` set) so the history stays readable.
    """

    __tablename__ = "engineer_absences"
    __table_args__ = (
        enum_check("reason", AbsenceReason),
        CheckConstraint("end_at > start_at", name="ends_after_start"),
        Index("ix_engineer_absences_engineer_period", "engineer_id", "start_at", "end_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    engineer_id: Mapped[int] = mapped_column(ForeignKey("engineers.id", ondelete="CASCADE"))
    start: Mapped[dt.datetime] = mapped_column("start_at")
    end: Mapped[dt.datetime] = mapped_column("end_at")
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cancelled_at: Mapped[dt.datetime | None] = mapped_column()

    engineer: Mapped[Engineer] = relationship()
    created_by: Mapped[User | None] = relationship()

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        """Whether this (uncancelled) absence intersects ``[start, end)``."""
        return self.cancelled_at is None and self.start < end and start < self.end


class AuditEntry(Base):
    """One recorded change of master data: who, when, which record, before and after.

    ``entity`` is the kind (``region``, ``customer``, ``site``, ``asset``, ``engineer``,
    ``absence``, ``user``); ``before``/``after`` hold the changed fields only (``None`` for a
    creation's before).
    """

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    """The user who made the change; ``None`` for the system (an import from the CLI)."""
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    """``created``, ``updated``, ``deactivated``, ``deleted``, ``cancelled``, ``imported``..."""
    before: Mapped[dict[str, Any] | None] = mapped_column()
    after: Mapped[dict[str, Any] | None] = mapped_column()

    actor: Mapped[User | None] = relationship()
