"""The demo data set: one metro area with engineers, customers, sites, assets and a day of tickets.

Seeded, so the same seed and day give the same data. Only this module creates the demo
users (``admin``, ``dispatcher``, ``engineer`` with password ``demo``).
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

from dispatch.lifecycle import transition
from dispatch.models import (
    Asset,
    Channel,
    Customer,
    CustomerTier,
    Employment,
    Engineer,
    EngineerLevel,
    EngineerRuleKind,
    EngineerShift,
    EngineerSkill,
    Region,
    RegionKind,
    Site,
    Ticket,
    TicketEngineerRule,
    TicketEvent,
    TicketKind,
    TicketStatus,
    TicketWindow,
    User,
)
from dispatch.numbering import next_ticket_number
from dispatch.sla.clocks import recompute_due
from dispatch.sla.policy import session_policy
from dispatch.users import create_user

DEMO_PASSWORD = "demo"
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


def load_demo(
    *,
    session: Session,
    seed: int = 7,
    day: dt.date | None = None,
    engineers: int = 25,
    tickets: int = 150,
    area: MetroArea | None = None,
) -> DemoSummary:
    """Load the demo data set into an empty database.

    Parameters
    ----------
    session
        Open session; the caller commits.
    seed
        Random seed; the same seed and ``day`` give the same data.
    day
        The service day the tickets are for (default: today in the metro's time zone).
    """
    area = area or MetroArea()
    zone = ZoneInfo(area.timezone)
    day = day or dt.datetime.now(zone).date()
    rng = random.Random(seed)

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
    created = _tickets(
        session, rng, zone, day, sites, assets, engineer_rows, dispatcher, count=tickets
    )
    session.flush()
    return DemoSummary(
        regions=1 + len(regions),
        engineers=len(engineer_rows),
        customers=len(customers),
        sites=len(sites),
        assets=len(assets),
        tickets=created,
        day=day,
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


def _tickets(
    session: Session,
    rng: random.Random,
    zone: ZoneInfo,
    day: dt.date,
    sites: list[Site],
    assets: list[Asset],
    engineers: list[Engineer],
    dispatcher: User,
    *,
    count: int,
) -> int:
    """Tickets with due instants from the SLA policy; triaged ones by ``dispatcher``,
    who owns them (first contact)."""
    policy = session_policy(session)
    by_site: dict[int, list[Asset]] = {}
    for asset in assets:
        by_site.setdefault(asset.site_id, []).append(asset)
    customers = {c.id: c for c in session.scalars(select(Customer)).all()}
    day_start = dt.datetime.combine(day, dt.time(8, 0), zone)
    day_end = dt.datetime.combine(day, dt.time(17, 0), zone)
    for _ in range(count):
        site = rng.choice(sites)
        asset = rng.choice(by_site[site.id])
        customer = customers[site.customer_id]
        vip = customer.tier == CustomerTier.VIP.value
        roll = rng.random()
        tier = 1 if roll < 0.08 else 2 if roll < 0.25 else 3 if roll < 0.6 else 4
        if vip and tier > 1 and rng.random() < 0.4:
            tier -= 1
        kind = (
            TicketKind.REPAIR
            if tier <= 2
            else rng.choice(
                [
                    TicketKind.REPAIR,
                    TicketKind.INSPECTION,
                    TicketKind.UPGRADE,
                    TicketKind.INSTALLATION,
                ]
            )
            if tier == 3
            else rng.choice([TicketKind.PREVENTIVE_MAINTENANCE, TicketKind.INSPECTION])
        )
        if tier == 3 and rng.random() < 0.05:
            kind = TicketKind.COMPLAINT
        reported = (
            day_start - dt.timedelta(hours=2) + dt.timedelta(minutes=rng.randrange(0, 6 * 60))
        )
        if tier == 1:
            window = (max(reported, day_start), max(reported, day_start) + dt.timedelta(hours=2))
        elif tier == 2:
            window = (max(reported, day_start), max(reported, day_start) + dt.timedelta(hours=4))
        elif tier == 3:
            window = (day_start, day_end)
        else:
            slot = dt.timedelta(hours=rng.choice([0, 2, 4, 6]))
            window = (day_start + slot, day_start + slot + dt.timedelta(hours=2))
        number = next_ticket_number(
            session=session,
            customer_code=customer.code,
            kind=kind,
            day=reported.astimezone(zone).date(),
        )
        ticket = Ticket(
            number=number,
            kind=kind.value,
            channel=rng.choice(list(Channel)).value,
            customer_id=customer.id,
            site_id=site.id,
            asset_id=asset.id,
            region_id=site.region_id,
            symptoms=_symptom(rng, asset.equipment_type, tier),
            fault_codes=[f"F{rng.randrange(100, 999)}"] if kind is TicketKind.REPAIR else [],
            priority=tier,
            required_skill=asset.equipment_type,
            min_level=1
            if tier >= 4
            else rng.choice([1, 1, 2, 2, 3])
            if tier <= 2
            else rng.choice([1, 2]),
            estimated_minutes=rng.choice([30, 45, 60, 60, 90, 120]),
            remote_resolvable=kind is TicketKind.REPAIR and rng.random() < 0.15,
            status=TicketStatus.NEW.value,
            reported_at=reported,
            created_at=reported,
            updated_at=reported,
        )
        ticket.windows = [TicketWindow(start=window[0], end=window[1])]
        if vip and customer.dedicated_engineer_id is not None:
            ticket.engineer_rules = [
                TicketEngineerRule(
                    engineer_id=customer.dedicated_engineer_id,
                    kind=EngineerRuleKind.PREFERRED.value,
                )
            ]
        ticket.events = [
            TicketEvent(
                seq=1,
                at=reported,
                kind="created",
                to_status=TicketStatus.NEW.value,
                reason="demo data",
            )
        ]
        triaged = rng.random() >= 0.1
        session.add(ticket)
        session.flush()
        recompute_due(session=session, ticket=ticket, at=reported, policy=policy, start=reported)
        if triaged:
            transition(
                session=session,
                ticket=ticket,
                action="triage",
                actor=dispatcher,
                at=reported + dt.timedelta(minutes=5),
                reason="demo data",
                policy=policy,
            )
    return count


def _symptom(rng: random.Random, equipment: str, tier: int) -> str:
    severe = {
        "elevator": "passenger trapped in car",
        "hvac": "chiller tripped, server room overheating",
        "electrical": "main breaker trips repeatedly",
        "ev_charger": "charger sparks on connect",
        "solar": "inverter offline, no yield",
        "medical": "MRI cooling alarm",
    }
    mild = {
        "elevator": "door closes slowly",
        "hvac": "noisy fan coil",
        "electrical": "flickering lights",
        "ev_charger": "slow charging",
        "solar": "yield 10% below forecast",
        "medical": "calibration due",
    }
    return severe[equipment] if tier <= 2 else mild[equipment] if tier == 3 else "scheduled service"
