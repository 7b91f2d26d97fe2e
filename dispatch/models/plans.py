"""Plans (optimisation runs), their visits and unassigned tickets, and site check-ins."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dispatch.models.base import Base, JSONType, utcnow
from dispatch.models.enums import PlanStatus, VisitOutcome, enum_check
from dispatch.models.org import Region
from dispatch.models.people import Engineer, User
from dispatch.models.tickets import Ticket


class Plan(Base):
    """One optimisation run for a region and day, and the plan it produced."""

    __tablename__ = "plans"
    __table_args__ = (
        enum_check("status", PlanStatus),
        CheckConstraint("horizon_end > horizon_start", name="horizon_order"),
        CheckConstraint("time_budget_seconds > 0", name="budget_positive"),
        CheckConstraint("progress BETWEEN 0 AND 1", name="progress_range"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(
        ForeignKey("regions.id", ondelete="RESTRICT"), index=True
    )
    plan_date: Mapped[dt.date] = mapped_column(Date, index=True)
    horizon_start: Mapped[dt.datetime] = mapped_column()
    horizon_end: Mapped[dt.datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default=PlanStatus.QUEUED.value, index=True)
    options: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    time_budget_seconds: Mapped[float] = mapped_column(Float, default=10.0)
    inputs_hash: Mapped[str | None] = mapped_column(String(64))
    """Digest of what the solver saw (tickets, engineers, pins); publishing checks it."""
    inputs_snapshot: Mapped[dict[str, Any] | None] = mapped_column()
    objective: Mapped[int | None] = mapped_column(BigInteger)
    kpis: Mapped[dict[str, Any] | None] = mapped_column()
    solver_status: Mapped[str | None] = mapped_column(String(32))
    solver_seconds: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column()
    finished_at: Mapped[dt.datetime | None] = mapped_column()
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column()
    published_at: Mapped[dt.datetime | None] = mapped_column()
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    region: Mapped[Region] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    visits: Mapped[list[Visit]] = relationship(
        back_populates="plan",
        cascade="all, delete-orphan",
        order_by="(Visit.engineer_id, Visit.sequence)",
    )
    unassigned: Mapped[list[PlanUnassigned]] = relationship(
        back_populates="plan", cascade="all, delete-orphan"
    )


class Visit(Base):
    """A ticket planned for an engineer at a position in their route."""

    __tablename__ = "visits"
    __table_args__ = (
        UniqueConstraint("plan_id", "ticket_id"),
        UniqueConstraint("plan_id", "engineer_id", "sequence"),
        CheckConstraint("sequence >= 0", name="sequence_non_negative"),
        CheckConstraint("planned_start >= planned_arrival", name="start_after_arrival"),
        CheckConstraint("planned_end >= planned_start", name="end_after_start"),
        CheckConstraint("travel_seconds >= 0", name="travel_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="RESTRICT"), index=True
    )
    engineer_id: Mapped[int] = mapped_column(
        ForeignKey("engineers.id", ondelete="RESTRICT"), index=True
    )
    sequence: Mapped[int] = mapped_column(Integer)
    planned_arrival: Mapped[dt.datetime] = mapped_column()
    planned_start: Mapped[dt.datetime] = mapped_column()
    planned_end: Mapped[dt.datetime] = mapped_column()
    travel_seconds: Mapped[int] = mapped_column(Integer, default=0)
    travel_metres: Mapped[int] = mapped_column(Integer, default=0)
    lateness_seconds: Mapped[int] = mapped_column(Integer, default=0)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)

    plan: Mapped[Plan] = relationship(back_populates="visits")
    ticket: Mapped[Ticket] = relationship()
    engineer: Mapped[Engineer] = relationship()


class PlanUnassigned(Base):
    """A ticket a plan left out, with the solver's reasons and suggested fix."""

    __tablename__ = "plan_unassigned"

    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True
    )
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="RESTRICT"), primary_key=True
    )
    reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    suggestion: Mapped[dict[str, Any] | None] = mapped_column()

    plan: Mapped[Plan] = relationship(back_populates="unassigned")
    ticket: Mapped[Ticket] = relationship()


class SiteVisit(Base):
    """An engineer's check-in and check-out at a ticket's site."""

    __tablename__ = "site_visits"
    __table_args__ = (
        enum_check("outcome", VisitOutcome),
        CheckConstraint(
            "checked_out_at IS NULL OR checked_out_at >= checked_in_at", name="out_after_in"
        ),
        CheckConstraint("check_in_lat BETWEEN -90 AND 90", name="lat_range"),
        CheckConstraint("check_in_lon BETWEEN -180 AND 180", name="lon_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="RESTRICT"), index=True
    )
    engineer_id: Mapped[int] = mapped_column(
        ForeignKey("engineers.id", ondelete="RESTRICT"), index=True
    )
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id", ondelete="SET NULL"))
    visit_number: Mapped[int] = mapped_column(Integer, default=1)
    """1 for the first visit on the ticket, 2 for a follow-up, ..."""
    checked_in_at: Mapped[dt.datetime] = mapped_column()
    check_in_device_time: Mapped[dt.datetime | None] = mapped_column()
    check_in_lat: Mapped[float] = mapped_column()
    check_in_lon: Mapped[float] = mapped_column()
    check_in_distance_m: Mapped[float] = mapped_column(Float)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    """Checked in further from the site than the configured radius."""
    checked_out_at: Mapped[dt.datetime | None] = mapped_column()
    check_out_device_time: Mapped[dt.datetime | None] = mapped_column()
    check_out_lat: Mapped[float | None] = mapped_column()
    check_out_lon: Mapped[float | None] = mapped_column()
    outcome: Mapped[str | None] = mapped_column(String(32))
    notes: Mapped[str | None] = mapped_column(Text)
    customer_accepted: Mapped[bool | None] = mapped_column(Boolean)

    ticket: Mapped[Ticket] = relationship()
    engineer: Mapped[Engineer] = relationship()
