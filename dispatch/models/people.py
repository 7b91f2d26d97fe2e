"""People: engineers with skills and shifts, and the users who log in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    SmallInteger,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dispatch.models.base import PERSONAL_DATA, Base, utcnow
from dispatch.models.enums import Employment, EngineerLevel, Role, enum_check
from dispatch.models.org import Region


class Engineer(Base):
    """A field engineer (employee or contractor)."""

    __tablename__ = "engineers"
    __table_args__ = (
        enum_check("level", EngineerLevel),
        enum_check("employment", Employment),
        CheckConstraint("home_lat BETWEEN -90 AND 90", name="home_lat_range"),
        CheckConstraint("home_lon BETWEEN -180 AND 180", name="home_lon_range"),
        CheckConstraint("max_jobs_per_day > 0", name="max_jobs_positive"),
        CheckConstraint(
            "max_work_minutes_per_day > 0 AND max_work_minutes_per_day <= 1440",
            name="max_work_minutes_range",
        ),
        CheckConstraint("cost_per_job >= 0", name="cost_non_negative"),
        CheckConstraint(
            "employment = 'contractor' OR cost_per_job = 0", name="only_contractors_cost"
        ),
        CheckConstraint(
            "parts_capacity IS NULL OR parts_capacity >= 0", name="parts_capacity_non_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(64), info=PERSONAL_DATA)
    email: Mapped[str | None] = mapped_column(String(320), info=PERSONAL_DATA)
    level: Mapped[str] = mapped_column(String(16))
    region_id: Mapped[int] = mapped_column(
        ForeignKey("regions.id", ondelete="RESTRICT"), index=True
    )
    home_lat: Mapped[float] = mapped_column()
    home_lon: Mapped[float] = mapped_column()
    employment: Mapped[str] = mapped_column(String(16), default=Employment.EMPLOYEE.value)
    cost_per_job: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0"))
    certification_valid_until: Mapped[dt.date | None] = mapped_column(Date)
    max_jobs_per_day: Mapped[int] = mapped_column(Integer, default=8)
    max_work_minutes_per_day: Mapped[int] = mapped_column(Integer, default=480)
    parts_capacity: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    region: Mapped[Region] = relationship()
    skills: Mapped[list[EngineerSkill]] = relationship(
        back_populates="engineer", cascade="all, delete-orphan", order_by="EngineerSkill.skill"
    )
    shifts: Mapped[list[EngineerShift]] = relationship(
        back_populates="engineer", cascade="all, delete-orphan", order_by="EngineerShift.weekday"
    )

    def certified_on(self, day: dt.date) -> bool:
        """Whether the engineer may receive dispatches on ``day`` (certification valid)."""
        return self.certification_valid_until is not None and self.certification_valid_until >= day

    def shift_on(self, day: dt.date) -> EngineerShift | None:
        """The weekly shift for ``day``'s weekday, if the engineer works that day."""
        for shift in self.shifts:
            if shift.weekday == day.weekday():
                return shift
        return None


class EngineerSkill(Base):
    """A trade the engineer masters, at a level 1 (basic) .. 3 (expert)."""

    __tablename__ = "engineer_skills"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 3", name="level_range"),)

    engineer_id: Mapped[int] = mapped_column(
        ForeignKey("engineers.id", ondelete="CASCADE"), primary_key=True
    )
    skill: Mapped[str] = mapped_column(String(64), primary_key=True)
    level: Mapped[int] = mapped_column(SmallInteger)

    engineer: Mapped[Engineer] = relationship(back_populates="skills")


class EngineerShift(Base):
    """The weekly shift pattern: one row per working weekday, times in the region's zone."""

    __tablename__ = "engineer_shifts"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("start_minute >= 0 AND end_minute <= 1440", name="within_day"),
        CheckConstraint("end_minute > start_minute", name="ends_after_start"),
        CheckConstraint("break_minutes >= 0", name="break_non_negative"),
        CheckConstraint(
            "break_minutes = 0 OR (break_earliest_minute IS NOT NULL AND "
            "break_latest_minute IS NOT NULL AND break_latest_minute >= break_earliest_minute)",
            name="break_window",
        ),
    )

    engineer_id: Mapped[int] = mapped_column(
        ForeignKey("engineers.id", ondelete="CASCADE"), primary_key=True
    )
    weekday: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    """0 = Monday .. 6 = Sunday."""
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)
    break_minutes: Mapped[int] = mapped_column(Integer, default=0)
    break_earliest_minute: Mapped[int | None] = mapped_column(Integer)
    break_latest_minute: Mapped[int | None] = mapped_column(Integer)

    engineer: Mapped[Engineer] = relationship(back_populates="shifts")


class User(Base):
    """Someone who logs in; an engineer user is bound to one engineer record."""

    __tablename__ = "users"
    __table_args__ = (
        enum_check("role", Role),
        CheckConstraint("(role = 'engineer') = (engineer_id IS NOT NULL)", name="engineer_binding"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(200), info=PERSONAL_DATA)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    engineer_id: Mapped[int | None] = mapped_column(
        ForeignKey("engineers.id", ondelete="RESTRICT"), unique=True
    )
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    engineer: Mapped[Engineer | None] = relationship()
