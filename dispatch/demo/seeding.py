"""The one seeder of generated worlds: the demo's metro area and the simulation's scenarios.

Both draw their own figures (seeded generators, in their own order) and hand them here as
plain specs; the rows (regions, engineers with skills and shifts, customers, sites, the
users) are written by these functions only. Tickets are not seeded here: they are created
through :func:`dispatch.tickets.records.create_ticket`, like every ticket.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from dispatch.models import (
    Customer,
    CustomerTier,
    Employment,
    Engineer,
    EngineerShift,
    EngineerSkill,
    Region,
    RegionKind,
    Site,
    User,
)
from dispatch.org.users import create_user


def add_region(
    *,
    session: Session,
    code: str,
    name: str,
    timezone: str,
    parent: Region | None = None,
    **details: Any,
) -> Region:
    """Write a region (HQ when it has no ``parent``); ``details``: manager, calendar.

    Parameters
    ----------
    session
        Open session; the caller commits.
    code, name, timezone
        The region's code, name and IANA time zone.
    parent
        The parent region; ``None`` makes this the headquarters.
    **details
        Further columns (``manager_name``, ``manager_email``, ``calendar``).
    """
    kind = RegionKind.HQ if parent is None else RegionKind.REGION
    region = Region(
        code=code,
        name=name,
        kind=kind.value,
        parent_id=parent.id if parent is not None else None,
        timezone=timezone,
        **details,
    )
    session.add(region)
    session.flush()
    return region


def _columns(spec: Any, *, but: Collection[str] = ()) -> dict[str, Any]:
    """A spec's fields by name, but those in ``but``: the row's columns of the same name."""
    return {f.name: getattr(spec, f.name) for f in fields(spec) if f.name not in but}


@dataclass(frozen=True)
class ShiftSpec:
    """One weekday's shift (minutes of the day); a break only with ``break_minutes``."""

    weekday: int
    start_minute: int
    end_minute: int
    break_minutes: int = 0
    break_earliest_minute: int | None = None
    break_latest_minute: int | None = None


@dataclass(frozen=True)
class EngineerSpec:
    """An engineer to seed: who, where, what they can do and when they work."""

    code: str
    name: str
    level: str
    region_id: int
    home: tuple[float, float]
    skills: Sequence[tuple[str, int]]
    """``(skill, level)`` in the order to write them."""
    shifts: Sequence[ShiftSpec]
    certification_valid_until: dt.date
    max_jobs_per_day: int
    max_work_minutes_per_day: int
    contractor: bool = False
    cost_per_job: Decimal = Decimal("0")
    phone: str | None = None
    email: str | None = None
    parts_capacity: int | None = None


def add_engineer(*, session: Session, spec: EngineerSpec) -> Engineer:
    """Write an active engineer with skills and shifts (flushed with the caller's next flush)."""
    engineer = Engineer(
        **_columns(spec, but=("home", "skills", "shifts", "contractor")),
        home_lat=spec.home[0],
        home_lon=spec.home[1],
        employment=(Employment.CONTRACTOR if spec.contractor else Employment.EMPLOYEE).value,
        active=True,
    )
    engineer.skills = [EngineerSkill(skill=s, level=level) for s, level in spec.skills]
    engineer.shifts = [EngineerShift(**_columns(s)) for s in spec.shifts]
    session.add(engineer)
    return engineer


def add_engineers(*, session: Session, specs: Iterable[EngineerSpec]) -> list[Engineer]:
    """Write engineers (:func:`add_engineer`) one spec at a time, then flush: ids known."""
    engineers = [add_engineer(session=session, spec=spec) for spec in specs]
    session.flush()
    return engineers


@dataclass(frozen=True)
class CustomerSpec:
    """A customer to seed; a VIP may have a dedicated engineer."""

    code: str
    name: str
    region_id: int
    vip: bool = False
    dedicated_engineer_id: int | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None


def add_customer(*, session: Session, spec: CustomerSpec) -> Customer:
    """Write a customer (flushed: its id is known)."""
    customer = Customer(
        **_columns(spec, but=("vip",)),
        tier=(CustomerTier.VIP if spec.vip else CustomerTier.STANDARD).value,
    )
    session.add(customer)
    session.flush()
    return customer


def add_site(
    *,
    session: Session,
    customer: Customer,
    region_id: int,
    name: str,
    address: str,
    position: tuple[float, float],
    access_hours: dict[str, list[str]] | None,
) -> Site:
    """Write a site of ``customer`` (flushed: its id is known)."""
    site = Site(
        customer_id=customer.id,
        region_id=region_id,
        name=name,
        address=address,
        lat=position[0],
        lon=position[1],
        access_hours=access_hours,
    )
    session.add(site)
    session.flush()
    return site


def add_engineer_users(
    *, session: Session, engineers: Sequence[Engineer], prefix: str, password: str
) -> list[User]:
    """An engineer account for each of ``engineers`` (``{prefix}{code}``, lower case)."""
    return [
        create_user(
            session=session,
            username=f"{prefix}{engineer.code.lower()}",
            password=password,
            role="engineer",
            engineer_code=engineer.code,
            full_name=engineer.name,
        )
        for engineer in engineers
    ]
