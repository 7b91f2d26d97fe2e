"""KPIs on a hand-built week whose expected values are worked out by hand below."""

from __future__ import annotations

import datetime as dt

import pytest

from dispatch.errors import InvalidInput, NotFound
from dispatch.models import (
    Asset,
    Customer,
    EngineerShift,
    FollowUpVisit,
    Plan,
    Region,
    Site,
    SiteVisit,
    Survey,
    Ticket,
    TicketEvent,
    Visit,
)
from dispatch.reporting.kpis import compute_kpis, nearest_rank
from tests.dispatch.workflow_world import build_world

START = dt.datetime(2026, 11, 23, 0, 0, tzinfo=dt.UTC)  # Monday; London is on GMT (= UTC)
END = dt.datetime(2026, 11, 28, 0, 0, tzinfo=dt.UTC)  # Saturday 00:00, exclusive


def day(d: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, d, hour, minute, tzinfo=dt.UTC)


class Builder:
    def __init__(self, session, world):
        self.session, self.world, self.n = session, world, 0

    def ticket(
        self,
        *,
        priority,
        kind="repair",
        reported,
        customer=None,
        site=None,
        asset=None,
        codes=(),
        response_due=None,
        responded=None,
        resolution_due=None,
        resolved=None,
        status="closed",
        region=None,
    ):
        self.n += 1
        customer = customer or self.world.customer
        ticket = Ticket(
            number=f"T-{self.n:03d}",
            kind=kind,
            customer_id=customer.id,
            site_id=(site or self.world.site).id,
            asset_id=asset.id if asset else None,
            region_id=(region or self.world.region).id,
            fault_codes=list(codes),
            priority=priority,
            required_skill="hvac",
            estimated_minutes=60,
            status=status,
            reported_at=reported,
            response_due=response_due,
            responded_at=responded,
            resolution_due=resolution_due,
            resolved_at=resolved,
        )
        self.session.add(ticket)
        self.session.flush()
        return ticket

    def event(self, ticket, to_status, at):
        self.session.add(
            TicketEvent(ticket_id=ticket.id, seq=99, at=at, kind="transition", to_status=to_status)
        )


@pytest.fixture
def week(database):
    """The data set; returns the session for the test to query."""
    with database.session() as session:
        world = build_world(session)
        beta = Customer(code="BETA", name="Beta", region_id=world.region.id)
        session.add(beta)
        session.flush()
        beta_site = Site(
            customer_id=beta.id,
            region_id=world.region.id,
            name="Beta",
            address="3",
            lat=51.5,
            lon=-0.1,
        )
        session.add(beta_site)
        session.flush()
        asset_a = world.asset
        asset_b = Asset(site_id=world.vip_site.id, equipment_type="hvac", model="HV-2", serial="B")
        session.add(asset_b)
        manchester = Region(
            code="MAN", name="Manchester", parent_id=world.hq.id, timezone="Europe/London"
        )
        session.add(manchester)
        session.flush()
        b = Builder(session, world)
        # before the period
        t0 = b.ticket(
            priority=2, reported=day(5, 9), asset=asset_a, codes=["F2"], resolved=day(5, 12)
        )
        b.ticket(
            priority=2,
            reported=dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC),
            asset=asset_b,
            site=world.vip_site,
            customer=world.vip,
            codes=["F1"],
        )
        # in the period
        t1 = b.ticket(
            priority=1,
            reported=day(23, 10),
            asset=asset_a,
            codes=["F1"],
            response_due=day(23, 12),
            responded=day(23, 11),
            resolution_due=day(24, 10),
            resolved=day(23, 13),
        )
        t2 = b.ticket(
            priority=1,
            reported=day(24, 10),
            asset=asset_a,
            codes=["F2"],
            response_due=day(24, 12),
            responded=day(24, 12, 30),
            resolution_due=day(25, 10),
            resolved=day(25, 11),
            status="completed",
        )
        session.add(FollowUpVisit(ticket_id=t2.id, visit_number=2, created_at=day(24, 13)))
        t3 = b.ticket(
            priority=2,
            reported=day(25, 9),
            asset=asset_b,
            site=world.vip_site,
            customer=world.vip,
            codes=["F1"],
            response_due=day(25, 11),
            responded=day(25, 9, 30),
            resolution_due=day(26, 9),
            resolved=day(25, 10),
        )
        b.event(t3, "resolved_remotely", day(25, 10))
        b.ticket(
            priority=3,
            kind="inspection",
            reported=day(26, 9),
            response_due=day(27, 9),
            resolution_due=day(30, 9),
            status="triaged",
        )  # t4
        t5 = b.ticket(
            priority=3,
            reported=day(26, 12),
            asset=asset_a,
            codes=["F1"],
            response_due=day(27, 12),
            responded=day(26, 14),
            resolution_due=day(30, 18),
            resolved=day(26, 15),
        )
        b.event(t5, "reopened", day(26, 14, 30))
        b.ticket(
            priority=4,
            kind="complaint",
            reported=day(27, 10),
            customer=beta,
            site=beta_site,
            response_due=day(28, 10),
            resolution_due=day(30, 10),
            status="new",
        )  # t6
        b.ticket(
            priority=2, reported=day(27, 8), asset=asset_a, codes=["F9"], status="cancelled"
        )  # t7
        t8 = b.ticket(
            priority=2,
            reported=day(27, 9),
            asset=asset_a,
            codes=["F3"],
            response_due=day(27, 11),
            resolution_due=day(29, 9),
            status="on_hold_parts",
        )
        # elsewhere, and after the period
        b.ticket(
            priority=1,
            reported=day(24, 9),
            region=manchester,
            customer=beta,
            site=beta_site,
            response_due=day(24, 11),
            responded=day(24, 9, 10),
            status="on_site",
        )
        b.ticket(priority=1, reported=day(28, 10), response_due=day(28, 12))
        # surveys
        for ticket, score, at in (
            (t1, 5, day(23, 15)),
            (t5, 3, day(26, 16)),
            (t3, 4, day(25, 12)),
            (t0, 1, day(6, 9)),
        ):
            session.add(Survey(ticket_id=ticket.id, score=score, recorded_at=at))
        # shifts: E1 Mon-Fri 08:00-17:00 with a 30-min break, E2 Monday 09:00-13:00
        world.engineer.shifts = [
            EngineerShift(
                weekday=wd,
                start_minute=480,
                end_minute=1020,
                break_minutes=30,
                break_earliest_minute=720,
                break_latest_minute=780,
            )
            for wd in range(5)
        ]
        world.other_engineer.shifts = [EngineerShift(weekday=0, start_minute=540, end_minute=780)]
        plan = Plan(
            region_id=world.region.id,
            plan_date=dt.date(2026, 11, 23),
            horizon_start=START,
            horizon_end=END,
            status="published",
        )
        session.add(plan)
        session.flush()
        visits = {}
        for seq, (ticket, travel) in enumerate(((t1, 1800), (t2, 1200), (t8, 600))):
            visits[ticket.id] = Visit(
                plan_id=plan.id,
                ticket_id=ticket.id,
                engineer_id=world.engineer.id,
                sequence=seq,
                planned_arrival=ticket.reported_at,
                planned_start=ticket.reported_at,
                planned_end=ticket.reported_at,
                travel_seconds=travel,
            )
            session.add(visits[ticket.id])
        session.flush()

        def site_visit(ticket, engineer, checked_in, checked_out, visit=None):
            session.add(
                SiteVisit(
                    ticket_id=ticket.id,
                    engineer_id=engineer.id,
                    visit_id=visit.id if visit else None,
                    checked_in_at=checked_in,
                    checked_out_at=checked_out,
                    check_in_lat=51.5,
                    check_in_lon=-0.1,
                    check_in_distance_m=5.0,
                )
            )

        site_visit(t1, world.engineer, day(23, 11), day(23, 13), visits[t1.id])
        site_visit(t2, world.engineer, day(24, 12, 30), day(24, 13, 30), visits[t2.id])
        site_visit(t5, world.other_engineer, day(26, 14), day(26, 15))
        site_visit(t8, world.engineer, day(27, 10), None, visits[t8.id])
        site_visit(t1, world.engineer, day(28, 9), day(28, 10))  # Saturday: outside
        session.flush()
        yield session


def test_the_week_by_hand(week):
    report = compute_kpis(session=week, start=START, end=END, region_code="LDN")
    # reported in the period in LDN: t1..t8 (t7 cancelled, still a ticket)
    assert report.tickets == 8
    c = report.sla_compliance
    # P1: t1 met both (11:00 <= 12:00, Mon 13:00 <= Tue 10:00); t2 missed both
    assert (c["P1"].response.numerator, c["P1"].response.denominator) == (1, 2)
    assert (c["P1"].resolution.numerator, c["P1"].resolution.denominator) == (1, 2)
    # P2: t3 met both; t8 is on hold past its response due -> left out; t7 cancelled
    assert (c["P2"].response.numerator, c["P2"].response.denominator) == (1, 1)
    assert (c["P2"].resolution.numerator, c["P2"].resolution.denominator) == (1, 1)
    # P3: t4 never responded and its due (Fri 09:00) passed -> missed; t5 met;
    #     t4's resolution clock still runs at the period end -> left out
    assert (c["P3"].response.numerator, c["P3"].response.denominator) == (1, 2)
    assert (c["P3"].resolution.numerator, c["P3"].resolution.denominator) == (1, 1)
    assert c["P3"].response.value == 0.5
    # P4: the complaint t6 is due after the period on both clocks
    assert c["P4"].response.denominator == 0 and c["P4"].response.value is None
    # responses (minutes): t1 60, t2 150, t3 30, t5 120 -> sorted [30, 60, 120, 150]
    # p50: rank ceil(0.5 * 4) = 2 -> 60; p90: rank ceil(0.9 * 4) = 4 -> 150
    assert (
        report.response_time.count,
        report.response_time.p50_minutes,
        report.response_time.p90_minutes,
    ) == (4, 60, 150)
    # emergencies (P1): [60, 150] -> p50 rank 1 = 60, p90 rank 2 = 150
    assert (
        report.emergency_response_time.p50_minutes,
        report.emergency_response_time.p90_minutes,
    ) == (60, 150)
    # repairs resolved in the period: t1, t2, t3 (remote: left out), t5
    # by a visit: t1, t2, t5; first time: t1 (t2 had a follow-up, t5 was reopened) -> 1/3
    assert (report.first_time_fix.numerator, report.first_time_fix.denominator) == (1, 3)
    # faults reported (not cancelled): t1, t2, t3, t5, t8 = 5
    # repeats: t2 (F2 on asset A like t0, 19 days before), t5 (F1 on A like t1, 3 days before)
    # not: t1 (t0 had F2), t3 (F1 on B was 55 days before), t8 (F3 new) -> 2/5
    assert (report.repeat_failures.numerator, report.repeat_failures.denominator) == (2, 5)
    # surveys in the period: t1 5, t3 4, t5 3 (t0's 1 was in early November) -> 2/3
    assert (report.csat.numerator, report.csat.denominator) == (2, 3)
    # customers with tickets: ACME, VIPCO, BETA; complaining: BETA -> 1/3
    assert (report.complaint_rate.numerator, report.complaint_rate.denominator) == (1, 3)
    # shifts: E1 5 x (540 - 30) = 2550, E2 Monday 240 -> 2790 minutes
    # on site: 120 + 60 + 60 (+ the open t8 visit: 0) = 240; travel 30 + 20 + 0 + 10 = 60
    u = report.utilisation
    assert (u.shift_minutes, u.on_site_minutes, u.travel_minutes, u.jobs) == (2790, 240, 60, 4)
    assert u.value == pytest.approx(300 / 2790)
    assert u.travel_minutes_per_job == 15


def test_headquarters_includes_every_region_and_regions_filter(week):
    everywhere = compute_kpis(session=week, start=START, end=END)
    hq = compute_kpis(session=week, start=START, end=END, region_code="HQ")
    manchester = compute_kpis(session=week, start=START, end=END, region_code="MAN")
    assert everywhere.tickets == hq.tickets == 9 and manchester.tickets == 1
    # the Manchester emergency responded after 10 min: P1 responses 2 of 3 met
    assert (
        hq.sla_compliance["P1"].response.numerator,
        hq.sla_compliance["P1"].response.denominator,
    ) == (2, 3)
    assert manchester.utilisation.shift_minutes == 0 and manchester.utilisation.value is None


def test_bad_periods_and_regions(week):
    with pytest.raises(InvalidInput) as backwards:
        compute_kpis(session=week, start=END, end=START)
    assert backwards.value.field == "to"
    with pytest.raises(InvalidInput):
        compute_kpis(session=week, start=dt.datetime(2026, 11, 1), end=END)
    with pytest.raises(NotFound) as region:
        compute_kpis(session=week, start=START, end=END, region_code="NOPE")
    assert region.value.field == "region"


def test_nearest_rank():
    assert nearest_rank([], 50) is None
    assert nearest_rank([7], 90) == 7
    assert nearest_rank([5, 1, 4, 2, 3], 50) == 3  # rank ceil(2.5) = 3
    assert nearest_rank(list(range(1, 11)), 90) == 9  # rank 9 of 10
