"""The demo data set: one metro area with engineers, customers, sites, assets and a day of tickets.

Seeded, so the same seed, day and instant give the same data. The day is seen from the
current instant (:mod:`dispatch.demo.day`): at any hour it is still plannable. A later load
adds another day of tickets next to the first. Only this module creates the demo users
(``admin``, ``dispatcher``, ``engineer`` with password ``demo``).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch.demo.day import add_tickets, choose_day
from dispatch.errors import Conflict
from dispatch.models import (
    Asset,
    Customer,
    CustomerTier,
    Employment,
    Engineer,
    EngineerLevel,
    EngineerShift,
    EngineerSkill,
    Region,
    RegionKind,
    Site,
    TicketWindow,
    User,
    utcnow,
)
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
class DemoSummary:
    """What the demo loader created."""

    regions: int
    engineers: int
    customers: int
    sites: int
    assets: int
    tickets: int
    day: dt.date
    as_of: dt.datetime
    """The requests are those reported before this instant."""
    note: str = ""
    """Why this day was chosen, when it is not simply today."""


@dataclass(frozen=True)
class DemoBase:
    """What the tickets of a demo day are made from: the first load's rows."""

    engineers: int
    customers: int
    sites: list[Site]
    assets: list[Asset]
    dispatcher: User


@dataclass(frozen=True)
class MetroArea:
    """Where the demo city is."""

    name: str = "Shanghai"
    timezone: str = "Asia/Shanghai"
    lat: float = 31.2304
    lon: float = 121.4737
    radius_km: float = 22.0


def database_is_empty(*, session: Session) -> bool:
    """True when no region exists yet (nothing was ever loaded)."""
    return (session.scalar(select(func.count()).select_from(Region)) or 0) == 0


def _point(
    rng: random.Random, area: MetroArea, *, radius_km: float | None = None
) -> tuple[float, float]:
    r = (radius_km or area.radius_km) * math.sqrt(rng.random())
    theta = rng.uniform(0, 2 * math.pi)
    dlat = (r / 111.32) * math.cos(theta)
    dlon = (r / (111.32 * math.cos(math.radians(area.lat)))) * math.sin(theta)
    return round(area.lat + dlat, 6), round(area.lon + dlon, 6)


def demo_base(*, session: Session) -> DemoBase | None:
    """The demo's regions, engineers, sites and users when an earlier load left them, else None.

    Raises
    ------
    Conflict
        The database holds data that is not the demo's (the demo never mixes with it).
    """
    if database_is_empty(session=session):
        return None
    dispatcher = session.scalar(select(User).where(User.username == "dispatcher"))
    codes = set(session.scalars(select(Region.code)))
    if dispatcher is None or not {"HQ", *DEMO_REGIONS} <= codes:
        raise Conflict(
            "the database holds data that is not the demo's; load the demo into an empty one",
            field="scenario",
        )
    regions = session.scalars(select(Region.id).where(Region.code.in_(DEMO_REGIONS))).all()
    sites = list(session.scalars(select(Site).where(Site.region_id.in_(regions)).order_by(Site.id)))
    site_ids = [site.id for site in sites]
    assets = list(
        session.scalars(select(Asset).where(Asset.site_id.in_(site_ids)).order_by(Asset.id))
    )
    engineers = session.scalar(
        select(func.count()).select_from(Engineer).where(Engineer.region_id.in_(regions))
    )
    customers = session.scalar(
        select(func.count()).select_from(Customer).where(Customer.region_id.in_(regions))
    )
    return DemoBase(
        engineers=engineers or 0,
        customers=customers or 0,
        sites=sites,
        assets=assets,
        dispatcher=dispatcher,
    )


def has_tickets_on(*, session: Session, day: dt.date, zone: ZoneInfo) -> bool:
    """True when some ticket has an appointment window starting on the local ``day``."""
    start = dt.datetime.combine(day, dt.time(0), zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), zone)
    found = session.scalar(
        select(TicketWindow.id)
        .where(TicketWindow.start >= start, TicketWindow.start < end)
        .limit(1)
    )
    return found is not None


def load_demo(
    *,
    session: Session,
    seed: int = 7,
    day: dt.date | None = None,
    now: dt.datetime | None = None,
    engineers: int = 25,
    tickets: int = 150,
    area: MetroArea | None = None,
) -> DemoSummary:
    """Load the demo data set, or add a day of tickets to an earlier load of it.

    Parameters
    ----------
    session
        Open session; the caller commits.
    seed
        Random seed; the same seed, ``day`` and ``now`` give the same data.
    day
        The service day of the tickets; ``None`` chooses one that is still plannable at
        ``now`` (:func:`dispatch.demo.day.choose_day`: today, or the next working day after
        the shifts end).
    now
        The current instant (``runtime.clock()``); ``None`` reads the wall clock. Requests
        were reported over the hours before it; windows lie in the rest of the day.
    engineers, tickets
        Sizes of a first load (``engineers`` is ignored when the demo is already there).
    area
        Where the demo city is.

    Raises
    ------
    Conflict
        The database holds data that is not the demo's, or ``day`` already has tickets.
    """
    area = area or MetroArea()
    zone = ZoneInfo(area.timezone)
    demo_day = choose_day(now or utcnow(), zone, day)
    base = demo_base(session=session)
    if base is None:
        base = _load_base(session, random.Random(seed), area, demo_day.day, engineers)
    elif has_tickets_on(session=session, day=demo_day.day, zone=zone):
        raise Conflict(
            f"the demo already has tickets on {demo_day.day}; choose another day",
            field="day",
        )
    created = add_tickets(
        session=session,
        rng=random.Random(f"{seed}:{demo_day.day.isoformat()}"),
        zone=zone,
        demo_day=demo_day,
        sites=base.sites,
        assets=base.assets,
        dispatcher=base.dispatcher,
        count=tickets,
    )
    session.flush()
    return DemoSummary(
        regions=1 + len(DEMO_REGIONS),
        engineers=base.engineers,
        customers=base.customers,
        sites=len(base.sites),
        assets=len(base.assets),
        tickets=created,
        day=demo_day.day,
        as_of=demo_day.as_of,
        note=demo_day.note,
    )


def _load_base(
    session: Session, rng: random.Random, area: MetroArea, day: dt.date, engineers: int
) -> DemoBase:
    """Regions, engineers, customers, sites, assets and the demo users."""
    calendar = {
        "hours": {d: ["08:00", "18:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
        "holidays": [f"{day.year}-01-01", f"{day.year}-05-01", f"{day.year}-10-01"],
    }
    hq = Region(
        code="HQ",
        name="Headquarters",
        kind=RegionKind.HQ.value,
        timezone=area.timezone,
        manager_name="Service Director",
        manager_email="director@example.com",
        calendar=calendar,
    )
    session.add(hq)
    session.flush()
    regions = [
        Region(
            code="SH-E",
            name=f"{area.name} East",
            parent_id=hq.id,
            timezone=area.timezone,
            manager_name="East Manager",
            manager_email="east@example.com",
            calendar=calendar,
        ),
        Region(
            code="SH-W",
            name=f"{area.name} West",
            parent_id=hq.id,
            timezone=area.timezone,
            manager_name="West Manager",
            manager_email="west@example.com",
            calendar=calendar,
        ),
    ]
    session.add_all(regions)
    session.flush()

    def region_for(lon: float) -> Region:
        return regions[0] if lon >= area.lon else regions[1]

    engineer_rows = _engineers(session, rng, area, region_for, count=engineers, day=day)
    customers, sites, assets = _customers(session, rng, area, region_for, engineer_rows)

    dispatcher_region = regions[0].id
    create_user(
        session=session,
        username="admin",
        password=DEMO_PASSWORD,
        enforce_min_length=False,  # the documented demo log-ins
        role="admin",
        full_name="Demo Admin",
    )
    dispatcher = create_user(
        session=session,
        username="dispatcher",
        password=DEMO_PASSWORD,
        enforce_min_length=False,  # the documented demo log-ins
        role="dispatcher",
        full_name="Demo Dispatcher",
        region_id=dispatcher_region,
    )
    create_user(
        session=session,
        username="engineer",
        password=DEMO_PASSWORD,
        enforce_min_length=False,  # the documented demo log-ins
        role="engineer",
        engineer_code=engineer_rows[0].code,
        full_name=engineer_rows[0].name,
    )
    return DemoBase(
        engineers=len(engineer_rows),
        customers=len(customers),
        sites=sites,
        assets=assets,
        dispatcher=dispatcher,
    )


def _engineers(
    session: Session,
    rng: random.Random,
    area: MetroArea,
    region_for: Callable[[float], Region],
    *,
    count: int,
    day: dt.date,
) -> list[Engineer]:
    rows: list[Engineer] = []
    levels = [EngineerLevel.JUNIOR] * 8 + [EngineerLevel.MID] * 10 + [EngineerLevel.SENIOR] * 7
    for i in range(count):
        level = levels[i % len(levels)] if i else EngineerLevel.MID
        lat, lon = _point(rng, area, radius_km=area.radius_km * 0.8)
        contractor = i % 6 == 5
        top = {EngineerLevel.JUNIOR: 1, EngineerLevel.MID: 2, EngineerLevel.SENIOR: 3}[level]
        n_skills = 2 if level is EngineerLevel.JUNIOR else 3
        skills = rng.sample(SKILLS, n_skills)
        engineer = Engineer(
            code=f"E{i + 1:03d}",
            name=f"{rng.choice(_FIRST)} {rng.choice(_GIVEN)}",
            phone=f"+86 21 5555 {1000 + i:04d}",
            email=f"engineer{i + 1:03d}@example.com",
            level=level.value,
            region_id=region_for(lon).id,
            home_lat=lat,
            home_lon=lon,
            employment=(Employment.CONTRACTOR if contractor else Employment.EMPLOYEE).value,
            cost_per_job=Decimal("45.00") if contractor else Decimal("0"),
            certification_valid_until=day + dt.timedelta(days=365 if i != count - 1 else -10),
            max_jobs_per_day=8 if level is not EngineerLevel.JUNIOR else 6,
            max_work_minutes_per_day=480,
            parts_capacity=20,
            active=True,
        )
        engineer.skills = [
            EngineerSkill(skill=s, level=max(1, top - (k > 0 and rng.random() < 0.4)))
            for k, s in enumerate(skills)
        ]
        start = 8 * 60 if i % 4 else 7 * 60 + 30
        engineer.shifts = [
            EngineerShift(
                weekday=wd,
                start_minute=start,
                end_minute=start + 9 * 60,
                break_minutes=30,
                break_earliest_minute=11 * 60 + 30,
                break_latest_minute=13 * 60 + 30,
            )
            for wd in range(7)
            if wd < 5 or (wd == 5 and i % 3 == 0) or (wd == 6 and i % 5 == 0)
        ]
        session.add(engineer)
        rows.append(engineer)
    session.flush()
    return rows


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
        customer = Customer(
            code=code,
            name=company,
            tier=(CustomerTier.VIP if vip else CustomerTier.STANDARD).value,
            region_id=region_for(lon).id,
            contact_name=f"{rng.choice(_FIRST)} {rng.choice(_GIVEN)}",
            contact_phone=f"+86 21 6666 {2000 + i:04d}",
            contact_email=f"facilities@{code.lower()}.example.com",
            dedicated_engineer_id=engineers[(i * 7) % len(engineers)].id if vip else None,
        )
        session.add(customer)
        session.flush()
        customers.append(customer)
        for s in range(1 + (i % 3 == 0) + (i % 7 == 0)):
            slat, slon = (lat, lon) if s == 0 else _point(rng, area)
            site = Site(
                customer_id=customer.id,
                region_id=region_for(slon).id,
                name=f"{company} site {s + 1}",
                address=f"{100 + i * 3 + s} Demo Road, {area.name}",
                lat=slat,
                lon=slon,
                access_hours={
                    d: ["07:00", "20:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat")
                },
            )
            session.add(site)
            session.flush()
            sites.append(site)
            for a in range(1 + rng.randrange(3)):
                kind = rng.choice(SKILLS)
                installed = dt.date(
                    2019 + rng.randrange(6), 1 + rng.randrange(12), 1 + rng.randrange(28)
                )
                asset = Asset(
                    site_id=site.id,
                    equipment_type=kind,
                    model=f"{kind.upper()}-{100 + rng.randrange(900)}",
                    serial=f"SN{i:02d}{s}{a}{rng.randrange(10**6):06d}",
                    install_date=installed,
                    warranty_end=installed + dt.timedelta(days=365 * 3),
                )
                session.add(asset)
                assets.append(asset)
    session.flush()
    return customers, sites, assets
