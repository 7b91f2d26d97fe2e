"""The simulated world: the rows a scenario seeds, and the demand and mishaps it draws.

Everything random is drawn from seeded generators that do not depend on the dispatch
policy: the same scenario and seed give every policy the same requests, the same
durations, the same no-access visits and parts shortages (common random numbers, so
policies are compared on equal terms). The customers, sites and engineers' homes come
from the scenario's own seed and stay the same across the seeds of a comparison.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from dispatch.demo.seeding import (
    CustomerSpec,
    EngineerSpec,
    ShiftSpec,
    add_customer,
    add_engineer,
    add_engineer_users,
    add_region,
    add_site,
)
from dispatch.models import Engineer, User
from dispatch.org.users import create_user
from scenarios.model import WEEKDAYS, Duration, EngineerGroup, Point, Scenario

KM_PER_DEGREE = 111.32
DISPATCHER = "sim-dispatcher"


def rng_for(*parts: object) -> random.Random:
    """A generator seeded by ``parts`` (stable across processes and runs)."""
    return random.Random(":".join(str(p) for p in parts))


def lognormal(rng: random.Random, duration: Duration) -> float:
    """A log-normal draw with the mean and standard deviation of ``duration``."""
    m, s = duration.mean_minutes, duration.sd_minutes
    if s <= 0:
        return m
    sigma2 = math.log(1 + (s / m) ** 2)
    return rng.lognormvariate(math.log(m) - sigma2 / 2, math.sqrt(sigma2))


def point_near(rng: random.Random, centre: Point, radius_km: float) -> tuple[float, float]:
    """A uniform random point within ``radius_km`` of ``centre``."""
    r = radius_km * math.sqrt(rng.random())
    bearing = rng.random() * 2 * math.pi
    lat = centre.lat + r * math.cos(bearing) / KM_PER_DEGREE
    lon = centre.lon + r * math.sin(bearing) / (KM_PER_DEGREE * math.cos(math.radians(lat)))
    return max(-90.0, min(90.0, lat)), max(-180.0, min(180.0, lon))


@dataclass(frozen=True)
class SiteRef:
    """A seeded site: its database id, customer, VIP flag and position."""

    site_id: int
    customer_id: int
    vip: bool
    lat: float
    lon: float


@dataclass(frozen=True)
class World:
    """The database ids of what :func:`seed_world` created."""

    region_id: int
    engineer_ids: tuple[int, ...]
    engineer_codes: tuple[str, ...]
    sites: tuple[SiteRef, ...]
    dispatcher_id: int


def _site_point(rng: random.Random, scenario: Scenario) -> tuple[float, float]:
    geo = scenario.geography
    if not geo.clusters:
        return point_near(rng, geo.centre, geo.radius_km)
    cluster = rng.choices(geo.clusters, weights=[c.weight for c in geo.clusters])[0]
    return point_near(rng, cluster, cluster.radius_km)


def seed_world(*, session: Session, scenario: Scenario) -> World:
    """Create the region, engineers, customers, sites and users of a scenario.

    The rows are written by the shared seeder (:mod:`dispatch.demo.seeding`); each
    engineer gets an account for the phone app (its check-ins), after the dispatcher's.

    Parameters
    ----------
    session
        Open session on an empty database; the caller commits.
    scenario
        The scenario; its ``seed`` places homes and sites.
    """
    rng = rng_for(scenario.seed, "world")
    hq = add_region(session=session, code="SIM-HQ", name="Headquarters", timezone=scenario.timezone)
    region = add_region(
        session=session, code="SIM", name=scenario.name, timezone=scenario.timezone, parent=hq
    )
    engineers = _engineers(session, rng, scenario, region.id)
    sites = _sites(session, rng, scenario, region.id, engineers)
    dispatcher: User = create_user(
        session=session,
        username=DISPATCHER,
        password=_password(scenario),
        role="dispatcher",
        full_name="Simulated dispatcher",
        region_id=region.id,
    )
    add_engineer_users(
        session=session, engineers=engineers, prefix="sim-", password=_password(scenario)
    )
    session.flush()
    return World(
        region_id=region.id,
        engineer_ids=tuple(e.id for e in engineers),
        engineer_codes=tuple(e.code for e in engineers),
        sites=tuple(sites),
        dispatcher_id=dispatcher.id,
    )


def _password(scenario: Scenario) -> str:
    return f"sim-{scenario.seed}-not-for-log-in"


def _home(rng: random.Random, scenario: Scenario, group: EngineerGroup) -> tuple[float, float]:
    if group.home == "centre":
        return scenario.geography.centre.lat, scenario.geography.centre.lon
    if group.home == "spread":
        return point_near(rng, scenario.geography.centre, scenario.geography.radius_km * 0.8)
    return group.home.lat, group.home.lon


def _shifts(group: EngineerGroup) -> list[ShiftSpec]:
    shift = group.shift
    window = shift.break_window if shift.break_minutes else None
    return [
        ShiftSpec(
            weekday=day.number,
            start_minute=shift.start_minute,
            end_minute=shift.end_minute,
            break_minutes=shift.break_minutes if shift.break_window is not None else 0,
            break_earliest_minute=window.start_minute if window else None,
            break_latest_minute=window.end_minute if window else None,
        )
        for day in sorted(set(shift.days), key=lambda d: d.number)
    ]


def _engineers(
    session: Session, rng: random.Random, scenario: Scenario, region_id: int
) -> list[Engineer]:
    valid_until = scenario.day(scenario.days) + dt.timedelta(days=365)
    engineers: list[Engineer] = []
    for group in scenario.engineers:
        for _ in range(group.count):
            code = f"E{len(engineers) + 1:03d}"
            spec = EngineerSpec(
                code=code,
                name=f"Engineer {code}",
                level=group.level.value,
                region_id=region_id,
                home=_home(rng, scenario, group),
                skills=sorted(group.skills.items()),
                shifts=_shifts(group),
                certification_valid_until=valid_until,
                max_jobs_per_day=group.max_jobs,
                max_work_minutes_per_day=group.max_work_minutes,
                contractor=group.contractor,
                cost_per_job=Decimal(str(group.cost_per_job)),
            )
            engineers.append(add_engineer(session=session, spec=spec))
    session.flush()
    return engineers


def _sites(
    session: Session,
    rng: random.Random,
    scenario: Scenario,
    region_id: int,
    engineers: list[Engineer],
) -> list[SiteRef]:
    spec = scenario.customers
    n_vip = round(spec.count * spec.vip_share)
    if n_vip == 0 and spec.vip_share > 0:
        n_vip = 1
    access = None
    if spec.access_hours is not None:
        access = {d: [spec.access_hours.start, spec.access_hours.end] for d in WEEKDAYS}
    sites: list[SiteRef] = []
    for i in range(spec.count):
        vip = i < n_vip
        customer = add_customer(
            session=session,
            spec=CustomerSpec(
                code=f"C{i + 1:04d}",
                name=f"Customer {i + 1}",
                region_id=region_id,
                vip=vip,
                dedicated_engineer_id=engineers[(i * 7) % len(engineers)].id if vip else None,
            ),
        )
        for s in range(1 + rng.randrange(spec.max_sites)):
            lat, lon = _site_point(rng, scenario)
            site = add_site(
                session=session,
                customer=customer,
                region_id=region_id,
                name=f"{customer.name} site {s + 1}",
                address=f"{lat:.5f}, {lon:.5f}",
                position=(lat, lon),
                access_hours=access,
            )
            sites.append(SiteRef(site.id, customer.id, vip, lat, lon))
    return sites
