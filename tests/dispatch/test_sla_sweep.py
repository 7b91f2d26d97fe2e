"""The SLA sweep on a frozen clock: at risk, breached, met, live events on changes, escalation."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from dispatch.infra.events import EventKind
from dispatch.models import Ticket, TicketEvent
from dispatch.runtime import Runtime
from dispatch.tickets.escalation import sweep
from dispatch.tickets.lifecycle import transition
from tests.dispatch.workflow_world import build_world, new_ticket, publish_visit

T0 = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)  # Tuesday 10:00 in London


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


@pytest.fixture
def session(database):
    with database.session() as s:
        yield s


@pytest.fixture
def world(session):
    return build_world(session)


def events_of(session, ticket, kind):
    return session.scalars(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == kind)
        .order_by(TicketEvent.seq)
    ).all()


def test_unplanned_emergency_goes_at_risk_then_breached_and_stays_breached(session, world):
    # P1 standard: response due T0 + 2 h; typical response 90 min
    ticket = new_ticket(session, world, at=T0, priority=1, estimated_minutes=60)
    assert sweep(session=session, now=at(30)).at_risk == []  # now + 90 = 120 min, not past due
    result = sweep(session=session, now=at(31))  # now + 90 = 121 min > 120
    assert result.at_risk == [ticket.id] and ticket.sla_state == "at_risk"
    assert sweep(session=session, now=at(32)).at_risk == []  # no change, nothing recorded
    assert len(events_of(session, ticket, "sla")) == 1
    result = sweep(session=session, now=at(121))
    assert result.breached == [ticket.id] and ticket.sla_state == "breached"
    transition(session=session, ticket=ticket, action="triage", actor=world.dispatcher, at=at(122))
    transition(
        session=session,
        ticket=ticket,
        action="dispatch",
        actor=None,
        at=at(123),
        engineer_id=world.engineer.id,
    )
    transition(
        session=session, ticket=ticket, action="arrive", actor=world.engineer_user, at=at(130)
    )
    sweep(session=session, now=at(131))
    assert ticket.sla_state == "breached"  # a late response stays a breach
    transition(
        session=session, ticket=ticket, action="complete", actor=world.engineer_user, at=at(150)
    )
    assert ticket.sla_state == "breached"
    assert [e.after["sla_state"] for e in events_of(session, ticket, "sla")] == [
        "at_risk",
        "breached",
    ]


def test_the_published_plan_arrival_decides_at_risk(session, world):
    late = new_ticket(session, world, at=T0, priority=1)
    early = new_ticket(session, world, at=T0, priority=1)
    # typical: now + 90 min; planned arrivals override it
    publish_visit(
        session, world, late, engineer=world.engineer, arrival=at(150), published_at=at(1)
    )
    publish_visit(
        session, world, early, engineer=world.other_engineer, arrival=at(60), published_at=at(1)
    )
    result = sweep(session=session, now=at(2))
    assert result.at_risk == [late.id]  # 150 > 120, though now + 90 = 92 would be fine
    result = sweep(session=session, now=at(40))
    assert early.sla_state == "ok"  # planned 60 < 120, though now + 90 = 130 is past due
    # a newer published plan brings the late ticket forward: back to ok
    publish_visit(
        session, world, late, engineer=world.other_engineer, arrival=at(100), published_at=at(41)
    )
    result = sweep(session=session, now=at(42))
    assert result.back_to_ok == [late.id] and late.sla_state == "ok"
    # a planned arrival already passed counts from now: at 110, arrival >= 110, plus 60-min job
    # still before the resolution due (24 h); response due 120 not yet passed -> ok
    assert sweep(session=session, now=at(110)).at_risk == []
    assert sweep(session=session, now=at(121)).breached == [late.id, early.id]


def test_resolution_at_risk_when_the_follow_up_visit_cannot_make_it(session, world):
    # P2 standard: response 4 h, resolution 48 h (24/7); a 60-min job
    ticket = new_ticket(session, world, at=T0, priority=2, estimated_minutes=60)
    transition(session=session, ticket=ticket, action="triage", actor=world.dispatcher, at=at(1))
    transition(
        session=session,
        ticket=ticket,
        action="dispatch",
        actor=None,
        at=at(2),
        engineer_id=world.engineer.id,
    )
    transition(
        session=session, ticket=ticket, action="arrive", actor=world.engineer_user, at=at(60)
    )
    # on site: expected finish max(now, 60 + 60) -- far from the 48 h due
    assert sweep(session=session, now=at(90)).at_risk == []
    transition(
        session=session,
        ticket=ticket,
        action="need_follow_up",
        actor=world.engineer_user,
        at=at(100),
    )
    due = 48 * 60
    # unplanned second visit: now + 90 (typical) + 60 (job) against the resolution due
    assert sweep(session=session, now=at(due - 150)).at_risk == []
    assert sweep(session=session, now=at(due - 149)).at_risk == [ticket.id]
    transition(
        session=session,
        ticket=ticket,
        action="dispatch",
        actor=None,
        at=at(due - 140),
        engineer_id=world.engineer.id,
    )
    transition(
        session=session, ticket=ticket, action="arrive", actor=world.engineer_user, at=at(due - 100)
    )
    transition(
        session=session, ticket=ticket, action="complete", actor=world.engineer_user, at=at(due - 1)
    )
    assert ticket.sla_state == "met"  # resolved in time after all
    assert sweep(session=session, now=at(due + 10)).checked == 0  # resolved: not swept


def test_on_hold_tickets_do_not_breach_while_paused(session, world):
    ticket = new_ticket(session, world, at=T0, priority=1)
    transition(
        session=session, ticket=ticket, action="hold_customer", actor=world.dispatcher, at=at(10)
    )
    result = sweep(session=session, now=at(5 * 60))  # past the original 2 h response due
    assert result.checked == 0 and ticket.sla_state == "ok"
    transition(
        session=session, ticket=ticket, action="resume", actor=world.dispatcher, at=at(5 * 60)
    )
    assert ticket.response_due == at(120 + 290)  # the 290-min hold is added
    assert sweep(session=session, now=at(5 * 60 + 1)).at_risk == []  # 301 + 90 < 410
    assert sweep(session=session, now=at(411)).breached == [ticket.id]


def test_escalation_to_the_region_at_24h_then_headquarters(session, world):
    fault = new_ticket(session, world, at=T0, priority=3, kind="repair")
    inspection = new_ticket(session, world, at=T0, priority=3, kind="inspection")
    assert sweep(session=session, now=at(24 * 60 - 1)).escalated == []
    result = sweep(session=session, now=at(24 * 60))
    assert [(e.ticket_id, e.level, e.to, e.region_code) for e in result.escalated] == [
        (fault.id, 1, "regional_manager", "LDN")
    ]
    assert fault.escalation_level == 1 and inspection.escalation_level == 0
    assert sweep(session=session, now=at(47 * 60)).escalated == []
    result = sweep(session=session, now=at(48 * 60 + 5))
    assert [(e.level, e.to, e.region_code) for e in result.escalated] == [(2, "headquarters", "HQ")]
    steps = events_of(session, fault, "escalated")
    assert [(e.at, e.after["to"], e.after["threshold_at"]) for e in steps] == [
        (at(24 * 60), "regional_manager", at(24 * 60).isoformat()),
        (at(48 * 60 + 5), "headquarters", at(48 * 60).isoformat()),
    ]
    assert sweep(session=session, now=at(100 * 60)).escalated == []  # top of the ladder


def test_a_late_sweep_takes_every_step_and_holds_delay_escalation(session, world):
    caught_up = new_ticket(session, world, at=T0, priority=3)
    held = new_ticket(session, world, at=T0, priority=3)
    transition(session=session, ticket=held, action="hold_parts", actor=world.dispatcher, at=at(60))
    transition(
        session=session, ticket=held, action="resume", actor=world.dispatcher, at=at(60 + 10 * 60)
    )
    result = sweep(session=session, now=at(50 * 60))
    # the held ticket lost 10 h: its steps come at 34 h and 58 h
    assert [(e.ticket_id, e.level) for e in result.escalated] == [
        (caught_up.id, 1),
        (caught_up.id, 2),
        (held.id, 1),
    ]
    assert sweep(session=session, now=at(58 * 60)).escalated[0].ticket_id == held.id


def test_live_events_only_on_state_changes(settings):
    runtime = Runtime(settings)
    try:
        start = runtime.bus.last_id()
        with runtime.session() as session:
            world = build_world(session)
            ticket = new_ticket(session, world, at=T0, priority=1)
            ticket_id = ticket.id
        for minute in (31, 32, 33, 121, 122, 24 * 60, 24 * 60 + 1):
            with runtime.session() as session:
                sweep(session=session, now=at(minute))
        kinds = [
            (e.kind, e.data.get("ticket_id"))
            for e in runtime.bus.read(start, count=1000)
            if e.kind.startswith("sla.")
        ]
        assert kinds == [
            (EventKind.SLA_AT_RISK, ticket_id),
            (EventKind.SLA_BREACHED, ticket_id),
            (EventKind.SLA_ESCALATED, ticket_id),
        ]
        with runtime.session() as session:
            assert session.get(Ticket, ticket_id).sla_state == "breached"
    finally:
        runtime.close()


def test_a_region_with_a_broken_calendar_does_not_stop_the_sweep(session, world):
    from dispatch.models import Region

    broken = Region(
        code="BAD",
        name="Bad",
        parent_id=world.hq.id,
        timezone="Europe/London",
        calendar={"hours": {"mon": ["09:00", "08:00"]}},
    )
    session.add(broken)
    session.flush()
    fine = new_ticket(session, world, at=T0, priority=1)
    stuck = new_ticket(session, world, at=T0, priority=1)
    stuck.region_id = broken.id
    session.flush()
    session.refresh(stuck)
    result = sweep(session=session, now=at(121))
    assert result.breached == [fine.id]
    assert "calendar.hours" in result.skipped_regions["BAD"]
    assert stuck.sla_state == "ok"
