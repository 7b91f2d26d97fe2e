"""Re-booking a ticket's appointment (a new slot the customer accepted)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from dispatch.errors import Conflict, InvalidInput
from dispatch.sla.policy import session_policy
from dispatch.tickets.lifecycle import transition
from dispatch.tickets.rebooking import rebook_ticket
from dispatch.tickets.records import ticket_events
from dispatch.tickets.service_windows import WINDOW_PASSED
from scenarios.desk import Desk
from solver.params import SolveParams
from solver.travel.base import HaversineProvider
from tests.dispatch.workflow_world import build_world, new_ticket

LONDON = ZoneInfo("Europe/London")
DAY = dt.date(2026, 11, 24)  # a Tuesday


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(hour, minute), LONDON).astimezone(dt.UTC)


@pytest.fixture
def session(database):
    with database.session() as s:
        yield s


@pytest.fixture
def world(session):
    return build_world(session)


def test_rebook_replaces_the_windows_and_records_the_change(session, world):
    ticket = new_ticket(
        session, world, at=at(8), priority=3, windows=[(at(9), at(11))], actor=world.dispatcher
    )
    due = (ticket.response_due, ticket.resolution_due)
    rebook_ticket(
        session=session,
        ticket=ticket,
        windows=[(at(15), at(17))],
        actor=world.dispatcher,
        at=at(14),
        reason=WINDOW_PASSED,
    )
    session.expire_all()
    assert [(w.start, w.end) for w in ticket.windows] == [(at(15), at(17))]
    assert (ticket.response_due, ticket.resolution_due) == due  # the SLA clocks do not move
    event = ticket_events(session=session, ticket=ticket)[-1]
    assert (event.kind, event.reason, event.actor_id, event.at) == (
        "rebooked",
        WINDOW_PASSED,
        world.dispatcher.id,
        at(14),
    )
    assert event.before == {"windows": [[at(9).isoformat(), at(11).isoformat()]]}
    assert event.after == {"windows": [[at(15).isoformat(), at(17).isoformat()]]}


def test_rebook_refuses_a_bad_window_and_a_ticket_already_under_way(session, world):
    ticket = new_ticket(session, world, at=at(8), priority=3, windows=[(at(9), at(11))])
    with pytest.raises(InvalidInput) as bad:
        rebook_ticket(
            session=session, ticket=ticket, windows=[(at(15), at(15))], actor=None, at=at(14)
        )
    assert bad.value.field == "windows.0.end"
    with pytest.raises(InvalidInput) as naive:
        rebook_ticket(
            session=session,
            ticket=ticket,
            windows=[(dt.datetime(2026, 11, 24, 15), at(17))],
            actor=None,
            at=at(14),
        )
    assert naive.value.field == "windows.0.start"
    for action, context in (
        ("triage", {}),
        ("schedule", {"engineer_id": world.engineer.id}),
        ("dispatch", {}),
    ):
        transition(
            session=session,
            ticket=ticket,
            action=action,
            actor=world.dispatcher,
            at=at(8, 30),
            **context,
        )
    with pytest.raises(Conflict) as late:
        rebook_ticket(
            session=session, ticket=ticket, windows=[(at(15), at(17))], actor=None, at=at(14)
        )
    assert late.value.field == "status"
    assert [(w.start, w.end) for w in ticket.windows] == [(at(9), at(11))]


def _desk(session, world, now: dt.datetime) -> Desk:
    return Desk(
        region_id=world.region.id,
        now=lambda: now,
        positions=dict,
        breaks_taken=set,
        travel=HaversineProvider(30, 1.3),
        params=SolveParams(seed=1, iterations=10, workers=1),
        policy=session_policy(session),
        zone=LONDON,
        dispatcher_id=world.dispatcher.id,
    )


def test_the_simulated_desk_rebooks_a_passed_p3_into_the_offered_slot(session, world):
    passed = new_ticket(session, world, at=at(7), priority=3, windows=[(at(9), at(11))])
    urgent = new_ticket(session, world, at=at(7), priority=2, windows=[(at(9), at(11))])
    for ticket in (passed, urgent):
        transition(session=session, ticket=ticket, action="triage", actor=None, at=at(7))
    desk = _desk(session, world, at(14, 10))
    planning = desk.planning(session)
    planned = {t.id for t in planning.problem.tickets}
    # the P3 got a new slot the customer accepted and is planned in it; the P2 is served late
    assert passed.number in planned and urgent.number in planned
    assert planning.rebook == {}
    assert desk.rebooked == 1
    assert [(w.start, w.end) for w in passed.windows] == [(at(14, 30), at(16, 30))]
    assert [(w.start, w.end) for w in urgent.windows] == [(at(9), at(11))]
    event = ticket_events(session=session, ticket=passed)[-1]
    assert event.kind == "rebooked" and event.actor_id == world.dispatcher.id
