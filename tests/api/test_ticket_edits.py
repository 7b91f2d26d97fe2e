"""PATCH /tickets/{id}: each field, SLA clocks, stale plans, pins, refusals that change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from dispatch.models import (
    Engineer,
    EngineerSkill,
    OutboxEvent,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from dispatch.tickets.edits import ENGINEER_RULES_CHANGED, facts
from dispatch.tickets.lifecycle import transition
from tests.api.service_world import (
    DAY,
    MORNING,
    ZONE,
    day_client,
    engineer_login,
    published_assignment,
    report_ticket,
    run_plan,
    world,
)
from tests.conftest import login

__all__ = ["day_client", "world"]


def _at(hour: int, minute: int = 0) -> str:
    return dt.datetime.combine(DAY, dt.time(hour, minute), ZONE).isoformat()


def _triaged(database, *, at=MORNING, priority=3, minutes=45) -> int:
    ticket_id = report_ticket(database, at=at, priority=priority, minutes=minutes)
    with database.session() as session:
        ticket = session.get(Ticket, ticket_id)
        transition(session=session, ticket=ticket, action="triage", actor=None, at=at)
    return ticket_id


def _qualified(database, ticket_id: int) -> list[int]:
    """Active engineers with the ticket's skill at its level, by id."""
    with database.session() as session:
        ticket = session.get(Ticket, ticket_id)
        return sorted(
            session.scalars(
                select(Engineer.id)
                .join(EngineerSkill, EngineerSkill.engineer_id == Engineer.id)
                .where(
                    EngineerSkill.skill == ticket.required_skill,
                    EngineerSkill.level >= ticket.min_level,
                    Engineer.active.is_(True),
                )
            )
        )


def _state(database, ticket_id: int) -> tuple[dict, int]:
    with database.session() as session:
        ticket = session.get(Ticket, ticket_id)
        events = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id))
        return facts(ticket), len(events.all())


def test_every_editable_field_changes_and_is_recorded(day_client, database):
    headers = login(day_client, "dispatcher")
    ticket_id = _triaged(database)
    e1, e2, e3 = _qualified(database, ticket_id)[:3]
    with database.session() as session:
        skill = session.get(Ticket, ticket_id).required_skill
    body = {
        "priority": 2,
        "windows": [{"start": _at(13), "end": _at(17)}],
        "estimated_minutes": 75,
        "required_skill": skill,
        "min_level": 1,
        "preferred_engineer_ids": [e1],
        "required_engineer_ids": [e2, e3],
        "excluded_engineer_ids": [],
        "pinned_engineer_id": e2,
        "symptoms": "door rattles",
    }

    response = day_client.patch(f"/api/v1/tickets/{ticket_id}", json=body, headers=headers)

    assert response.status_code == 200, response.text
    got = response.json()
    assert got["priority"] == 2 and got["estimated_minutes"] == 75
    assert got["symptoms"] == "door rattles" and got["min_level"] == 1
    assert got["preferred_engineer_ids"] == [e1]
    assert got["required_engineer_ids"] == sorted([e2, e3])
    assert got["pinned_engineer_id"] == e2
    assert [dt.datetime.fromisoformat(w["start"]) for w in got["windows"]] == [
        dt.datetime.combine(DAY, dt.time(13), ZONE)
    ]
    updated = [e for e in got["events"] if e["kind"] == "updated"]
    assert len(updated) == 1
    assert updated[0]["actor"] == "dispatcher"
    assert updated[0]["before"]["priority"] == 3 and updated[0]["after"]["priority"] == 2
    assert updated[0]["before"]["pinned_engineer_id"] is None
    assert updated[0]["after"]["pinned_engineer_id"] == e2
    assert "required_skill" not in updated[0]["after"]  # unchanged facts are not recorded

    unpinned = day_client.patch(
        f"/api/v1/tickets/{ticket_id}", json={"pinned_engineer_id": None}, headers=headers
    )
    assert unpinned.status_code == 200 and unpinned.json()["pinned_engineer_id"] is None
    same = day_client.patch(f"/api/v1/tickets/{ticket_id}", json={"priority": 2}, headers=headers)
    assert same.status_code == 200
    assert len([e for e in same.json()["events"] if e["kind"] == "updated"]) == 2  # no-op: none


def test_a_priority_change_recomputes_the_sla_clocks_from_the_report(day_client, database):
    headers = login(day_client, "dispatcher")
    reported = MORNING - dt.timedelta(hours=3)
    ticket_id = _triaged(database, at=reported, priority=4)
    twin = report_ticket(database, at=reported, priority=1)  # the same request as a P1
    with database.session() as session:
        want = session.get(Ticket, twin)
        want_due = (want.response_due, want.resolution_due)

    response = day_client.patch(
        f"/api/v1/tickets/{ticket_id}", json={"priority": 1}, headers=headers
    )

    assert response.status_code == 200, response.text
    got = response.json()
    assert (
        dt.datetime.fromisoformat(got["response_due"]),
        dt.datetime.fromisoformat(got["resolution_due"]),
    ) == want_due
    # reported 3 h ago, a P1 must be answered within 1-2 h: breached now
    assert got["sla_state"] == "breached"
    assert any(e["kind"] == "sla" for e in got["events"])

    back = day_client.patch(f"/api/v1/tickets/{ticket_id}", json={"priority": 4}, headers=headers)

    assert back.status_code == 200
    assert back.json()["sla_state"] == "ok"  # judged afresh against the looser targets
    assert dt.datetime.fromisoformat(back.json()["response_due"]) > MORNING


def test_an_edit_makes_a_computed_plan_stale_but_symptoms_do_not(day_client, database):
    headers = login(day_client, "dispatcher")
    plan_id = run_plan(day_client, headers)
    plan = day_client.get(f"/api/v1/plans/{plan_id}", headers=headers).json()
    victim = plan["routes"][0]["visits"][0]["ticket_id"]
    notes = day_client.patch(
        f"/api/v1/tickets/{victim}", json={"symptoms": "also noisy"}, headers=headers
    )
    assert notes.status_code == 200
    minutes = notes.json()["estimated_minutes"]
    edited = day_client.patch(
        f"/api/v1/tickets/{victim}", json={"estimated_minutes": minutes + 30}, headers=headers
    )
    assert edited.status_code == 200

    response = day_client.post(f"/api/v1/plans/{plan_id}/publish", headers=headers)

    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "stale_plan"
    assert [c["ticket_id"] for c in problem["changes"]] == [victim]
    assert problem["changes"][0]["kind"] == "ticket_changed"
    fresh = run_plan(day_client, headers)
    assert day_client.post(f"/api/v1/plans/{fresh}/publish", headers=headers).status_code == 200


def test_a_pin_is_honoured_by_the_next_optimisation(day_client, database):
    headers = login(day_client, "dispatcher")
    ticket_id = _triaged(database, priority=1, minutes=30)  # no window: any time today
    first = run_plan(day_client, headers)
    assert day_client.post(f"/api/v1/plans/{first}/publish", headers=headers).status_code == 200
    engineer = published_assignment(database)[ticket_id]
    other = next(e for e in _qualified(database, ticket_id) if e != engineer)

    response = day_client.patch(
        f"/api/v1/tickets/{ticket_id}", json={"pinned_engineer_id": other}, headers=headers
    )

    assert response.status_code == 200, response.text
    detail = response.json()
    # pinned to another engineer than the published one: back to the pool, announced
    assert detail["status"] == TicketStatus.TRIAGED.value
    assert detail["assigned_engineer_id"] is None
    assert detail["events"][-1]["reason"] == ENGINEER_RULES_CHANGED
    with database.session() as session:
        announced = [
            e.data
            for e in session.scalars(
                select(OutboxEvent).where(OutboxEvent.kind == "ticket.updated")
            )
        ]
    assert len(announced) == 1
    assert announced[0]["ticket_id"] == ticket_id and announced[0]["back_to_pool"] is True
    assert announced[0]["published_plan_ids"] == [first]

    second = run_plan(day_client, headers)
    plan = day_client.get(f"/api/v1/plans/{second}", headers=headers).json()
    planned = {v["ticket_id"]: r["engineer_id"] for r in plan["routes"] for v in r["visits"]}
    status = day_client.get(f"/api/v1/tickets/{ticket_id}", headers=headers).json()["status"]
    mine = [u for u in plan["unassigned"] if u["ticket_id"] == ticket_id]
    assert planned.get(ticket_id) == other, (mine, status, other, engineer)
    assert day_client.post(f"/api/v1/plans/{second}/publish", headers=headers).status_code == 200
    assert published_assignment(database)[ticket_id] == other


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"priority": 7}, 422, "priority"),
        ({"estimated_minutes": 0}, 422, "estimated_minutes"),
        ({"min_level": 4}, 422, "min_level"),
        ({"required_skill": "juggling"}, 422, "required_skill"),
        ({"windows": [{"start": "13:00", "end": "12:00"}]}, 422, "windows.0.start"),
        ("end before start", 422, "windows.0.end"),
        ({"excluded_engineer_ids": [999_999]}, 404, "excluded_engineer_ids.0"),
        ("named twice", 422, "excluded_engineer_ids.0"),
        ("pin inactive", 422, "pinned_engineer_id"),
        ("pin unskilled", 422, "pinned_engineer_id"),
        ("pin excluded", 422, "pinned_engineer_id"),
        ({"unknown": 1}, 422, "unknown"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(day_client, database, body, status, field):
    headers = login(day_client, "dispatcher")
    ticket_id = _triaged(database)
    qualified = _qualified(database, ticket_id)
    with database.session() as session:
        skill = session.get(Ticket, ticket_id).required_skill
        unskilled = session.scalar(
            select(Engineer.id).where(
                ~Engineer.id.in_(
                    select(EngineerSkill.engineer_id).where(EngineerSkill.skill == skill)
                )
            )
        )
        inactive = session.get(Engineer, qualified[0])
        if body == "pin inactive":
            inactive.active = False
    body = (
        {
            "end before start": {"windows": [{"start": _at(13), "end": _at(12)}]},
            "named twice": {
                "preferred_engineer_ids": [qualified[1]],
                "excluded_engineer_ids": [qualified[1]],
            },
            "pin inactive": {"pinned_engineer_id": qualified[0]},
            "pin unskilled": {"pinned_engineer_id": unskilled},
            "pin excluded": {
                "pinned_engineer_id": qualified[1],
                "excluded_engineer_ids": [qualified[1]],
            },
        }.get(body, body)
        if isinstance(body, str)
        else body
    )
    assert "pinned_engineer_id" not in body or body["pinned_engineer_id"] is not None
    before = _state(database, ticket_id)

    response = day_client.patch(f"/api/v1/tickets/{ticket_id}", json=body, headers=headers)

    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["field"] == field
    assert _state(database, ticket_id) == before


def test_engineers_may_not_edit_and_finished_tickets_stay_as_they_were(day_client, database):
    ticket_id = _triaged(database)
    engineer = _qualified(database, ticket_id)[0]
    field_headers = engineer_login(day_client, database, engineer)
    refused = day_client.patch(
        f"/api/v1/tickets/{ticket_id}", json={"priority": 1}, headers=field_headers
    )
    assert refused.status_code == 403

    headers = login(day_client, "dispatcher")
    cancelled = day_client.post(
        f"/api/v1/tickets/{ticket_id}/transitions",
        json={"action": "cancel", "reason": "duplicate"},
        headers=headers,
    )
    assert cancelled.status_code == 200, cancelled.text
    before = _state(database, ticket_id)
    response = day_client.patch(
        f"/api/v1/tickets/{ticket_id}", json={"priority": 1}, headers=headers
    )
    assert response.status_code == 409
    assert response.json()["field"] == "status"
    assert _state(database, ticket_id) == before
    assert day_client.patch("/api/v1/tickets/999999", json={}, headers=headers).status_code == 404


def test_a_dispatched_ticket_cannot_exclude_its_engineer(day_client, database):
    headers = login(day_client, "dispatcher")
    ticket_id = _triaged(database)
    engineer, other = _qualified(database, ticket_id)[:2]
    sent = day_client.post(
        f"/api/v1/tickets/{ticket_id}/transitions",
        json={"action": "dispatch", "engineer_id": engineer},
        headers=headers,
    )
    assert sent.status_code == 200, sent.text
    before = _state(database, ticket_id)

    excluded = day_client.patch(
        f"/api/v1/tickets/{ticket_id}", json={"excluded_engineer_ids": [engineer]}, headers=headers
    )
    pinned = day_client.patch(
        f"/api/v1/tickets/{ticket_id}", json={"pinned_engineer_id": other}, headers=headers
    )

    rebooked = day_client.patch(
        f"/api/v1/tickets/{ticket_id}",
        json={"windows": [{"start": _at(15), "end": _at(16)}]},
        headers=headers,
    )
    assert excluded.status_code == 409 and excluded.json()["field"] == "excluded_engineer_ids"
    assert rebooked.status_code == 409 and rebooked.json()["field"] == "windows"
    assert pinned.status_code == 409 and pinned.json()["field"] == "pinned_engineer_id"
    assert _state(database, ticket_id) == before
    own = day_client.patch(
        f"/api/v1/tickets/{ticket_id}", json={"pinned_engineer_id": engineer}, headers=headers
    )
    assert own.status_code == 200 and own.json()["status"] == TicketStatus.DISPATCHED.value
