"""SLA clocks on a frozen clock: business hours vs 24/7, pauses, holidays, time zones, DST."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from dispatch.sla.calendar import BusinessCalendar, CalendarSpec, advance, elapsed
from dispatch.sla.clocks import due
from dispatch.sla.policy import Clock, Target
from dispatch.tickets.lifecycle import transition
from tests.dispatch.workflow_world import WEEKDAYS_8_18, build_world, new_ticket

UTC = dt.UTC
LONDON = ZoneInfo("Europe/London")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def calendar(zone: str = "Europe/London", holidays: list[str] | None = None) -> BusinessCalendar:
    spec = CalendarSpec.model_validate(WEEKDAYS_8_18 | {"holidays": holidays or []})
    return BusinessCalendar.from_spec(spec, zone)


@pytest.fixture
def session(database):
    with database.session() as s:
        yield s


def test_a_24x7_target_is_plain_elapsed_time_through_nights_and_weekends():
    start = utc(2026, 11, 27, 16, 0)  # Friday 16:00 in London (GMT)
    target = Target(hours=24, clock=Clock.ALWAYS)
    assert due(start, target, calendar=calendar()) == utc(2026, 11, 28, 16, 0)  # Saturday


def test_a_business_target_counts_working_hours_only():
    start = utc(2026, 11, 27, 16, 0)  # Friday 16:00
    # 30 business hours: Fri 16-18 (2 h), Mon 10 h (12), Tue 10 h (22), Wed 08:00 + 8 h
    target = Target(hours=30, clock=Clock.BUSINESS)
    assert due(start, target, calendar=calendar()) == utc(2026, 12, 2, 16, 0)
    # a request outside hours starts counting at the next opening: Sat -> Mon 08:00 + 3 h
    assert due(
        utc(2026, 11, 28, 12, 0), Target(hours=3, clock=Clock.BUSINESS), calendar=calendar()
    ) == utc(2026, 11, 30, 11, 0)


def test_a_holiday_is_skipped():
    start = utc(2026, 11, 27, 16, 0)
    target = Target(hours=30, clock=Clock.BUSINESS)
    # Monday 30 Nov is a holiday: Fri 2 h, Tue 10 (12), Wed 10 (22), Thu 08:00 + 8 h
    holiday = calendar(holidays=["2026-11-30"])
    assert due(start, target, calendar=holiday) == utc(2026, 12, 3, 16, 0)
    # ... but a 24/7 target ignores the calendar, holiday or not
    assert due(start, Target(hours=30), calendar=holiday) == start + dt.timedelta(hours=30)


def test_pauses_stop_both_kinds_of_clock():
    start = utc(2026, 11, 27, 16, 0)
    # paused Fri 17:00 -> Mon 09:00: 64 h of real time, 2 h of business time (Fri 17-18, Mon 8-9)
    pause = [(utc(2026, 11, 27, 17, 0), utc(2026, 11, 30, 9, 0))]
    assert due(start, Target(hours=24), calendar=calendar(), pauses=pause) == (
        start + dt.timedelta(hours=24 + 64)
    )
    business = Target(hours=30, clock=Clock.BUSINESS)
    # Wed 16:00 + 2 business hours = Wed 18:00, the end of that working day exactly
    assert due(start, business, calendar=calendar(), pauses=pause) == utc(2026, 12, 2, 18, 0)
    # overlapping pauses count once
    twice = [*pause, (utc(2026, 11, 27, 17, 30), utc(2026, 11, 28, 10, 0))]
    assert due(start, Target(hours=24), calendar=calendar(), pauses=twice) == (
        start + dt.timedelta(hours=24 + 64)
    )


def test_the_same_instant_in_shanghai_and_london():
    start = utc(2026, 11, 27, 2, 0)  # Fri 10:00 in Shanghai (UTC+8), Fri 02:00 in London
    target = Target(hours=30, clock=Clock.BUSINESS)
    # Shanghai: Fri 10-18 (8 h), Mon 10 (18), Tue 10 (28), Wed 08:00 + 2 h = 10:00 local
    shanghai = due(start, target, calendar=calendar("Asia/Shanghai"))
    assert shanghai == dt.datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI)
    assert shanghai == utc(2026, 12, 2, 2, 0)
    # London opens later: Fri 08-18 (10 h), Mon (20), Tue (30) -> Tue 18:00 local = UTC
    assert due(start, target, calendar=calendar("Europe/London")) == utc(2026, 12, 1, 18, 0)


def test_business_hours_keep_local_time_across_the_dst_change():
    # London leaves summer time on Sunday 25 Oct 2026 (BST UTC+1 -> GMT UTC+0)
    start = dt.datetime(2026, 10, 23, 16, 0, tzinfo=LONDON)  # Friday 16:00 BST = 15:00 UTC
    target = Target(hours=4, clock=Clock.BUSINESS)
    # Fri 16-18 BST (2 h), then Mon 26 Oct 08:00 GMT + 2 h = 10:00 GMT = 10:00 UTC
    assert due(start, target, calendar=calendar()) == utc(2026, 10, 26, 10, 0)
    # a 24/7 target counts real hours: Sat 12:00 BST + 24 h = Sun 11:00 GMT (23 h on the wall)
    saturday = dt.datetime(2026, 10, 24, 12, 0, tzinfo=LONDON)
    assert due(saturday, Target(hours=24), calendar=calendar()) == utc(2026, 10, 25, 11, 0)
    # the working day of the change itself: Mon 26 Oct opens 08:00 GMT, i.e. 08:00 UTC
    assert elapsed(utc(2026, 10, 25, 0, 0), utc(2026, 10, 26, 9, 0), calendar=calendar()) == (
        dt.timedelta(hours=1)
    )


def test_split_days_and_a_calendar_with_no_working_time():
    spec = CalendarSpec.model_validate({"hours": {"mon": [["08:00", "12:00"], ["13:00", "17:00"]]}})
    split = BusinessCalendar.from_spec(spec, "UTC")
    # Mon 30 Nov 11:00 + 2 h: 11-12 (1 h), lunch, 13:00 + 1 h
    assert advance(utc(2026, 11, 30, 11, 0), dt.timedelta(hours=2), calendar=split) == (
        utc(2026, 11, 30, 14, 0)
    )
    everything_off = BusinessCalendar(zone=ZoneInfo("UTC"), hours={}, holidays=frozenset())
    from dispatch.errors import InvalidInput

    with pytest.raises(InvalidInput) as stuck:
        advance(utc(2026, 11, 30, 11, 0), dt.timedelta(hours=1), calendar=everything_off)
    assert stuck.value.field == "calendar"


def test_ticket_due_instants_follow_the_region_and_pause_on_hold(session):
    world = build_world(session)  # London, Mon-Fri 08-18
    reported = utc(2026, 11, 27, 16, 0)  # Friday
    ticket = new_ticket(session, world, at=reported, priority=3)
    # P3 standard: response 24 h 24/7, resolution 30 business hours
    assert ticket.response_due == utc(2026, 11, 28, 16, 0)
    assert ticket.resolution_due == utc(2026, 12, 2, 16, 0)
    transition(
        session=session,
        ticket=ticket,
        action="triage",
        actor=world.dispatcher,
        at=reported + dt.timedelta(minutes=10),
    )
    transition(
        session=session,
        ticket=ticket,
        action="hold_customer",
        actor=world.dispatcher,
        at=utc(2026, 11, 27, 17, 0),
    )
    assert ticket.response_due == utc(2026, 11, 28, 16, 0)  # unchanged at the start of a hold
    transition(
        session=session,
        ticket=ticket,
        action="resume",
        actor=world.dispatcher,
        at=utc(2026, 11, 30, 9, 0),
    )
    # the 64 h pause pushes the 24/7 response clock, 2 business hours the resolution clock
    assert ticket.response_due == utc(2026, 12, 1, 8, 0)
    assert ticket.resolution_due == utc(2026, 12, 2, 18, 0)
    assert ticket.status == "triaged"


def test_emergencies_run_24x7_and_vip_is_tighter(session):
    world = build_world(session)
    saturday_night = utc(2026, 11, 28, 23, 0)
    standard = new_ticket(session, world, at=saturday_night, priority=1)
    vip = new_ticket(session, world, at=saturday_night, priority=1, vip=True)
    assert standard.response_due == saturday_night + dt.timedelta(hours=2)
    assert vip.response_due == saturday_night + dt.timedelta(hours=1)
    assert vip.resolution_due < standard.resolution_due
    complaint = new_ticket(session, world, at=saturday_night, priority=4, kind="complaint")
    assert complaint.response_due == saturday_night + dt.timedelta(hours=24)
    assert complaint.resolution_due == saturday_night + dt.timedelta(hours=72)


def test_the_region_time_zone_decides_the_business_day(session):
    london = build_world(session)
    shanghai_region = type(london.region)(
        code="SHA",
        name="Shanghai",
        parent_id=london.hq.id,
        timezone="Asia/Shanghai",
        calendar=WEEKDAYS_8_18,
    )
    session.add(shanghai_region)
    session.flush()
    london.site.region_id = shanghai_region.id
    session.flush()
    session.refresh(london.site)
    reported = utc(2026, 11, 27, 2, 0)  # Fri 10:00 in Shanghai
    ticket = new_ticket(session, london, at=reported, priority=3)
    assert ticket.region_id == shanghai_region.id
    assert ticket.resolution_due == utc(2026, 12, 2, 2, 0)  # as computed above for Shanghai
    assert ticket.number.endswith("-20261127-0001")  # numbered by the local day
