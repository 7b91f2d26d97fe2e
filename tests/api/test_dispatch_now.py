"""Dispatch now: an emergency into the published plan, nothing else changes engineer."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from dispatch.models import Plan, Ticket, TicketStatus
from tests.api.service_world import (
    MORNING,
    day_client,
    published_assignment,
    report_ticket,
    run_plan,
    runtime_of,
    world,
)
from tests.conftest import login

__all__ = ["day_client", "world"]


def emergency(database, *, exclude_all: bool = False) -> int:
    """A P1 reported five minutes before the clock's morning."""
    return report_ticket(
        database, at=MORNING - dt.timedelta(minutes=5), last_asset=True, exclude_all=exclude_all
    )


def test_dispatch_now_inserts_into_the_published_plan_and_queues_a_rerun(day_client, database):
    headers = login(day_client, "dispatcher")
    first = run_plan(day_client, headers)
    assert day_client.post(f"/api/v1/plans/{first}/publish", headers=headers).status_code == 200
    before = published_assignment(database)
    ticket_id = emergency(database)

    response = day_client.post(f"/api/v1/tickets/{ticket_id}/dispatch-now", headers=headers)

    assert response.status_code == 200, response.text
    out = response.json()
    assert out["ticket_id"] == ticket_id
    assert out["ticket_status"] == "dispatched"
    assert out["plan_id"] != first
    assert dt.datetime.fromisoformat(out["planned_arrival"]) >= MORNING
    after = published_assignment(database)
    assert after[ticket_id] == out["engineer_id"]
    # Every other ticket still planned keeps its engineer (insertion never reshuffles).
    kept = {t: e for t, e in after.items() if t != ticket_id}
    assert all(before[t] == e for t, e in kept.items())
    for displaced in out["displaced_ticket_ids"]:  # made room: back in the pool
        assert displaced not in after and before[displaced] == out["engineer_id"]
    assert set(before) - set(after) == set(out["displaced_ticket_ids"])
    with database.session() as session:
        assert session.get(Plan, first).status == "superseded"
        assert session.get(Ticket, ticket_id).status == TicketStatus.DISPATCHED.value
        for displaced in out["displaced_ticket_ids"]:
            assert session.get(Ticket, displaced).status == TicketStatus.TRIAGED.value
    rerun = day_client.get(f"/api/v1/optimizations/{out['reoptimization_id']}", headers=headers)
    assert rerun.status_code == 200
    assert rerun.json()["status"] in {"queued", "running", "succeeded"}
    assert runtime_of(day_client).clock() == MORNING


def test_dispatch_now_works_without_a_published_plan(day_client, database):
    headers = login(day_client, "dispatcher")
    ticket_id = emergency(database)

    response = day_client.post(f"/api/v1/tickets/{ticket_id}/dispatch-now", headers=headers)

    assert response.status_code == 200, response.text
    assert published_assignment(database) == {ticket_id: response.json()["engineer_id"]}


def test_dispatch_now_refuses_a_ticket_already_in_progress(day_client, database):
    headers = login(day_client, "dispatcher")
    ticket_id = emergency(database)
    assert day_client.post(f"/api/v1/tickets/{ticket_id}/dispatch-now", headers=headers).is_success

    again = day_client.post(f"/api/v1/tickets/{ticket_id}/dispatch-now", headers=headers)

    assert again.status_code == 409
    assert again.json()["ticket_status"] == "dispatched"
    assert (
        day_client.post("/api/v1/tickets/999999/dispatch-now", headers=headers).status_code == 404
    )
    engineer = login(day_client, "engineer")
    assert (
        day_client.post(f"/api/v1/tickets/{ticket_id}/dispatch-now", headers=engineer).status_code
        == 403
    )


def test_a_ticket_no_engineer_can_do_is_409_with_reasons(day_client, database):
    headers = login(day_client, "dispatcher")
    ticket_id = emergency(database, exclude_all=True)

    response = day_client.post(f"/api/v1/tickets/{ticket_id}/dispatch-now", headers=headers)

    assert response.status_code == 409
    assert response.json().get("reasons"), response.json()
    with database.session() as session:  # nothing published, the ticket still waits
        assert session.get(Ticket, ticket_id).status == TicketStatus.NEW.value
        assert not session.scalars(select(Plan).where(Plan.status == "published")).all()


def test_an_organisation_wide_insertion_keeps_the_regions_published_days(day_client, database):
    headers = login(day_client, "dispatcher")
    ticket_id = emergency(database)
    with database.session() as session:
        region = session.get(Ticket, ticket_id).region.code
    other = "SH-W" if region == "SH-E" else "SH-E"
    plan = run_plan(day_client, headers, region=other)
    assert day_client.post(f"/api/v1/plans/{plan}/publish", headers=headers).status_code == 200
    before = published_assignment(database)
    assert before

    response = day_client.post(f"/api/v1/tickets/{ticket_id}/dispatch-now", headers=headers)

    assert response.status_code == 200, response.text
    after = published_assignment(database)
    assert after[ticket_id] == response.json()["engineer_id"]
    displaced = set(response.json()["displaced_ticket_ids"])
    assert {t: e for t, e in after.items() if t != ticket_id} == {
        t: e for t, e in before.items() if t not in displaced
    }
