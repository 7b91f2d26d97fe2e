"""Workflow records of a ticket: holds (paused clocks), follow-up visits and surveys."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dispatch.models.base import Base, JSONType, utcnow
from dispatch.models.enums import TicketStatus, enum_check
from dispatch.models.people import User
from dispatch.models.tickets import Ticket


class HoldKind(StrEnum):
    """What a ticket on hold is waiting for."""

    CUSTOMER = "customer"
    PARTS = "parts"


class TicketHold(Base):
    """A period a ticket waited on the customer or on parts; its SLA clocks pause meanwhile.

    ``resume_status`` is where the ticket goes back to when the hold ends; an open hold has
    no ``ended_at``.
    """

    __tablename__ = "ticket_holds"
    __table_args__ = (
        enum_check("kind", HoldKind),
        enum_check("resume_status", TicketStatus),
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    resume_status: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[dt.datetime] = mapped_column()
    ended_at: Mapped[dt.datetime | None] = mapped_column()
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    reason: Mapped[str | None] = mapped_column(Text)

    ticket: Mapped[Ticket] = relationship()
    started_by: Mapped[User | None] = relationship(foreign_keys=[started_by_id])


class FollowUpVisit(Base):
    """A further visit on the same ticket (parts ordered, second visit): 2, 3, ..."""

    __tablename__ = "follow_up_visits"
    __table_args__ = (
        UniqueConstraint("ticket_id", "visit_number"),
        CheckConstraint("visit_number >= 2", name="visit_number_follow_up"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    visit_number: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    parts: Mapped[list[str]] = mapped_column(JSONType, default=list)
    """Parts ordered for the visit."""
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    ticket: Mapped[Ticket] = relationship()


class Survey(Base):
    """The customer's satisfaction score (1-5) for a closed ticket; one per ticket."""

    __tablename__ = "surveys"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), unique=True
    )
    score: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    ticket: Mapped[Ticket] = relationship()
