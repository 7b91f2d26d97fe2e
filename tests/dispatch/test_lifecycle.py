"""The ticket life cycle: every path through the table, refusals, roles, ownership, history."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from dispatch.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from dispatch.infra.events import EventKind
from dispatch.models import (
    FollowUpVisit,
    SlaState,
    Ticket,
    TicketEvent,
    TicketHold,
    TicketStatus,
)
from dispatch.runtime import Runtime
from dispatch.tickets.lifecycle import (
    RULES,
    SYSTEM,
    TRANSITIONS,
    Target,
    allowed_actions,
    assigned_engineer_id,
    transition,
    visit_count,
)
from tests.dispatch.workflow_world import build_world, new_ticket, publish_visit

T0 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)  # a Tuesday; London is on GMT


def minutes(n: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


@pytest.fixture
def runtime(settings):
    rt = Runtime(settings)
    try:
        yield rt
    finally:
        rt.close()


@pytest.fixture
def session(database):
    with database.session() as s:
        yield s


@pytest.fixture
def world(session):
    return build_world(session)


def walk(session, ticket, steps):
    """Take ``(action, actor, minute, context)`` steps; return the statuses after each."""
    statuses = []
    for action, actor, minute, context in steps:
        transition(
            session=session,
            ticket=ticket,
            action=action,
            actor=actor,
            at=minutes(minute),
            reason=f"test {action}",
            **context,
        )
        statuses.append(ticket.status)
    return statuses


def test_the_table_is_one_consistent_graph():
    assert [r.action for r in TRANSITIONS] == list(RULES)  # one row per action
    reachable = {TicketStatus.NEW}
    changed = True
    while changed:
        changed = False
        for rule in TRANSITIONS:
            target = rule.target
            if (
                rule.sources & reachable
                and isinstance(target, TicketStatus)
                and target not in reachable
            ):
                reachable.add(target)
                changed = True
    assert reachable == set(TicketStatus)  # every status can be reached from new
    exits = {s: [r.action for r in TRANSITIONS if s in r.sources] for s in TicketStatus}
    assert exits[TicketStatus.CANCELLED] == []  # the only dead end
    assert exits[TicketStatus.CLOSED] == ["reopen"]
    assert all(exits[s] for s in TicketStatus if s is not TicketStatus.CANCELLED)
    # engineers only do the four field steps, and only on their own tickets
    field = {r.action for r in TRANSITIONS if "engineer" in r.roles}
    assert field == {"start_travel", "arrive", "complete", "need_follow_up"}
    assert all(RULES[a].own_tickets_only for a in field)
    assert RULES["resume"].target is Target.PREVIOUS
    assert SYSTEM not in RULES["handover"].roles


def test_field_path_records_who_when_why_and_announces_after_commit(runtime):
    start = runtime.bus.last_id()
    with runtime.session() as session:
        world = build_world(session)
        ticket = new_ticket(session, world, at=T0, actor=world.dispatcher)
        ticket_id = ticket.id
        statuses = walk(
            session,
            ticket,
            [
                ("triage", world.dispatcher, 5, {}),
                ("schedule", world.dispatcher, 10, {"engineer_id": world.engineer.id}),
                ("dispatch", world.dispatcher, 20, {}),
                ("start_travel", world.engineer_user, 30, {}),
                ("arrive", world.engineer_user, 60, {}),
                ("complete", world.engineer_user, 120, {}),
                ("request_acceptance", None, 121, {}),
                ("close", world.dispatcher, 180, {}),
            ],
        )
        assert runtime.bus.read(start) == []  # nothing before commit
    assert statuses == [
        "triaged",
        "scheduled",
        "dispatched",
        "en_route",
        "on_site",
        "completed",
        "awaiting_acceptance",
        "closed",
    ]
    with runtime.session() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket.owner_id == world.dispatcher.id  # first contact owns it
        assert ticket.responded_at == minutes(60) and ticket.resolved_at == minutes(120)
        assert ticket.sla_state == SlaState.MET.value  # P2: 4 h response, 48 h resolution
        events = session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.seq)
        ).all()
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        transitions = [e for e in events if e.kind == "transition"]
        assert [(e.from_status, e.to_status) for e in transitions][:2] == [
            ("new", "triaged"),
            ("triaged", "scheduled"),
        ]
        arrive = next(e for e in transitions if e.after["action"] == "arrive")
        assert arrive.actor_id == world.engineer_user.id and arrive.at == minutes(60)
        assert arrive.reason == "test arrive"
        assert arrive.before == {"status": "en_route", "responded_at": None}  # what changed
        assert arrive.after["responded_at"] == minutes(60).isoformat()
        assert transitions[-2].actor_id is None  # the system asked for acceptance
        complete = next(i for i, e in enumerate(events) if e.after.get("action") == "complete")
        assert events[complete + 1].kind == "sla"  # met, recorded when resolved
        assert events[complete + 1].after["sla_state"] == "met"
    published = [
        e for e in runtime.bus.read(start, count=1000) if e.kind == EventKind.TICKET_STATUS
    ]
    assert [e.data["action"] for e in published] == [
        "triage",
        "schedule",
        "dispatch",
        "start_travel",
        "arrive",
        "complete",
        "request_acceptance",
        "close",
    ]
    assert published[1].data["engineer_id"] == world.engineer.id


def test_remote_resolution_path(session, world):
    ticket = new_ticket(session, world, at=T0)
    statuses = walk(
        session,
        ticket,
        [
            ("triage", world.dispatcher, 1, {}),
            ("resolve_remotely", world.dispatcher, 30, {}),
            ("request_acceptance", world.dispatcher, 31, {}),
            ("close", world.dispatcher, 40, {}),
        ],
    )
    assert statuses == ["triaged", "resolved_remotely", "awaiting_acceptance", "closed"]
    assert ticket.responded_at == ticket.resolved_at == minutes(30)
    assert visit_count(session=session, ticket=ticket) == 1


def test_follow_up_makes_a_second_visit_on_the_same_ticket(session, world):
    ticket = new_ticket(session, world, at=T0)
    walk(
        session,
        ticket,
        [
            ("triage", world.dispatcher, 1, {}),
            ("dispatch", world.dispatcher, 2, {"engineer_id": world.engineer.id}),
            ("arrive", world.engineer_user, 60, {}),
            ("need_follow_up", world.engineer_user, 90, {"parts": ["compressor"]}),
        ],
    )
    assert ticket.status == "needs_follow_up" and ticket.resolved_at is None
    assert visit_count(session=session, ticket=ticket) == 2
    follow_up = session.scalar(select(FollowUpVisit).where(FollowUpVisit.ticket_id == ticket.id))
    assert follow_up.visit_number == 2 and follow_up.parts == ["compressor"]
    assert follow_up.reason == "test need_follow_up"
    walk(
        session,
        ticket,
        [
            ("hold_parts", world.dispatcher, 100, {}),
            ("resume", world.dispatcher, 24 * 60, {}),
            ("dispatch", None, 24 * 60 + 5, {"engineer_id": world.other_engineer.id}),
            ("arrive", world.other_engineer_user, 25 * 60, {}),
            ("complete", world.other_engineer_user, 26 * 60, {}),
        ],
    )
    assert ticket.status == "completed"
    assert ticket.responded_at == minutes(60)  # the first arrival was the response
    assert ticket.resolved_at == minutes(26 * 60)
    assert visit_count(session=session, ticket=ticket) == 2
    count = session.scalar(
        select(func.count()).select_from(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
    )
    assert count >= 10  # the whole history is kept on the one ticket


def test_hold_resumes_to_where_it_was_even_after_switching_hold_kind(session, world):
    ticket = new_ticket(session, world, at=T0)
    walk(
        session,
        ticket,
        [
            ("triage", world.dispatcher, 1, {}),
            ("dispatch", world.dispatcher, 2, {"engineer_id": world.engineer.id}),
            ("hold_customer", world.dispatcher, 10, {}),
            ("hold_parts", world.dispatcher, 20, {}),
        ],
    )
    holds = session.scalars(
        select(TicketHold).where(TicketHold.ticket_id == ticket.id).order_by(TicketHold.id)
    ).all()
    assert [(h.kind, h.resume_status, h.ended_at) for h in holds] == [
        ("customer", "dispatched", minutes(20)),
        ("parts", "dispatched", None),
    ]
    event = transition(
        session=session, ticket=ticket, action="resume", actor=world.dispatcher, at=minutes(50)
    )
    assert ticket.status == "dispatched"
    assert (event.from_status, event.to_status) == ("on_hold_parts", "dispatched")
    assert holds[1].ended_at == minutes(50)


def test_cancel_and_the_dead_end(session, world):
    ticket = new_ticket(session, world, at=T0)
    walk(
        session,
        ticket,
        [
            ("triage", world.dispatcher, 1, {}),
            ("hold_customer", world.dispatcher, 2, {}),
            ("cancel", world.dispatcher, 3, {}),
        ],
    )
    assert ticket.status == "cancelled"
    hold = session.scalar(select(TicketHold).where(TicketHold.ticket_id == ticket.id))
    assert hold.ended_at == minutes(3)  # cancelling ends the hold
    assert allowed_actions(session=session, ticket=ticket, actor=world.admin) == []
    with pytest.raises(TransitionNotAllowed) as refused:
        transition(session=session, ticket=ticket, action="reopen", actor=world.dispatcher)
    assert refused.value.details["allowed"] == []


def test_no_cancel_while_on_site(session, world):
    ticket = new_ticket(session, world, at=T0)
    walk(
        session,
        ticket,
        [
            ("triage", world.dispatcher, 1, {}),
            ("dispatch", world.dispatcher, 2, {"engineer_id": world.engineer.id}),
            ("arrive", world.engineer_user, 30, {}),
        ],
    )
    with pytest.raises(TransitionNotAllowed) as refused:
        transition(session=session, ticket=ticket, action="cancel", actor=world.dispatcher)
    assert refused.value.field == "action"
    assert "hold_customer" in refused.value.details["allowed"]
    assert "cancel" not in refused.value.details["allowed"]


def test_reopen_restarts_the_clocks_and_keeps_the_owner(session, world):
    ticket = new_ticket(session, world, at=T0, priority=1)
    walk(
        session,
        ticket,
        [
            ("triage", world.dispatcher, 1, {}),
            ("resolve_remotely", world.dispatcher, 30, {}),
            ("request_acceptance", world.dispatcher, 31, {}),
            ("close", world.dispatcher, 40, {}),
        ],
    )
    assert ticket.sla_state == "met"
    reopened_at = minutes(3 * 24 * 60)
    transition(
        session=session,
        ticket=ticket,
        action="reopen",
        actor=world.other_dispatcher,
        at=reopened_at,
        reason="fault is back",
    )
    assert ticket.status == "reopened" and ticket.sla_state == "ok"
    assert ticket.responded_at is None and ticket.resolved_at is None
    # P1 standard: response 2 h, resolution 24 h, both 24/7, from the reopening
    assert ticket.response_due == reopened_at + dt.timedelta(hours=2)
    assert ticket.resolution_due == reopened_at + dt.timedelta(hours=24)
    transition(
        session=session,
        ticket=ticket,
        action="triage",
        actor=world.other_dispatcher,
        at=reopened_at + dt.timedelta(minutes=5),
    )
    assert ticket.owner_id == world.dispatcher.id  # first contact stays the owner


def test_handover_only_by_the_owner_or_an_admin(session, world):
    ticket = new_ticket(session, world, at=T0)
    transition(
        session=session, ticket=ticket, action="triage", actor=world.dispatcher, at=minutes(1)
    )
    assert "handover" not in allowed_actions(
        session=session, ticket=ticket, actor=world.other_dispatcher
    )
    with pytest.raises(PermissionDenied):
        transition(
            session=session,
            ticket=ticket,
            action="handover",
            actor=world.other_dispatcher,
            new_owner_id=world.other_dispatcher.id,
        )
    with pytest.raises(InvalidInput) as bad:
        transition(
            session=session,
            ticket=ticket,
            action="handover",
            actor=world.dispatcher,
            new_owner_id=world.engineer_user.id,
        )
    assert bad.value.field == "new_owner_id"
    with pytest.raises(InvalidInput):
        transition(session=session, ticket=ticket, action="handover", actor=world.dispatcher)
    event = transition(
        session=session,
        ticket=ticket,
        action="handover",
        actor=world.dispatcher,
        at=minutes(5),
        new_owner_id=world.other_dispatcher.id,
        reason="shift ends",
    )
    assert ticket.owner_id == world.other_dispatcher.id and ticket.status == "triaged"
    assert event.before == {"owner_id": world.dispatcher.id}
    assert event.after["owner_id"] == world.other_dispatcher.id and event.reason == "shift ends"
    transition(
        session=session,
        ticket=ticket,
        action="handover",
        actor=world.admin,
        at=minutes(6),
        new_owner_id=world.dispatcher.id,
    )
    assert ticket.owner_id == world.dispatcher.id
    with pytest.raises(PermissionDenied):
        transition(
            session=session,
            ticket=ticket,
            action="handover",
            actor=None,
            new_owner_id=world.admin.id,
        )


def test_engineers_only_do_field_steps_on_their_own_tickets(session, world):
    ticket = new_ticket(session, world, at=T0)
    with pytest.raises(PermissionDenied):
        transition(session=session, ticket=ticket, action="triage", actor=world.engineer_user)
    walk(
        session,
        ticket,
        [
            ("triage", world.dispatcher, 1, {}),
            ("dispatch", world.dispatcher, 2, {"engineer_id": world.engineer.id}),
        ],
    )
    assert assigned_engineer_id(session=session, ticket=ticket) == world.engineer.id
    with pytest.raises(PermissionDenied):
        transition(
            session=session, ticket=ticket, action="start_travel", actor=world.other_engineer_user
        )
    assert allowed_actions(session=session, ticket=ticket, actor=world.other_engineer_user) == []
    assert allowed_actions(session=session, ticket=ticket, actor=world.engineer_user) == [
        "start_travel",
        "arrive",
    ]
    with pytest.raises(PermissionDenied):  # dispatchers do not do field steps
        transition(session=session, ticket=ticket, action="arrive", actor=world.dispatcher)
    with pytest.raises(PermissionDenied):
        transition(session=session, ticket=ticket, action="cancel", actor=world.engineer_user)
    transition(
        session=session, ticket=ticket, action="arrive", actor=world.engineer_user, at=minutes(40)
    )
    assert ticket.status == "on_site"


def test_a_newer_published_plan_reassigns_the_ticket(session, world):
    ticket = new_ticket(session, world, at=T0)
    walk(
        session,
        ticket,
        [
            ("triage", world.dispatcher, 1, {}),
            ("dispatch", None, 2, {"engineer_id": world.engineer.id}),
        ],
    )
    publish_visit(
        session,
        world,
        ticket,
        engineer=world.other_engineer,
        arrival=minutes(120),
        published_at=minutes(30),
    )
    assert assigned_engineer_id(session=session, ticket=ticket) == world.other_engineer.id
    with pytest.raises(PermissionDenied):
        transition(session=session, ticket=ticket, action="arrive", actor=world.engineer_user)
    transition(
        session=session,
        ticket=ticket,
        action="arrive",
        actor=world.other_engineer_user,
        at=minutes(110),
    )
    transition(
        session=session,
        ticket=ticket,
        action="need_follow_up",
        actor=world.other_engineer_user,
        at=minutes(150),
    )
    transition(
        session=session,
        ticket=ticket,
        action="dispatch",
        actor=world.dispatcher,
        at=minutes(160),
        engineer_id=world.engineer.id,
    )
    assert assigned_engineer_id(session=session, ticket=ticket) == world.engineer.id


def test_refused_requests_change_nothing(session, world):
    ticket = new_ticket(session, world, at=T0)
    transition(
        session=session, ticket=ticket, action="triage", actor=world.dispatcher, at=minutes(1)
    )
    before = (ticket.status, ticket.owner_id, ticket.response_due)

    def count():
        return session.scalar(
            select(func.count()).select_from(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
        )

    events_before = count()
    with pytest.raises(TransitionNotAllowed) as refused:
        transition(session=session, ticket=ticket, action="close", actor=world.dispatcher)
    assert refused.value.details == {
        "ticket_status": "triaged",
        "allowed": [
            "resolve_remotely",
            "schedule",
            "dispatch",
            "hold_customer",
            "hold_parts",
            "cancel",
            "handover",
            "reprioritise",
        ],
    }
    with pytest.raises(InvalidInput) as unknown:
        transition(session=session, ticket=ticket, action="teleport", actor=world.dispatcher)
    assert unknown.value.field == "action"
    with pytest.raises(InvalidInput) as param:
        transition(
            session=session,
            ticket=ticket,
            action="unschedule",
            actor=world.dispatcher,
            engineer_id=world.engineer.id,
        )
    assert param.value.field == "engineer_id"
    with pytest.raises(InvalidInput) as engineer:
        transition(
            session=session,
            ticket=ticket,
            action="dispatch",
            actor=world.dispatcher,
            engineer_id=99999,
        )
    assert engineer.value.field == "engineer_id"
    assert (ticket.status, ticket.owner_id, ticket.response_due) == before
    assert count() == events_before


def test_reprioritise_recomputes_due_instants(session, world):
    ticket = new_ticket(session, world, at=T0, priority=3)
    assert ticket.response_due == T0 + dt.timedelta(hours=24)
    transition(
        session=session,
        ticket=ticket,
        action="reprioritise",
        actor=world.dispatcher,
        at=minutes(10),
        priority=1,
        reason="passenger trapped",
    )
    assert ticket.priority == 1
    assert ticket.response_due == T0 + dt.timedelta(hours=2)  # still from the request
    with pytest.raises(InvalidInput) as same:
        transition(
            session=session,
            ticket=ticket,
            action="reprioritise",
            actor=world.dispatcher,
            priority=1,
        )
    assert same.value.field == "priority"
    with pytest.raises(InvalidInput):
        transition(
            session=session,
            ticket=ticket,
            action="reprioritise",
            actor=world.dispatcher,
            priority=7,
        )


def test_system_steps_and_admin_override(session, world):
    ticket = new_ticket(session, world, at=T0)
    transition(session=session, ticket=ticket, action="triage", actor=None, at=minutes(1))
    assert ticket.owner_id is None  # the system takes no ownership
    transition(
        session=session,
        ticket=ticket,
        action="dispatch",
        actor=None,
        at=minutes(2),
        engineer_id=world.engineer.id,
    )
    transition(session=session, ticket=ticket, action="arrive", actor=None, at=minutes(30))
    transition(session=session, ticket=ticket, action="complete", actor=world.admin, at=minutes(60))
    assert ticket.status == "completed"
    assert "reopen" in allowed_actions(session=session, ticket=ticket, actor=world.admin)
    assert "reopen" not in allowed_actions(session=session, ticket=ticket, actor=None)
    with pytest.raises(InvalidInput):
        transition(
            session=session,
            ticket=ticket,
            action="reopen",
            actor=world.admin,
            at=dt.datetime(2026, 11, 25, 9, 0),
        )  # naive


def test_two_concurrent_attempts_make_one_transition(database):
    import threading

    from sqlalchemy.exc import OperationalError

    with database.session() as session:
        world = build_world(session)
        ticket_id = new_ticket(session, world, at=T0).id
        dispatchers = (world.dispatcher.id, world.other_dispatcher.id)
    outcomes: list[str] = []

    def attempt(user_id: int, started: threading.Event | None = None) -> None:
        try:
            with database.session() as session:
                ticket = session.get(Ticket, ticket_id)
                actor = session.get(type(world.dispatcher), user_id)
                transition(
                    session=session, ticket=ticket, action="triage", actor=actor, at=minutes(1)
                )
                if started is not None:
                    started.wait(timeout=10)  # hold the lock until the rival has started
            outcomes.append("done")
        except TransitionNotAllowed:
            outcomes.append("refused")
        except OperationalError:  # SQLite: a stale snapshot may not write
            outcomes.append("refused")

    rival_started = threading.Event()
    first = threading.Thread(target=attempt, args=(dispatchers[0], rival_started))
    second = threading.Thread(target=lambda: (rival_started.set(), attempt(dispatchers[1])))
    first.start()
    second.start()
    first.join(timeout=60)
    second.join(timeout=60)
    assert sorted(outcomes) == ["done", "refused"]
    with database.session() as session:
        triages = session.scalars(
            select(TicketEvent).where(
                TicketEvent.ticket_id == ticket_id, TicketEvent.to_status == "triaged"
            )
        ).all()
        assert len(triages) == 1
        assert session.get(Ticket, ticket_id).owner_id == triages[0].actor_id
