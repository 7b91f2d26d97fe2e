"""Organisation and customers: regions, customers, sites, assets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dispatch.models.base import PERSONAL_DATA, Base, utcnow
from dispatch.models.enums import CustomerTier, RegionKind, enum_check


class Region(Base):
    """HQ -> regional service centre; each with its own time zone and calendar."""

    __tablename__ = "regions"
    __table_args__ = (
        enum_check("kind", RegionKind),
        CheckConstraint("(kind = 'hq') = (parent_id IS NULL)", name="hq_is_root"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default=RegionKind.REGION.value)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="RESTRICT"))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    manager_name: Mapped[str | None] = mapped_column(String(200), info=PERSONAL_DATA)
    manager_email: Mapped[str | None] = mapped_column(String(320), info=PERSONAL_DATA)
    calendar: Mapped[dict[str, Any] | None] = mapped_column()
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    """Business calendar: ``{"hours": {"mon": ["08:00", "18:00"], ...}, "holidays": ["2026-12-25"]}``."""

    parent: Mapped[Region | None] = relationship(remote_side="Region.id")


class Customer(Base):
    """Owner of equipment; VIPs get a dedicated engineer and priority parts."""

    __tablename__ = "customers"
    __table_args__ = (
        enum_check("tier", CustomerTier),
        CheckConstraint("code = upper(code)", name="code_upper"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    """Short upper-case code used in work-order numbers."""
    name: Mapped[str] = mapped_column(String(200))
    tier: Mapped[str] = mapped_column(String(16), default=CustomerTier.STANDARD.value)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="RESTRICT"))
    contact_name: Mapped[str | None] = mapped_column(String(200), info=PERSONAL_DATA)
    contact_phone: Mapped[str | None] = mapped_column(String(64), info=PERSONAL_DATA)
    contact_email: Mapped[str | None] = mapped_column(String(320), info=PERSONAL_DATA)
    dedicated_engineer_id: Mapped[int | None] = mapped_column(
        ForeignKey("engineers.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    region: Mapped[Region] = relationship()
    sites: Mapped[list[Site]] = relationship(back_populates="customer")


class Site(Base):
    """A place where a customer's equipment stands."""

    __tablename__ = "sites"
    __table_args__ = (
        CheckConstraint("lat BETWEEN -90 AND 90", name="lat_range"),
        CheckConstraint("lon BETWEEN -180 AND 180", name="lon_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(32), unique=True)
    """The organisation's own code for the site (imports upsert sites by it)."""
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="RESTRICT"), index=True
    )
    region_id: Mapped[int] = mapped_column(
        ForeignKey("regions.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text)
    lat: Mapped[float] = mapped_column()
    lon: Mapped[float] = mapped_column()
    access_hours: Mapped[dict[str, Any] | None] = mapped_column()
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    """``{"mon": ["08:00", "18:00"], ...}``; missing day = closed; ``None`` = always open."""

    customer: Mapped[Customer] = relationship(back_populates="sites")
    region: Mapped[Region] = relationship()
    assets: Mapped[list[Asset]] = relationship(back_populates="site")


class Asset(Base):
    """A piece of equipment at a site."""

    __tablename__ = "assets"
    __table_args__ = (
        UniqueConstraint("model", "serial"),
        CheckConstraint(
            "warranty_end IS NULL OR install_date IS NULL OR warranty_end >= install_date",
            name="warranty_after_install",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    equipment_type: Mapped[str] = mapped_column(String(64))
    """The trade it needs, matching engineers' skill names (``elevator``, ``hvac``...)."""
    model: Mapped[str] = mapped_column(String(200))
    serial: Mapped[str] = mapped_column(String(200))
    install_date: Mapped[dt.date | None] = mapped_column(Date)
    warranty_end: Mapped[dt.date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    site: Mapped[Site] = relationship(back_populates="assets")
