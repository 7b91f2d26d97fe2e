"""A fresh demo opens the console on a day whose work is mostly still to come, whatever
the hour it was loaded at (frozen clocks at 08:00, 15:00 and 17:00 in Shanghai)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from dispatch.demo.org import load_demo
from dispatch.models import Ticket
from tests.conftest import login

SHANGHAI = ZoneInfo("Asia/Shanghai")
TUESDAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("hour", "opens_on"),
    [(8, TUESDAY), (15, TUESDAY), (17, TUESDAY + dt.timedelta(days=1))],
)
def test_the_console_opens_on_a_day_that_is_still_plannable(client, database, hour, opens_on):
    now = dt.datetime.combine(TUESDAY, dt.time(hour), tzinfo=SHANGHAI)
    with database.session() as session:
        load_demo(session=session, seed=11, engineers=6, tickets=40, now=now)
    client.app.state.runtime.clock = lambda: now
    config = client.get("/api/v1/console/config", headers=login(client, "dispatcher")).json()
    assert {r["today"] for r in config["regions"]} == {str(TUESDAY)}
    assert {r["open_day"] for r in config["regions"] if r["engineers"]} == {str(opens_on)}
    hq = config["regions"][0]
    assert hq["kind"] == "hq" and hq["open_day"] == str(opens_on)
    with database.session() as session:
        tickets = session.scalars(select(Ticket).options(selectinload(Ticket.windows))).all()
        on_the_day = [
            t for t in tickets if t.windows[0].start.astimezone(SHANGHAI).date() == opens_on
        ]
        plannable = [t for t in on_the_day if max(w.end for w in t.windows) > now]
    assert len(on_the_day) == len(tickets)
    assert len(plannable) >= 0.9 * len(on_the_day)


def test_without_work_to_come_the_console_opens_on_today(client, database):
    now = dt.datetime.combine(TUESDAY, dt.time(9), tzinfo=SHANGHAI)
    with database.session() as session:
        load_demo(session=session, seed=11, engineers=3, tickets=5, now=now)
    client.app.state.runtime.clock = lambda: now + dt.timedelta(days=3)  # the windows are past
    config = client.get("/api/v1/console/config", headers=login(client, "dispatcher")).json()
    assert {r["open_day"] for r in config["regions"]} == {str(TUESDAY + dt.timedelta(days=3))}
