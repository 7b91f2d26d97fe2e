"""The demo data set: one metro area with engineers, customers, sites, assets and a day of tickets.

Seeded, so the same seed, day and instant give the same data. The day is seen from the
current instant (:mod:`dispatch.demo.day`): at any hour it is still plannable. A later load
adds another day of tickets next to the first. The first load's rows (regions, engineers,
customers, sites, assets, the demo users) come from :mod:`dispatch.demo.base`.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch.demo.base import DEMO_PASSWORD, DEMO_REGIONS, DemoBase, MetroArea, load_base
from dispatch.demo.day import add_tickets, choose_day
from dispatch.errors import Conflict
from dispatch.models import Asset, Customer, Engineer, Region, Site, TicketWindow, User, utcnow

__all__ = ["DEMO_PASSWORD", "DEMO_REGIONS", "DemoBase", "DemoSummary", "MetroArea", "load_demo"]


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


def database_is_empty(*, session: Session) -> bool:
    """True when no region exists yet (nothing was ever loaded)."""
    return (session.scalar(select(func.count()).select_from(Region)) or 0) == 0


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
        The service day of the tickets; ``None``: today, or the next working day after the
        shifts end (:func:`dispatch.demo.day.choose_day`).
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
    base = _base(session, seed, area, demo_day.day, engineers)
    created = add_tickets(
        session=session,
        rng=random.Random(f"{seed}:{demo_day.day.isoformat()}"),
        zone=zone,
        demo_day=demo_day,
        base=base,
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


def _base(session: Session, seed: int, area: MetroArea, day: dt.date, engineers: int) -> DemoBase:
    """The first load's rows: loaded now, or left by an earlier load (``day`` still free)."""
    base = demo_base(session=session)
    if base is None:
        return load_base(session, random.Random(seed), area, day, engineers)
    if has_tickets_on(session=session, day=day, zone=ZoneInfo(area.timezone)):
        raise Conflict(f"the demo already has tickets on {day}; choose another day", field="day")
    return base
