"""The demo data set: deterministic, complete, and the only source of demo users."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from dispatch.demo.day import choose_day
from dispatch.demo.org import database_is_empty, load_demo
from dispatch.errors import Conflict
from dispatch.models import Customer, Engineer, Region, Ticket, User
from dispatch.org.users import authenticate
from dispatch.tickets.escalation import sweep

DAY = dt.date(2026, 11, 24)


def _snapshot(database) -> list[tuple]:
    with database.session() as session:
        return [
            (t.number, t.priority, t.required_skill, t.min_level, t.windows[0].start)
            for t in session.scalars(select(Ticket).order_by(Ticket.id))
        ]


def test_demo_loads_a_metro_day(database):
    with database.session() as session:
        assert database_is_empty(session=session)
        summary = load_demo(session=session, seed=11, day=DAY)
    assert summary.engineers == 25 and summary.tickets == 150
    with database.session() as session:
        assert not database_is_empty(session=session)
        tiers = dict(
            session.execute(select(Ticket.priority, func.count()).group_by(Ticket.priority)).all()
        )
        assert set(tiers) == {1, 2, 3, 4}
        assert (
            session.scalar(select(func.count()).select_from(Customer).where(Customer.tier == "vip"))
            > 0
        )
        numbers = session.scalars(select(Ticket.number)).all()
        assert all(
            re.fullmatch(r"[A-Z0-9]+-(INS|REP|PM|INSP|UPG|CMP|DEC)-\d{8}-\d{4}", n) for n in numbers
        )
        assert len(set(numbers)) == len(numbers)
        for username in ("admin", "dispatcher", "engineer"):
            assert (
                authenticate(session=session, username=username, password="demo").role == username
            )
        bound = session.scalar(select(User).where(User.username == "engineer"))
        assert bound.engineer is not None and bound.engineer.code == "E001"
        assert (
            session.scalar(
                select(func.count())
                .select_from(Engineer)
                .where(Engineer.employment == "contractor")
            )
            > 0
        )


def test_same_seed_same_data_other_seed_other_data(tmp_path):
    from dispatch.infra import migrate
    from dispatch.infra.db import Database
    from dispatch.infra.settings import Settings

    snapshots = []
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        url = f"sqlite:///{tmp_path / name}.db"
        migrate.upgrade(url)
        db = Database(Settings(database_url=url))
        with db.session() as session:
            load_demo(session=session, seed=seed, day=DAY, engineers=5, tickets=20)
        snapshots.append(_snapshot(db))
        db.dispose()
    assert snapshots[0] == snapshots[1]
    assert snapshots[0] != snapshots[2]
    assert len(snapshots[0]) == 20


ZONE = ZoneInfo("Asia/Shanghai")


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), ZONE)


@pytest.mark.parametrize("hour", [8, 15])
def test_a_day_seeded_at_any_hour_is_still_plannable(database, hour):
    now = _local(DAY, hour)
    with database.session() as session:
        summary = load_demo(session=session, seed=11, now=now)
    assert summary.day == DAY and summary.note == ""
    with database.session() as session:
        tickets = session.scalars(select(Ticket)).all()
        assert len(tickets) == 150
        assert all(t.reported_at <= now for t in tickets)
        assert {t.priority for t in tickets} == {1, 2, 3, 4}
        plannable = [
            t
            for t in tickets
            if t.response_due > now
            and any(w.end >= now + dt.timedelta(minutes=t.estimated_minutes) for w in t.windows)
        ]
        assert len(plannable) >= 0.9 * len(tickets)
        assert all(w.start.astimezone(ZONE).date() == DAY for t in tickets for w in t.windows)
        result = sweep(session=session, now=now)
        assert len(result.breached) <= 0.05 * len(tickets)


@pytest.mark.parametrize(
    ("now", "day", "noted"),
    [
        (_local(DAY, 15, 59), DAY, False),  # Tuesday, an hour of the shifts left
        (_local(DAY, 16, 30), DAY + dt.timedelta(days=1), True),  # Wednesday
        (_local(DAY, 2, 0), DAY, False),  # the night before the shifts: today
        (_local(dt.date(2026, 11, 27), 18, 0), dt.date(2026, 11, 30), True),  # Fri -> Mon
        (_local(dt.date(2026, 11, 28), 10, 0), dt.date(2026, 11, 30), True),  # Sat -> Mon
        # Golden Week: China's official calendar rests 1..7 October 2026 (chinesecalendar)
        (_local(dt.date(2026, 9, 30), 20, 0), dt.date(2026, 10, 8), True),
    ],
)
def test_after_the_shifts_the_next_working_day_is_seeded_and_said(now, day, noted):
    chosen = choose_day(now, ZONE)
    assert chosen.day == day
    assert bool(chosen.note) is noted
    if noted:
        assert str(day) in chosen.note
        assert chosen.as_of == _local(day, 7)
    else:
        assert chosen.as_of == now


def test_today_asked_for_late_is_seeded_and_said() -> None:
    chosen = choose_day(_local(DAY, 16, 30), ZONE, DAY)
    assert chosen.day == DAY and chosen.as_of == _local(DAY, 16, 30)
    assert "nearly over" in chosen.note


def test_a_later_evening_seeds_the_next_morning_with_nothing_breached(database):
    now = _local(DAY, 20)
    with database.session() as session:
        summary = load_demo(session=session, seed=11, now=now, engineers=8, tickets=60)
        assert summary.day == DAY + dt.timedelta(days=1) and "next working day" in summary.note
        assert sweep(session=session, now=now).breached == []


def test_a_new_day_is_added_next_to_the_old_one(database):
    with database.session() as session:
        first = load_demo(session=session, seed=5, day=DAY, engineers=6, tickets=30)
    later = DAY + dt.timedelta(days=2)
    with database.session() as session:
        second = load_demo(session=session, seed=5, day=later, now=_local(DAY, 9), tickets=40)
    assert (second.engineers, second.sites, second.assets) == (
        first.engineers,
        first.sites,
        first.assets,
    )
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 70
        assert session.scalar(select(func.count()).select_from(Engineer)) == 6
        assert session.scalar(select(func.count()).select_from(User)) == 3
        days = {
            w.start.astimezone(ZONE).date()
            for t in session.scalars(select(Ticket)).all()
            for w in t.windows
        }
        assert days == {DAY, later}
    with database.session() as session, pytest.raises(Conflict) as taken:
        load_demo(session=session, seed=6, day=later, now=_local(DAY, 9))
    assert taken.value.field == "day"


def test_the_demo_never_mixes_with_other_data(database):
    with database.session() as session:
        session.add(Region(code="XX", name="Elsewhere", kind="hq", timezone="UTC"))
    with database.session() as session, pytest.raises(Conflict):
        load_demo(session=session, day=DAY, now=_local(DAY, 9))


def test_demo_tickets_are_created_like_every_ticket(database):
    from dispatch.models import OutboxEvent, TicketEvent

    with database.session() as session:
        load_demo(session=session, seed=5, day=DAY, engineers=6, tickets=12)
    with database.session() as session:
        tickets = session.scalars(select(Ticket).order_by(Ticket.id)).all()
        for ticket in tickets:
            first = session.scalar(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == ticket.id)
                .order_by(TicketEvent.seq)
                .limit(1)
            )
            assert first is not None and first.kind == "created" and first.at == ticket.reported_at
            assert first.after is not None and first.after["number"] == ticket.number
        announced = session.scalars(
            select(OutboxEvent).where(OutboxEvent.kind == "ticket.created")
        ).all()
        assert sorted(e.data["number"] for e in announced) == sorted(t.number for t in tickets)
