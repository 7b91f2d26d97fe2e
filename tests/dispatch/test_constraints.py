"""The database itself refuses bad rows, whatever code writes them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dispatch.models import (
    Customer,
    Engineer,
    EngineerShift,
    EngineerSkill,
    Region,
    Site,
    Ticket,
    TicketWindow,
    User,
)

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def _ticket(session, **overrides) -> Ticket:
    site = session.scalars(select(Site)).first()
    values = dict(
        number="ACME-REP-20261123-9001",
        kind="repair",
        customer_id=site.customer_id,
        site_id=site.id,
        region_id=site.region_id,
        priority=2,
        required_skill="hvac",
        min_level=1,
        estimated_minutes=60,
        reported_at=NOW,
    )
    values.update(overrides)
    return Ticket(**values)


def _refused(database, make) -> None:
    with pytest.raises(IntegrityError), database.session() as session:
        session.add(make(session))
        session.flush()


def test_valid_ticket_is_accepted(database, demo):
    with database.session() as session:
        session.add(_ticket(session))
    with database.session() as session:
        assert session.scalar(select(Ticket).where(Ticket.number == "ACME-REP-20261123-9001"))


@pytest.mark.parametrize(
    "overrides",
    [
        {"priority": 5},
        {"priority": 0},
        {"min_level": 4},
        {"estimated_minutes": 0},
        {"kind": "teleportation"},
        {"status": "lost"},
        {"site_id": 999_999},
        {"parts_demand": -1},
    ],
    ids=lambda o: next(iter(o)),
)
def test_bad_ticket_rows_are_refused(database, demo, overrides):
    _refused(database, lambda s: _ticket(s, **overrides))


def test_ticket_numbers_are_unique(database, demo):
    with database.session() as session:
        session.add(_ticket(session))
    _refused(database, lambda s: _ticket(s))


def test_window_must_end_after_it_starts(database, demo):
    def make(session):
        ticket = _ticket(session)
        ticket.windows = [TicketWindow(start=NOW, end=NOW - dt.timedelta(hours=1))]
        return ticket

    _refused(database, make)


def test_engineer_rules(database, demo):
    def engineer(session, **overrides):
        region = session.scalars(select(Region).where(Region.kind == "region")).first()
        values = dict(
            code="EX1", name="X", level="mid", region_id=region.id, home_lat=31.2, home_lon=121.4
        )
        values.update(overrides)
        return Engineer(**values)

    _refused(database, lambda s: engineer(s, level="wizard"))
    _refused(database, lambda s: engineer(s, home_lat=91.0))
    _refused(database, lambda s: engineer(s, max_jobs_per_day=0))
    # an employee has no per-job cost; only contractors do
    _refused(database, lambda s: engineer(s, employment="employee", cost_per_job=10))

    def bad_skill(session):
        e = engineer(session)
        e.skills = [EngineerSkill(skill="hvac", level=4)]
        return e

    def bad_shift(session):
        e = engineer(session)
        e.shifts = [EngineerShift(weekday=0, start_minute=600, end_minute=500)]
        return e

    _refused(database, bad_skill)
    _refused(database, bad_shift)


def test_users_bind_engineers_only_for_the_engineer_role(database, demo):
    _refused(database, lambda s: User(username="e2", password_hash="x", role="engineer"))
    _refused(
        database,
        lambda s: User(
            username="d2",
            password_hash="x",
            role="dispatcher",
            engineer_id=s.scalars(select(Engineer.id)).first(),
        ),
    )
    _refused(database, lambda s: User(username="r2", password_hash="x", role="root"))


def test_customer_codes_are_upper_case_and_unique(database, demo):
    def customer(session, code):
        region = session.scalars(select(Region).where(Region.kind == "region")).first()
        return Customer(code=code, name="N", region_id=region.id)

    _refused(database, lambda s: customer(s, "lower"))
    existing = None
    with database.session() as session:
        existing = session.scalars(select(Customer.code)).first()
    _refused(database, lambda s: customer(s, existing))


def test_only_the_hq_has_no_parent(database, demo):
    _refused(database, lambda s: Region(code="X", name="X", kind="region", timezone="UTC"))


def test_naive_timestamps_are_refused(database, demo):
    with pytest.raises(Exception, match="naive datetime"), database.session() as session:
        session.add(_ticket(session, reported_at=dt.datetime(2026, 11, 23, 9, 0)))
        session.flush()
