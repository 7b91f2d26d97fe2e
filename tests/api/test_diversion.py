"""Emergencies may interrupt lower-tier work: an engineer driving to a P3/P4 visit is
called off for a P1 that nobody else reaches in time (the SLA policy's ``divert``); the
interrupted visit goes back to the pool with its reason. A P2 (no ``divert`` in the
shipped policy) never interrupts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from dispatch.models import Engineer, Site, Ticket, TicketEvent, TicketStatus, User
from dispatch.tickets.lifecycle import transition
from dispatch.tickets.records import TicketDraft, create_ticket
from tests.api.service_world import (
    MORNING,
    day_client,
    engineer_login,
    run_plan,
    world,
)
from tests.conftest import login

__all__ = ["day_client", "world"]


def on_the_way_to_routine_work(client, database) -> tuple[int, int]:
    """Publish the day; one engineer sets off to a P3/P4 visit. (engineer id, ticket id)."""
    headers = login(client, "dispatcher")
    plan_id = run_plan(client, headers)
    plan = client.post(f"/api/v1/plans/{plan_id}/publish", headers=headers).json()
    for route in plan["routes"]:
        first = route["visits"][0] if route["visits"] else None
        if first is not None and first["priority"] >= 3:
            engineer_id, ticket_id = route["engineer_id"], first["ticket_id"]
            break
    else:
        raise AssertionError("no route starts with routine work")
    with database.session() as session:
        desk = session.scalar(select(User).where(User.username == "dispatcher"))
        ticket = session.get(Ticket, ticket_id)
        transition(
            session=session,
            ticket=ticket,
            action="dispatch",
            actor=desk,
            engineer_id=engineer_id,
            at=MORNING,
        )
    phone = engineer_login(client, database, engineer_id)
    moved = client.post(
        f"/api/v1/tickets/{ticket_id}/transitions", json={"action": "start_travel"}, headers=phone
    )
    assert moved.status_code == 200, moved.text
    return engineer_id, ticket_id


def urgent_only_they_can_do(database, engineer_id: int, priority: int, hours: float) -> int:
    """A ticket only ``engineer_id`` may take, due ten minutes after the clock's morning."""
    with database.session() as session:
        engineer = session.get(Engineer, engineer_id)
        skill = max(engineer.skills, key=lambda s: s.level).skill
        site = session.scalars(select(Site).order_by(Site.id.desc())).first()
        reported = MORNING - dt.timedelta(hours=hours) + dt.timedelta(minutes=10)
        ticket = create_ticket(
            session=session,
            draft=TicketDraft(
                customer_id=site.customer_id,
                site_id=site.id,
                kind="repair",
                priority=priority,
                estimated_minutes=30,
                required_skill=skill,
                engineer_rules=[(engineer_id, "required")],
            ),
            actor=None,
            at=reported,
        )
        transition(session=session, ticket=ticket, action="triage", actor=None, at=reported)
        session.flush()
        return ticket.id


@pytest.mark.parametrize(("priority", "hours", "diverts"), [(1, 2, True), (2, 4, False)])
def test_a_p1_diverts_an_engineer_on_the_way_to_routine_work(
    day_client, database, priority, hours, diverts
):
    engineer_id, routine = on_the_way_to_routine_work(day_client, database)
    urgent = urgent_only_they_can_do(database, engineer_id, priority, hours)
    headers = login(day_client, "dispatcher")

    response = day_client.post(f"/api/v1/tickets/{urgent}/dispatch-now", headers=headers)

    assert response.status_code == 200, response.text
    out = response.json()
    assert out["engineer_id"] == engineer_id
    with database.session() as session:
        status = session.get(Ticket, routine).status
        steps = [
            (e.from_status, e.to_status, e.reason)
            for e in session.scalars(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == routine, TicketEvent.kind == "transition")
                .order_by(TicketEvent.seq)
            )
        ]
    if diverts:
        assert out["diverted_ticket_ids"] == [routine]
        assert routine in out["displaced_ticket_ids"]
        assert status == TicketStatus.TRIAGED.value
        assert steps[-1][:2] == ("en_route", "triaged") and "diverted" in (steps[-1][2] or "")
        assert out["sequence"] == 0, "the emergency is the engineer's next stop"
        plan = day_client.get(f"/api/v1/plans/{out['plan_id']}", headers=headers).json()
        reasons = {u["ticket_id"]: u["reasons"] for u in plan["unassigned"]}
        assert reasons[routine] == ["DISPLACED_BY_HIGHER_PRIORITY"]
    else:
        assert out["diverted_ticket_ids"] == []
        assert status == TicketStatus.EN_ROUTE.value
        assert out["sequence"] >= 1, "the engineer finishes the trip first"
