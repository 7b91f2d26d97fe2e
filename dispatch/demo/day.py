"""One demo day of tickets, seen from an instant: which day to seed and what it holds.

The demo opens on a day a dispatcher can still plan, whatever the hour it is loaded at:
requests were reported over the hours before the instant the day is seen from, and every
appointment window lies in what is left of the working day. :func:`choose_day` picks the
day (today while at least :data:`LAST_CALL` of the shifts remain, else the next working day)
and :func:`add_tickets` creates its tickets.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.demo.base import DemoBase
from dispatch.models import (
    Asset,
    Channel,
    Customer,
    CustomerTier,
    EngineerRuleKind,
    Site,
    TicketKind,
)
from dispatch.sla.official import OfficialDay, country_for_zone, official_day
from dispatch.sla.policy import session_policy
from dispatch.tickets.lifecycle import transition
from dispatch.tickets.records import TicketDraft, create_ticket

OPEN = dt.time(8, 0)
"""Opening of the demo calendar's working hours (most shifts start then)."""
CLOSE = dt.time(17, 0)
"""End of the demo's shifts."""
MORNING = dt.time(7, 0)
"""A later (or past) day is seen from this local time: the requests known that morning."""
LAST_CALL = dt.timedelta(hours=1)
"""Today is seeded only while more than this of the shifts remain; later, the next working day."""
HOLIDAYS = ((1, 1), (5, 1), (10, 1))
"""Month and day of the demo calendar's holidays."""


@dataclass(frozen=True)
class DemoDay:
    """The day to seed and the instant its data are seen from."""

    day: dt.date
    as_of: dt.datetime
    """Every request was reported before this instant; windows lie after it."""
    note: str
    """Why this day, for the person who asked (empty when it is simply today)."""


def is_working_day(day: dt.date, zone: ZoneInfo | None = None) -> bool:
    """Monday to Friday, except the demo calendar's holidays and, in a mainland China
    ``zone``, the official public holidays (as for the demo regions' SLA clocks). Make-up
    weekend days are not demo days: most demo engineers have no shift on a weekend."""
    if day.weekday() >= 5 or (day.month, day.day) in HOLIDAYS:
        return False
    official = official_day(country_for_zone(zone.key), day) if zone is not None else None
    return official is not OfficialDay.HOLIDAY


def next_working_day(day: dt.date, zone: ZoneInfo | None = None) -> dt.date:
    """The first working day after ``day``."""
    day += dt.timedelta(days=1)
    while not is_working_day(day, zone):
        day += dt.timedelta(days=1)
    return day


def choose_day(now: dt.datetime, zone: ZoneInfo, day: dt.date | None = None) -> DemoDay:
    """The demo day for the instant ``now``.

    Parameters
    ----------
    now
        The current instant (aware), e.g. ``runtime.clock()``.
    zone
        The demo area's time zone.
    day
        A day asked for; ``None`` chooses today while more than :data:`LAST_CALL` of its
        shifts remain, else the next working day.

    Returns
    -------
    DemoDay
        Today is seen from ``now``; any other day from :data:`MORNING` of that day.
    """
    local = now.astimezone(zone)
    today = local.date()
    if day is None:
        closing = dt.datetime.combine(today, CLOSE, zone)
        working = is_working_day(today, zone)
        if working and local < closing - LAST_CALL:
            return DemoDay(today, now, "")
        day = next_working_day(today, zone)
        why = "has too little shift left" if working else "is not a working day"
        note = (
            f"today ({today}) {why}: seeded the next working day {day}, "
            f"as its requests stand at {MORNING:%H:%M} that morning"
        )
        return DemoDay(day, dt.datetime.combine(day, MORNING, zone), note)
    if day == today:
        late = local >= dt.datetime.combine(today, CLOSE, zone) - LAST_CALL
        note = f"the shifts of {day} are nearly over: most windows are already past" if late else ""
        return DemoDay(day, now, note)
    when = "past" if day < today else "later"
    note = f"{day} is a {when} day: seeded as its requests stand at {MORNING:%H:%M} that morning"
    return DemoDay(day, dt.datetime.combine(day, MORNING, zone), note)


def _ceil_quarter(instant: dt.datetime) -> dt.datetime:
    instant = instant.replace(second=0, microsecond=0)
    return instant + dt.timedelta(minutes=-instant.minute % 15)


def _reported(rng: random.Random, tier: int, as_of: dt.datetime) -> dt.datetime:
    """Urgent requests came in within their response target; planned work days ahead."""
    before = {
        1: dt.timedelta(minutes=5 + rng.uniform(0, 35)),
        2: dt.timedelta(minutes=5 + rng.uniform(0, 75)),
        3: dt.timedelta(minutes=5 + rng.uniform(0, 6 * 60)),
        4: dt.timedelta(hours=rng.uniform(1, 72)),
    }[tier]
    return (as_of - before).replace(microsecond=0)


def _window(
    rng: random.Random, tier: int, reported: dt.datetime, start: dt.datetime, end: dt.datetime
) -> tuple[dt.datetime, dt.datetime]:
    """An appointment window inside what is left of the day (``start`` .. ``end``)."""
    if tier <= 2:
        begin = max(reported, start)
        return begin, begin + dt.timedelta(hours=2 if tier == 1 else 4)
    if tier == 3:
        return start, end
    slots = max(1, int((end - start) / dt.timedelta(hours=2)))
    begin = start + dt.timedelta(hours=2) * rng.randrange(slots)
    return begin, max(min(begin + dt.timedelta(hours=2), end), begin + dt.timedelta(hours=1))


def _kind(rng: random.Random, tier: int) -> TicketKind:
    if tier <= 2:
        return TicketKind.REPAIR
    if tier == 3:
        kind = rng.choice(
            [TicketKind.REPAIR, TicketKind.INSPECTION, TicketKind.UPGRADE, TicketKind.INSTALLATION]
        )
        return TicketKind.COMPLAINT if rng.random() < 0.05 else kind
    return rng.choice([TicketKind.PREVENTIVE_MAINTENANCE, TicketKind.INSPECTION])


def add_tickets(
    *,
    session: Session,
    rng: random.Random,
    zone: ZoneInfo,
    demo_day: DemoDay,
    base: DemoBase,
    count: int,
) -> int:
    """Create ``count`` tickets of ``demo_day`` at ``base``'s sites; triaged ones by its
    dispatcher (first contact).

    Each is created through :func:`dispatch.tickets.records.create_ticket` (numbered, due
    instants from the SLA policy, its history begun); requests were reported before
    ``demo_day.as_of`` and their windows lie between it (or the opening) and the end of
    the shifts.

    Returns
    -------
    int
        The number of tickets created.
    """
    policy = session_policy(session)
    by_site: dict[int, list[Asset]] = {}
    for asset in base.assets:
        by_site.setdefault(asset.site_id, []).append(asset)
    customers = {c.id: c for c in session.scalars(select(Customer)).all()}
    close = dt.datetime.combine(demo_day.day, CLOSE, zone)
    start = _ceil_quarter(max(demo_day.as_of, dt.datetime.combine(demo_day.day, OPEN, zone)))
    start = min(start, close - LAST_CALL)
    for _ in range(count):
        site = rng.choice(base.sites)
        draft, reported = _draft(
            rng,
            site,
            rng.choice(by_site[site.id]),
            customers[site.customer_id],
            demo_day,
            (start, close),
        )
        triaged = rng.random() >= 0.1
        ticket = create_ticket(
            session=session, draft=draft, actor=None, at=reported, policy=policy, any_skill=True
        )
        if triaged:
            transition(
                session=session,
                ticket=ticket,
                action="triage",
                actor=base.dispatcher,
                at=min(reported + dt.timedelta(minutes=5), demo_day.as_of),
                reason="demo data",
                policy=policy,
            )
    return count


def _draft(
    rng: random.Random,
    site: Site,
    asset: Asset,
    customer: Customer,
    demo_day: DemoDay,
    hours: tuple[dt.datetime, dt.datetime],
) -> tuple[TicketDraft, dt.datetime]:
    """One request at ``asset``: what it asks for and when it was reported."""
    vip = customer.tier == CustomerTier.VIP.value
    roll = rng.random()
    tier = 1 if roll < 0.08 else 2 if roll < 0.25 else 3 if roll < 0.6 else 4
    if vip and tier > 1 and rng.random() < 0.4:
        tier -= 1
    kind = _kind(rng, tier)
    reported = _reported(rng, tier, demo_day.as_of)
    window = _window(rng, tier, reported, *hours)
    channel = rng.choice(list(Channel)).value
    fault_codes = [f"F{rng.randrange(100, 999)}"] if kind is TicketKind.REPAIR else []
    min_level = 1 if tier >= 4 else rng.choice([1, 1, 2, 2, 3]) if tier <= 2 else rng.choice([1, 2])
    minutes = rng.choice([30, 45, 60, 60, 90, 120])
    remote = kind is TicketKind.REPAIR and rng.random() < 0.15
    dedicated = customer.dedicated_engineer_id if vip else None
    draft = TicketDraft(
        customer_id=customer.id,
        site_id=site.id,
        asset_id=asset.id,
        kind=kind.value,
        channel=channel,
        symptoms=_symptom(asset.equipment_type, tier),
        fault_codes=fault_codes,
        priority=tier,
        required_skill=asset.equipment_type,
        min_level=min_level,
        estimated_minutes=minutes,
        remote_resolvable=remote,
        windows=(window,),
        engineer_rules=((dedicated, EngineerRuleKind.PREFERRED.value),) if dedicated else (),
    )
    return draft, reported


def _symptom(equipment: str, tier: int) -> str:
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
