"""Work orders (tickets), their appointment windows, engineer rules and event log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
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
from dispatch.models.enums import (
    Channel,
    EngineerRuleKind,
    SlaState,
    TicketKind,
    TicketStatus,
    enum_check,
)
from dispatch.models.org import Asset, Customer, Region, Site
from dispatch.models.people import User


class Ticket(Base):
    """A work order: ``{customer}-{kind}-{yyyymmdd}-{seq}``, unique."""

    __tablename__ = "tickets"
    __table_args__ = (
        enum_check("kind", TicketKind),
        enum_check("status", TicketStatus),
        enum_check("channel", Channel),
        enum_check("sla_state", SlaState),
        CheckConstraint("priority BETWEEN 1 AND 4", name="priority_range"),
        CheckConstraint("min_level BETWEEN 1 AND 3", name="min_level_range"),
        CheckConstraint(
            "estimated_minutes > 0 AND estimated_minutes <= 1440", name="duration_range"
        ),
        CheckConstraint("escalation_level >= 0", name="escalation_non_negative"),
        CheckConstraint("parts_demand >= 0", name="parts_demand_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    external_ref: Mapped[str | None] = mapped_column(String(100), unique=True)
    """The ticket's number in the customer's or caller's system (imports upsert by it)."""
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16), default=Channel.PHONE.value)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="RESTRICT"), index=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    asset_id: Mapped[int | None] = mapped_column(
        ForeignKey("assets.id", ondelete="RESTRICT"), index=True
    )
    region_id: Mapped[int] = mapped_column(
        ForeignKey("regions.id", ondelete="RESTRICT"), index=True
    )
    symptoms: Mapped[str] = mapped_column(Text, default="")
    fault_codes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    priority: Mapped[int] = mapped_column(SmallInteger)
    """Tier 1 (emergency) .. 4 (planned)."""
    required_skill: Mapped[str] = mapped_column(String(64))
    min_level: Mapped[int] = mapped_column(SmallInteger, default=1)
    estimated_minutes: Mapped[int] = mapped_column(Integer)
    parts_demand: Mapped[int] = mapped_column(Integer, default=0)
    remote_resolvable: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(32), default=TicketStatus.NEW.value, index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    pinned_engineer_id: Mapped[int | None] = mapped_column(
        ForeignKey("engineers.id", ondelete="SET NULL")
    )
    """Pinned by a dispatcher: only this engineer may serve it, and re-plans keep it there."""
    reported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    fault_started_at: Mapped[dt.datetime | None] = mapped_column()
    response_due: Mapped[dt.datetime | None] = mapped_column()
    resolution_due: Mapped[dt.datetime | None] = mapped_column()
    responded_at: Mapped[dt.datetime | None] = mapped_column()
    resolved_at: Mapped[dt.datetime | None] = mapped_column()
    sla_state: Mapped[str] = mapped_column(String(16), default=SlaState.OK.value)
    escalation_level: Mapped[int] = mapped_column(SmallInteger, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    customer: Mapped[Customer] = relationship()
    site: Mapped[Site] = relationship()
    asset: Mapped[Asset | None] = relationship()
    region: Mapped[Region] = relationship()
    owner: Mapped[User | None] = relationship()
    windows: Mapped[list[TicketWindow]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan", order_by="TicketWindow.start"
    )
    engineer_rules: Mapped[list[TicketEngineerRule]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan"
    )
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan", order_by="TicketEvent.id"
    )

    def engineers_by_rule(self, kind: EngineerRuleKind) -> list[int]:
        """Engineer ids named by this ticket with rule ``kind``."""
        return [r.engineer_id for r in self.engineer_rules if r.kind == kind.value]


class TicketWindow(Base):
    """An appointment slot: service must start within ``[start, end]``."""

    __tablename__ = "ticket_windows"
    __table_args__ = (CheckConstraint("end_at > start_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    start: Mapped[dt.datetime] = mapped_column("start_at")
    end: Mapped[dt.datetime] = mapped_column("end_at")

    ticket: Mapped[Ticket] = relationship(back_populates="windows")


class TicketEngineerRule(Base):
    """A preferred (soft), required or excluded (hard) engineer for a ticket."""

    __tablename__ = "ticket_engineer_rules"
    __table_args__ = (enum_check("kind", EngineerRuleKind),)

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    engineer_id: Mapped[int] = mapped_column(
        ForeignKey("engineers.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16))

    ticket: Mapped[Ticket] = relationship(back_populates="engineer_rules")


class TicketEvent(Base):
    """One recorded change of a ticket: who, when, what, before and after."""

    __tablename__ = "ticket_events"
    __table_args__ = (UniqueConstraint("ticket_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    """Position of the event in the ticket's history, from 1."""
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    """The user who made the change; ``None`` for the system (SLA sweep, optimiser)."""
    kind: Mapped[str] = mapped_column(String(32))
    """``created``, ``updated``, ``transition``, ``assigned``, ``escalated``, ``sla``..."""
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict[str, Any] | None] = mapped_column()
    after: Mapped[dict[str, Any] | None] = mapped_column()

    ticket: Mapped[Ticket] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
