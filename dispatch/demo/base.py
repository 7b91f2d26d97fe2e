"""The demo's first load: regions, engineers, customers, sites, assets and the demo users.

The figures are drawn from one seeded generator in a fixed order; the rows are written by
the shared seeder (:mod:`dispatch.demo.seeding`). Only this module creates the demo users
(``admin``, ``dispatcher``, ``engineer`` with password ``demo``).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from dispatch.demo.seeding import (
    CustomerSpec,
    EngineerSpec,
    ShiftSpec,
    add_customer,
    add_engineers,
    add_region,
    add_site,
)
from dispatch.models import Asset, Customer, Engineer, EngineerLevel, Region, Site, User
from dispatch.org.users import create_user

DEMO_PASSWORD = "demo"
DEMO_REGIONS = ("SH-E", "SH-W")
"""Codes of the demo's two service regions (under ``HQ``)."""
SKILLS = ("elevator", "hvac", "electrical", "ev_charger", "solar", "medical")
_FIRST = ("Li", "Wang", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun")
_GIVEN = ("Wei", "Fang", "Min", "Jing", "Lei", "Yan", "Jun", "Hui", "Tao", "Ling", "Bo", "Xin")
_COMPANIES = (
    "Acme Towers",
    "Bund Hotels",
    "City Hospital",
    "Delta Mall",
    "East Lake Offices",
    "Fortune Plaza",
    "Green Power",
    "Harbour Logistics",
    "Imperial Apartments",
    "Jade Clinic",
    "Kingdom Retail",
    "Lotus Data Centre",
    "Metro Transit",
    "New Century School",
    "Orient Pharma",
    "Pearl Residences",
    "Qiantan Labs",
    "River Bank",
    "Summit Gym",
    "Tianzi Studios",
    "Unity Charging",
    "Vista Solar Farm",
    "West Gate Mall",
    "Xin Motors",
    "Yuyuan Market",
    "Zenith Fitness",
    "Bright Dental",
    "Cloud Kitchen",
    "Dragon Parking",
    "Eastern Imaging",
)


@dataclass(frozen=True)
class MetroArea:
    """Where the demo city is."""

    name: str = "Shanghai"
    timezone: str = "Asia/Shanghai"
    lat: float = 31.2304
    lon: float = 121.4737
    radius_km: float = 22.0


@dataclass(frozen=True)
class DemoBase:
    """What the tickets of a demo day are made from: the first load's rows."""

    engineers: int
    customers: int
    sites: list[Site]
    assets: list[Asset]
    dispatcher: User


def _point(
    rng: random.Random, area: MetroArea, *, radius_km: float | None = None
) -> tuple[float, float]:
    r = (radius_km or area.radius_km) * math.sqrt(rng.random())
    theta = rng.uniform(0, 2 * math.pi)
    dlat = (r / 111.32) * math.cos(theta)
    dlon = (r / (111.32 * math.cos(math.radians(area.lat)))) * math.sin(theta)
    return round(area.lat + dlat, 6), round(area.lon + dlon, 6)


def load_base(
    session: Session, rng: random.Random, area: MetroArea, day: dt.date, engineers: int
) -> DemoBase:
    """Regions, engineers, customers, sites, assets and the demo users."""
    regions = _regions(session, area, day)

    def region_for(lon: float) -> Region:
        return regions[0] if lon >= area.lon else regions[1]

    engineer_rows = _engineers(session, rng, area, region_for, count=engineers, day=day)
    customers, sites, assets = _customers(session, rng, area, region_for, engineer_rows)
    dispatcher = _users(session, dispatcher_region=regions[0].id, engineer=engineer_rows[0])
    return DemoBase(
        engineers=len(engineer_rows),
        customers=len(customers),
        sites=sites,
        assets=assets,
        dispatcher=dispatcher,
    )


def _regions(session: Session, area: MetroArea, day: dt.date) -> list[Region]:
    """HQ and the two service regions (East, West), all on the demo calendar."""
    calendar = {
        "hours": {d: ["08:00", "18:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
        "holidays": [f"{day.year}-01-01", f"{day.year}-05-01", f"{day.year}-10-01"],
    }
    hq = add_region(
        session=session,
        code="HQ",
        name="Headquarters",
        timezone=area.timezone,
        manager_name="Service Director",
        manager_email="director@example.com",
        calendar=calendar,
    )
    return [
        add_region(
            session=session,
            code=code,
            name=f"{area.name} {side}",
            timezone=area.timezone,
            parent=hq,
            manager_name=f"{side} Manager",
            manager_email=f"{side.lower()}@example.com",
            calendar=calendar,
        )
        for code, side in zip(DEMO_REGIONS, ("East", "West"), strict=True)
    ]


def _users(session: Session, *, dispatcher_region: int, engineer: Engineer) -> User:
    """The documented demo log-ins, one per role (the username), in this order; returns
    the dispatcher."""
    details: dict[str, dict[str, Any]] = {
        "admin": {"full_name": "Demo Admin"},
        "dispatcher": {"full_name": "Demo Dispatcher", "region_id": dispatcher_region},
        "engineer": {"engineer_code": engineer.code, "full_name": engineer.name},
    }
    users = {
        role: create_user(
            session=session,
            username=role,
            password=DEMO_PASSWORD,
            enforce_min_length=False,  # the documented demo log-ins
            role=role,
            **facts,
        )
        for role, facts in details.items()
    }
    return users["dispatcher"]


_LEVELS = [EngineerLevel.JUNIOR] * 8 + [EngineerLevel.MID] * 10 + [EngineerLevel.SENIOR] * 7
_TOP = {EngineerLevel.JUNIOR: 1, EngineerLevel.MID: 2, EngineerLevel.SENIOR: 3}


def _engineer_spec(
    rng: random.Random,
    area: MetroArea,
    region_for: Callable[[float], Region],
    i: int,
    valid_until: dt.date,
) -> EngineerSpec:
    """Engineer number ``i`` (0-based); draws its home, skills, name and skill levels."""
    level = _LEVELS[i % len(_LEVELS)] if i else EngineerLevel.MID
    lat, lon = _point(rng, area, radius_km=area.radius_km * 0.8)
    contractor = i % 6 == 5
    n_skills = 2 if level is EngineerLevel.JUNIOR else 3
    skills = rng.sample(SKILLS, n_skills)
    name = f"{rng.choice(_FIRST)} {rng.choice(_GIVEN)}"
    levels = [max(1, _TOP[level] - (k > 0 and rng.random() < 0.4)) for k in range(len(skills))]
    start = 8 * 60 if i % 4 else 7 * 60 + 30
    return EngineerSpec(
        code=f"E{i + 1:03d}",
        name=name,
        phone=f"+86 21 5555 {1000 + i:04d}",
        email=f"engineer{i + 1:03d}@example.com",
        level=level.value,
        region_id=region_for(lon).id,
        home=(lat, lon),
        skills=list(zip(skills, levels, strict=True)),
        shifts=[
            ShiftSpec(wd, start, start + 9 * 60, 30, 11 * 60 + 30, 13 * 60 + 30)
            for wd in range(7)
            if wd < 5 or (wd == 5 and i % 3 == 0) or (wd == 6 and i % 5 == 0)
        ],
        certification_valid_until=valid_until,
        max_jobs_per_day=8 if level is not EngineerLevel.JUNIOR else 6,
        max_work_minutes_per_day=480,
        contractor=contractor,
        cost_per_job=Decimal("45.00") if contractor else Decimal("0"),
        parts_capacity=20,
    )


def _certified_until(day: dt.date, i: int, count: int) -> dt.date:
    """A year after ``day``; the last engineer's certification lapsed ten days before it."""
    return day + dt.timedelta(days=365 if i != count - 1 else -10)


def _engineers(
    session: Session,
    rng: random.Random,
    area: MetroArea,
    region_for: Callable[[float], Region],
    *,
    count: int,
    day: dt.date,
) -> list[Engineer]:
    specs = (
        _engineer_spec(rng, area, region_for, i, _certified_until(day, i, count))
        for i in range(count)
    )
    return add_engineers(session=session, specs=specs)


def _customers(
    session: Session,
    rng: random.Random,
    area: MetroArea,
    region_for: Callable[[float], Region],
    engineers: list[Engineer],
) -> tuple[list[Customer], list[Site], list[Asset]]:
    customers: list[Customer] = []
    sites: list[Site] = []
    assets: list[Asset] = []
    for i, company in enumerate(_COMPANIES):
        code = "".join(w[0] for w in company.split()).upper() + f"{i:02d}"
        lat, lon = _point(rng, area)
        vip = i % 5 == 0
        spec = CustomerSpec(
            code=code,
            name=company,
            vip=vip,
            region_id=region_for(lon).id,
            contact_name=f"{rng.choice(_FIRST)} {rng.choice(_GIVEN)}",
            contact_phone=f"+86 21 6666 {2000 + i:04d}",
            contact_email=f"facilities@{code.lower()}.example.com",
            dedicated_engineer_id=engineers[(i * 7) % len(engineers)].id if vip else None,
        )
        customer = add_customer(session=session, spec=spec)
        customers.append(customer)
        for s in range(1 + (i % 3 == 0) + (i % 7 == 0)):
            slat, slon = (lat, lon) if s == 0 else _point(rng, area)
            site = add_site(
                session=session,
                customer=customer,
                region_id=region_for(slon).id,
                name=f"{company} site {s + 1}",
                address=f"{100 + i * 3 + s} Demo Road, {area.name}",
                position=(slat, slon),
                access_hours={
                    d: ["07:00", "20:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat")
                },
            )
            sites.append(site)
            assets.extend(_assets(session, rng, site, serial=f"SN{i:02d}{s}"))
    session.flush()
    return customers, sites, assets


def _assets(session: Session, rng: random.Random, site: Site, *, serial: str) -> list[Asset]:
    """One to three assets at ``site`` (serials start with ``serial``)."""
    assets = []
    for a in range(1 + rng.randrange(3)):
        kind = rng.choice(SKILLS)
        installed = dt.date(2019 + rng.randrange(6), 1 + rng.randrange(12), 1 + rng.randrange(28))
        asset = Asset(
            site_id=site.id,
            equipment_type=kind,
            model=f"{kind.upper()}-{100 + rng.randrange(900)}",
            serial=f"{serial}{a}{rng.randrange(10**6):06d}",
            install_date=installed,
            warranty_end=installed + dt.timedelta(days=365 * 3),
        )
        session.add(asset)
        assets.append(asset)
    return assets
