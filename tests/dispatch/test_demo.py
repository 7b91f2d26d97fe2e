"""The demo data set: deterministic, complete, and the only source of demo users."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from dispatch.demo import database_is_empty, load_demo
from dispatch.models import Customer, Engineer, Ticket, User
from dispatch.users import authenticate

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
    from dispatch import migrate
    from dispatch.db import Database
    from dispatch.settings import Settings

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
