"""China's official calendar in the business clock: public holidays and make-up working
days (调休) from ``chinesecalendar``, with the policy's own lists winning over it.

Facts checked against the library: National Day 2025 was 1..8 October (a Wednesday to a
Wednesday) and Sunday 28 September and Saturday 11 October 2025 were working days.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from dispatch.sla.calendar import BusinessCalendar, CalendarSpec, advance
from dispatch.sla.official import OfficialDay, official_day
from tests.dispatch.workflow_world import WEEKDAYS_8_18

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAKE_UP_SUNDAY = dt.date(2025, 9, 28)
NATIONAL_DAY = [dt.date(2025, 10, 1) + dt.timedelta(days=i) for i in range(8)]
MAKE_UP_SATURDAY = dt.date(2025, 10, 11)


def calendar(zone: str = "Asia/Shanghai", **extra: object) -> BusinessCalendar:
    return BusinessCalendar.from_spec(CalendarSpec.model_validate(WEEKDAYS_8_18 | extra), zone)


def local(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


def test_the_library_knows_national_day_2025():
    assert official_day("CN", MAKE_UP_SUNDAY) is OfficialDay.MAKE_UP
    assert official_day("CN", MAKE_UP_SATURDAY) is OfficialDay.MAKE_UP
    assert {official_day("CN", d) for d in NATIONAL_DAY} == {OfficialDay.HOLIDAY}
    assert official_day("CN", dt.date(2025, 9, 30)) is OfficialDay.ORDINARY  # a Tuesday
    assert official_day("CN", dt.date(2025, 9, 27)) is OfficialDay.ORDINARY  # a Saturday off
    assert official_day(None, dt.date(2025, 10, 1)) is None
    assert official_day("CN", dt.date(1990, 10, 1)) is None  # a year it does not know


def test_a_shanghai_calendar_works_the_make_up_days_and_rests_on_national_day():
    cal = calendar()
    assert cal.country == "CN"
    assert cal.spans_on(MAKE_UP_SUNDAY) == ((8 * 60, 18 * 60),)  # Monday's hours
    assert cal.spans_on(MAKE_UP_SATURDAY) == ((8 * 60, 18 * 60),)
    assert all(cal.spans_on(d) == () for d in NATIONAL_DAY)
    assert cal.spans_on(dt.date(2025, 9, 27)) == ()  # an ordinary Saturday


def test_a_business_clock_runs_on_the_make_up_sunday_and_skips_the_golden_week():
    cal = calendar()
    friday_evening = local(dt.date(2025, 9, 26), 17)
    # 1 h left on Friday, then Saturday off, then the make-up Sunday from 08:00
    assert advance(friday_evening, dt.timedelta(hours=2), calendar=cal) == local(MAKE_UP_SUNDAY, 9)
    tuesday_evening = local(dt.date(2025, 9, 30), 17)
    # 1 h on 30 September, then nothing until Thursday 9 October
    assert advance(tuesday_evening, dt.timedelta(hours=3), calendar=cal) == local(
        dt.date(2025, 10, 9), 10
    )


def test_the_policy_file_overrides_the_official_calendar():
    own = calendar(holidays=["2025-09-28"], working_days=["2025-10-08"])
    assert own.spans_on(MAKE_UP_SUNDAY) == ()
    assert own.spans_on(dt.date(2025, 10, 8)) == ((8 * 60, 18 * 60),)
    off = calendar(country="none")
    assert off.country is None
    assert off.spans_on(MAKE_UP_SUNDAY) == () and off.spans_on(dt.date(2025, 10, 1)) != ()
    london = calendar("Europe/London")
    assert london.country is None and london.spans_on(dt.date(2025, 10, 1)) != ()
    assert calendar("Europe/London", country="CN").spans_on(dt.date(2025, 10, 1)) == ()
