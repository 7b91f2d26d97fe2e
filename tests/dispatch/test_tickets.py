"""Creating, listing and reading tickets; satisfaction surveys."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy.exc import IntegrityError

from dispatch.errors import Conflict, InvalidInput, NotFound, TransitionNotAllowed
from dispatch.models import Survey
from dispatch.tickets.lifecycle import transition
from dispatch.tickets.records import (
    TicketDraft,
    create_ticket,
    get_ticket,
    list_tickets,
    ticket_events,
)
from dispatch.tickets.surveys import record_survey, survey_for
from tests.dispatch.workflow_world import build_world, new_ticket

T0 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def session(database):
    with database.session() as s:
        yield s


@pytest.fixture
def world(session):
    return build_world(session)


def draft(world, **changes):
    base = dict(
        customer_id=world.customer.id,
        site_id=world.site.id,
        asset_id=world.asset.id,
        kind="repair",
        priority=2,
        estimated_minutes=60,
    )
    return TicketDraft(**(base | changes))


def test_create_numbers_validates_and_computes_due_instants(session, world):
    ticket = create_ticket(
        session=session,
        actor=world.dispatcher,
        at=T0,
        draft=draft(
            world,
            symptoms="no cooling",
            fault_codes=[" E42 ", ""],
            windows=[(T0, T0 + dt.timedelta(hours=4))],
            engineer_rules=[(world.engineer.id, "preferred")],
        ),
    )
    assert ticket.number == "ACME-REP-20261124-0001"
    assert ticket.required_skill == "hvac"  # from the asset
    assert ticket.region_id == world.region.id and ticket.status == "new"
    assert ticket.fault_codes == ["E42"]
    assert ticket.response_due == T0 + dt.timedelta(hours=4)  # P2 standard
    assert ticket.resolution_due == T0 + dt.timedelta(hours=48)
    assert ticket.engineer_rules[0].kind == "preferred"
    [created] = ticket_events(session=session, ticket=ticket)
    assert (created.seq, created.kind, created.to_status, created.actor_id) == (
        1,
        "created",
        "new",
        world.dispatcher.id,
    )
    assert created.after["response_due"] == ticket.response_due.isoformat()
    second = create_ticket(
        session=session,
        actor=None,
        at=T0 + dt.timedelta(hours=1),
        draft=draft(world, kind="inspection", priority=4),
    )
    third = create_ticket(
        session=session,
        actor=None,
        at=T0 + dt.timedelta(hours=2),
        draft=draft(world, kind="inspection", priority=4),
    )
    assert (second.number, third.number) == ("ACME-INSP-20261124-0001", "ACME-INSP-20261124-0002")


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        (dict(customer_id=999), NotFound, "customer_id"),
        (dict(site_id=999), NotFound, "site_id"),
        (dict(asset_id=999), NotFound, "asset_id"),
        (dict(priority=0), InvalidInput, "priority"),
        (dict(priority=5), InvalidInput, "priority"),
        (dict(kind="magic"), InvalidInput, "kind"),
        (dict(channel="pigeon"), InvalidInput, "channel"),
        (dict(estimated_minutes=0), InvalidInput, "estimated_minutes"),
        (dict(min_level=4), InvalidInput, "min_level"),
        (dict(required_skill="Plumbing!"), InvalidInput, "required_skill"),
        (dict(required_skill="plumbing"), InvalidInput, "required_skill"),
        (dict(asset_id=None, required_skill=None), InvalidInput, "required_skill"),
        (dict(windows=[(T0, T0)]), InvalidInput, "windows.0.end"),
        (
            dict(
                windows=[
                    (T0, T0 + dt.timedelta(hours=1)),
                    (T0 + dt.timedelta(hours=3), T0 + dt.timedelta(hours=2)),
                ]
            ),
            InvalidInput,
            "windows.1.end",
        ),
        (dict(windows=[(dt.datetime(2026, 11, 24, 9), T0)]), InvalidInput, "windows.0.start"),
        (dict(fault_started_at=T0 + dt.timedelta(hours=1)), InvalidInput, "fault_started_at"),
        (dict(engineer_rules=[(999, "preferred")]), NotFound, "engineer_rules.0.engineer_id"),
    ],
)
def test_create_refuses_bad_input_naming_the_field(session, world, changes, error, field):
    with pytest.raises(error) as refused:
        create_ticket(session=session, actor=world.dispatcher, at=T0, draft=draft(world, **changes))
    assert refused.value.field == field


def test_site_and_asset_must_belong_together(session, world):
    with pytest.raises(InvalidInput) as site:
        create_ticket(
            session=session, actor=None, at=T0, draft=draft(world, site_id=world.vip_site.id)
        )
    assert site.value.field == "site_id"
    with pytest.raises(InvalidInput) as asset:
        create_ticket(
            session=session,
            actor=None,
            at=T0,
            draft=draft(world, customer_id=world.vip.id, site_id=world.vip_site.id),
        )
    assert asset.value.field == "asset_id"
    with pytest.raises(InvalidInput) as rule:
        create_ticket(
            session=session,
            actor=None,
            at=T0,
            draft=draft(world, engineer_rules=[(world.engineer.id, "loved")]),
        )
    assert rule.value.field == "engineer_rules.0.kind"
    with pytest.raises(InvalidInput) as twice:
        create_ticket(
            session=session,
            actor=None,
            at=T0,
            draft=draft(
                world,
                engineer_rules=[(world.engineer.id, "preferred"), (world.engineer.id, "excluded")],
            ),
        )
    assert twice.value.field == "engineer_rules.1.engineer_id"
    with pytest.raises(InvalidInput) as unknown_skill:
        create_ticket(
            session=session, actor=None, at=T0, draft=draft(world, required_skill="solar")
        )
    assert "known skills: elevator, hvac" in unknown_skill.value.message


def test_list_filters_and_pages(session, world):
    emergency = new_ticket(session, world, at=T0, priority=1)
    planned = new_ticket(session, world, at=T0, priority=4, kind="inspection")
    vip = new_ticket(session, world, at=T0 + dt.timedelta(minutes=5), priority=2, vip=True)
    transition(session=session, ticket=vip, action="triage", actor=world.dispatcher, at=T0)
    planned.sla_state = "at_risk"
    session.flush()
    everything = list_tickets(session=session)
    assert [t.id for t in everything.items] == [emergency.id, vip.id, planned.id]  # most urgent
    assert [t.id for t in list_tickets(session=session, status="triaged").items] == [vip.id]
    assert [t.id for t in list_tickets(session=session, tier=4).items] == [planned.id]
    assert [t.id for t in list_tickets(session=session, sla_state="at_risk").items] == [planned.id]
    assert list_tickets(session=session, region_code="HQ").total == 3
    assert list_tickets(session=session, region_code="LDN", status="closed").total == 0
    page = list_tickets(session=session, limit=2, offset=2)
    assert (page.total, [t.id for t in page.items]) == (3, [planned.id])
    with pytest.raises(NotFound):
        list_tickets(session=session, region_code="ZZZ")
    with pytest.raises(InvalidInput) as bad:
        list_tickets(session=session, status="lost")
    assert bad.value.field == "status"
    with pytest.raises(InvalidInput):
        list_tickets(session=session, tier=9)
    with pytest.raises(NotFound):
        get_ticket(session=session, ticket_id=12345)
    assert get_ticket(session=session, ticket_id=vip.id) is vip


def test_surveys_come_after_closure_once_and_in_range(session, world):
    ticket = new_ticket(session, world, at=T0)
    with pytest.raises(TransitionNotAllowed):
        record_survey(session=session, ticket=ticket, score=5, actor=world.dispatcher)
    for action in ("triage", "resolve_remotely", "request_acceptance", "close"):
        transition(session=session, ticket=ticket, action=action, actor=world.dispatcher, at=T0)
    for bad in (0, 6, True):
        with pytest.raises(InvalidInput) as out_of_range:
            record_survey(session=session, ticket=ticket, score=bad, actor=world.dispatcher)
        assert out_of_range.value.field == "score"
    survey = record_survey(
        session=session,
        ticket=ticket,
        score=4,
        comment="quick",
        actor=world.dispatcher,
        at=T0 + dt.timedelta(days=1),
    )
    assert survey_for(session=session, ticket=ticket) is survey
    assert ticket_events(session=session, ticket=ticket)[-1].after == {"score": 4}
    with pytest.raises(Conflict):
        record_survey(session=session, ticket=ticket, score=2, actor=world.dispatcher)


def test_the_database_refuses_out_of_range_scores(database):
    with database.session() as session:
        world = build_world(session)
        ticket = new_ticket(session, world, at=T0)
        ticket_id = ticket.id
    with pytest.raises(IntegrityError), database.session() as session:
        session.add(Survey(ticket_id=ticket_id, score=6, recorded_at=T0))
        session.flush()
    with database.session() as session:
        assert (
            survey_for(session=session, ticket=get_ticket(session=session, ticket_id=ticket_id))
            is None
        )


def test_numbers_use_the_regions_local_day(session):
    world = build_world(session, timezone="Asia/Shanghai", code="SHA")
    late_evening_utc = dt.datetime(2026, 11, 24, 20, 0, tzinfo=dt.UTC)  # 04:00 on the 25th
    ticket = new_ticket(session, world, at=late_evening_utc)
    assert re.fullmatch(r"ACME-REP-20261125-0001", ticket.number)
