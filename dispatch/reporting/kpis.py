"""What the business measures, computed from stored data for a period and a region.

The period is the half-open interval ``[start, end)``. A region includes the regions below
it (headquarters: everything). Definitions:

- **SLA compliance** per priority tier (P1..P4), for tickets reported in the period and not
  cancelled: a response counts when it happened (met if at or before ``response_due``) or
  when its due instant passed unmet before ``end`` (missed); still-running clocks are left
  out. The same for resolution.
- **Response time**: request (``reported_at``) -> response (``responded_at``), minutes, for
  tickets reported in the period; p50 and p90 by nearest rank (the smallest value with at
  least p % of the values at or below it). Also for emergencies (P1) alone.
- **First-time fix rate**: repair tickets resolved in the period by a visit (not remotely)
  that needed no follow-up visit and were never reopened / all such tickets.
- **Repeat failures**: repair tickets reported in the period whose asset had another repair
  ticket with a common fault code in the 30 days before / repair tickets reported.
- **CSAT**: surveys recorded in the period scoring 4 or 5 / all those surveys.
- **Complaint rate**: customers with a complaint ticket reported in the period / customers
  with any ticket reported in the period.
- **Utilisation**: (minutes on site between check-in and check-out + planned travel minutes
  of those visits) / shift minutes (breaks excluded) of the region's active engineers, for
  shifts starting and check-ins made in the period; travel minutes per job (check-in).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dispatch.errors import InvalidInput, NotFound
from dispatch.infra.day_clock import local_midnight
from dispatch.models import (
    Engineer,
    FollowUpVisit,
    Region,
    SiteVisit,
    Survey,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketStatus,
    Visit,
)
from dispatch.tickets.records import region_ids

REPEAT_WINDOW = dt.timedelta(days=30)
TIERS = ("P1", "P2", "P3", "P4")


@dataclass(frozen=True)
class Rate:
    """``numerator`` of ``denominator``; ``value`` is ``None`` when nothing was counted."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        """The share, 0..1."""
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class Compliance:
    """Response and resolution targets met, for one priority tier."""

    response: Rate
    resolution: Rate


@dataclass(frozen=True)
class Percentiles:
    """The median and 90th percentile of ``count`` durations, in minutes."""

    count: int
    p50_minutes: float | None
    p90_minutes: float | None


@dataclass(frozen=True)
class Utilisation:
    """Working time over shift time, and travel per job."""

    on_site_minutes: float
    travel_minutes: float
    shift_minutes: float
    jobs: int

    @property
    def value(self) -> float | None:
        """(on site + travel) / shift time."""
        if not self.shift_minutes:
            return None
        return (self.on_site_minutes + self.travel_minutes) / self.shift_minutes

    @property
    def travel_minutes_per_job(self) -> float | None:
        """Travel minutes per job done."""
        return self.travel_minutes / self.jobs if self.jobs else None


@dataclass(frozen=True)
class KpiReport:
    """The KPIs of one period and region (see the module docstring for definitions)."""

    start: dt.datetime
    end: dt.datetime
    region_code: str | None
    tickets: int
    sla_compliance: dict[str, Compliance]
    response_time: Percentiles
    emergency_response_time: Percentiles
    first_time_fix: Rate
    repeat_failures: Rate
    csat: Rate
    complaint_rate: Rate
    utilisation: Utilisation


def nearest_rank(values: Sequence[float], percent: float) -> float | None:
    """The ``percent`` percentile of ``values`` by nearest rank (``None`` when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def _percentiles(minutes: Sequence[float]) -> Percentiles:
    return Percentiles(len(minutes), nearest_rank(minutes, 50), nearest_rank(minutes, 90))


def _clock(stopped: dt.datetime | None, due: dt.datetime | None, end: dt.datetime) -> bool | None:
    """Met (True), missed (False) or still running (None)."""
    if due is None:
        return None
    if stopped is not None:
        return stopped <= due
    return False if due < end else None


def _compliance(tickets: Sequence[Ticket], end: dt.datetime) -> dict[str, Compliance]:
    counts: dict[str, list[int]] = {tier: [0, 0, 0, 0] for tier in TIERS}
    for ticket in tickets:
        tally = counts[TIERS[ticket.priority - 1]]
        held = ticket.status in (TicketStatus.ON_HOLD_CUSTOMER, TicketStatus.ON_HOLD_PARTS)
        response = _clock(ticket.responded_at, ticket.response_due, end)
        resolution = _clock(ticket.resolved_at, ticket.resolution_due, end)
        if response is not None and not (held and response is False):
            tally[0] += response
            tally[1] += 1
        if resolution is not None and not (held and resolution is False):
            tally[2] += resolution
            tally[3] += 1
    return {tier: Compliance(Rate(c[0], c[1]), Rate(c[2], c[3])) for tier, c in counts.items()}


def _first_time_fix(
    session: Session, regions: list[int], start: dt.datetime, end: dt.datetime
) -> Rate:
    fixed = list(
        session.scalars(
            select(Ticket.id).where(
                Ticket.kind == TicketKind.REPAIR.value,
                Ticket.region_id.in_(regions),
                Ticket.resolved_at >= start,
                Ticket.resolved_at < end,
            )
        )
    )
    if not fixed:
        return Rate(0, 0)
    events = session.execute(
        select(TicketEvent.ticket_id, TicketEvent.to_status).where(
            TicketEvent.ticket_id.in_(fixed),
            TicketEvent.to_status.in_(
                [TicketStatus.RESOLVED_REMOTELY.value, TicketStatus.REOPENED.value]
            ),
        )
    ).all()
    remote = {t for t, status in events if status == TicketStatus.RESOLVED_REMOTELY.value}
    reopened = {t for t, status in events if status == TicketStatus.REOPENED.value}
    followed_up = set(
        session.scalars(select(FollowUpVisit.ticket_id).where(FollowUpVisit.ticket_id.in_(fixed)))
    )
    by_visit = [t for t in fixed if t not in remote]
    first_time = [t for t in by_visit if t not in reopened and t not in followed_up]
    return Rate(len(first_time), len(by_visit))


def _repeat_failures(session: Session, faults: Sequence[Ticket], start: dt.datetime) -> Rate:
    assets = {t.asset_id for t in faults if t.asset_id is not None}
    history: dict[int, list[Ticket]] = defaultdict(list)
    if assets:
        for ticket in session.scalars(
            select(Ticket).where(
                Ticket.kind == TicketKind.REPAIR.value,
                Ticket.asset_id.in_(assets),
                Ticket.reported_at >= start - REPEAT_WINDOW,
            )
        ):
            history[ticket.asset_id].append(ticket)  # type: ignore[index]
    repeats = 0
    for fault in faults:
        codes = set(fault.fault_codes)
        if fault.asset_id is None or not codes:
            continue
        if any(
            earlier.id != fault.id
            and fault.reported_at - REPEAT_WINDOW <= earlier.reported_at < fault.reported_at
            and codes & set(earlier.fault_codes)
            for earlier in history[fault.asset_id]
        ):
            repeats += 1
    return Rate(repeats, len(faults))


def _csat(session: Session, regions: list[int], start: dt.datetime, end: dt.datetime) -> Rate:
    scores = list(
        session.scalars(
            select(Survey.score)
            .join(Ticket, Survey.ticket_id == Ticket.id)
            .where(
                Ticket.region_id.in_(regions),
                Survey.recorded_at >= start,
                Survey.recorded_at < end,
            )
        )
    )
    return Rate(sum(1 for s in scores if s >= 4), len(scores))


def _utilisation(
    session: Session, regions: list[int], start: dt.datetime, end: dt.datetime
) -> Utilisation:
    engineers = list(
        session.scalars(
            select(Engineer)
            .options(selectinload(Engineer.shifts), selectinload(Engineer.region))
            .where(Engineer.region_id.in_(regions), Engineer.active.is_(True))
        )
    )
    shift_minutes = 0.0
    for engineer in engineers:
        zone = ZoneInfo(engineer.region.timezone)
        day = start.astimezone(zone).date()
        while day <= end.astimezone(zone).date():
            shift = engineer.shift_on(day)
            if shift is not None:
                begins = dt.datetime.combine(day, dt.time(0), tzinfo=zone) + dt.timedelta(
                    minutes=shift.start_minute
                )
                if start <= begins < end:
                    shift_minutes += shift.end_minute - shift.start_minute - shift.break_minutes
            day += dt.timedelta(days=1)
    rows = session.execute(
        select(SiteVisit.checked_in_at, SiteVisit.checked_out_at, Visit.travel_seconds)
        .outerjoin(Visit, SiteVisit.visit_id == Visit.id)
        .where(
            SiteVisit.engineer_id.in_([e.id for e in engineers]),
            SiteVisit.checked_in_at >= start,
            SiteVisit.checked_in_at < end,
        )
    ).all()
    on_site = sum(
        (checked_out - checked_in).total_seconds() / 60
        for checked_in, checked_out, _travel in rows
        if checked_out is not None
    )
    travel = sum((travel_seconds or 0) / 60 for _in, _out, travel_seconds in rows)
    return Utilisation(on_site, travel, shift_minutes, len(rows))


def period_zone(*, session: Session, region_code: str | None) -> ZoneInfo:
    """The time zone whose days a KPI period counts: the region's, else headquarters'.

    Without a region the KPIs cover every region, and their days are headquarters' days
    (the root region's zone; UTC only when there is no headquarters).

    Raises
    ------
    NotFound
        Unknown region (``field="region"``).
    """
    if region_code is not None:
        region = session.scalar(select(Region).where(Region.code == region_code))
        if region is None:
            raise NotFound(f"no region {region_code!r}", field="region")
        return ZoneInfo(region.timezone)
    hq = session.scalar(select(Region.timezone).where(Region.parent_id.is_(None)).limit(1))
    return ZoneInfo(hq or "UTC")


def local_period(
    *, session: Session, first_day: dt.date, last_day: dt.date, region_code: str | None
) -> tuple[dt.datetime, dt.datetime]:
    """The instants of whole local days ``first_day .. last_day`` (inclusive).

    Days are read in :func:`period_zone` (the region's, else headquarters' time zone):
    from midnight of ``first_day`` to midnight after ``last_day``.

    Raises
    ------
    InvalidInput
        ``last_day`` before ``first_day`` (``field="to"``).
    NotFound
        Unknown region (``field="region"``).
    """
    if last_day < first_day:
        raise InvalidInput("the period must not end before it starts", field="to")
    zone = period_zone(session=session, region_code=region_code)
    return local_midnight(first_day, zone), local_midnight(last_day + dt.timedelta(days=1), zone)


def compute_kpis(
    *,
    session: Session,
    start: dt.datetime,
    end: dt.datetime,
    region_code: str | None = None,
) -> KpiReport:
    """The KPIs for ``[start, end)`` in ``region_code`` (and below; ``None``: everywhere).

    Raises
    ------
    InvalidInput
        Naive instants, or ``end`` not after ``start`` (``field="to"``).
    NotFound
        Unknown region.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidInput("the period needs time-zone aware instants", field="from")
    if end <= start:
        raise InvalidInput("the period must end after it starts", field="to")
    if region_code is None:
        regions = list(session.scalars(select(Region.id)))
    else:
        regions = region_ids(session=session, code=region_code)
    reported = list(
        session.scalars(
            select(Ticket).where(
                Ticket.region_id.in_(regions),
                Ticket.reported_at >= start,
                Ticket.reported_at < end,
            )
        )
    )
    live = [t for t in reported if t.status != TicketStatus.CANCELLED.value]
    responses = [
        (t.priority, (t.responded_at - t.reported_at).total_seconds() / 60)
        for t in live
        if t.responded_at is not None
    ]
    faults = [t for t in live if t.kind == TicketKind.REPAIR.value]
    complaining = {t.customer_id for t in reported if t.kind == TicketKind.COMPLAINT.value}
    return KpiReport(
        start=start,
        end=end,
        region_code=region_code,
        tickets=len(reported),
        sla_compliance=_compliance(live, end),
        response_time=_percentiles([m for _p, m in responses]),
        emergency_response_time=_percentiles([m for p, m in responses if p == 1]),
        first_time_fix=_first_time_fix(session, regions, start, end),
        repeat_failures=_repeat_failures(session, faults, start),
        csat=_csat(session, regions, start, end),
        complaint_rate=Rate(len(complaining), len({t.customer_id for t in reported})),
        utilisation=_utilisation(session, regions, start, end),
    )
