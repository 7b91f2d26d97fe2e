"""Publishing plans: scheduling tickets, superseding, 409 on stale inputs."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from dispatch.errors import StalePlan
from dispatch.models import Plan, Ticket, TicketEvent, TicketStatus
from dispatch.planning import publishing
from dispatch.tickets.lifecycle import transition
from tests.api.service_world import (
    MORNING,
    day_client,
    engineer_login,
    published_assignment,
    run_plan,
    world,
)
from tests.conftest import login

__all__ = ["day_client", "world"]


def test_publishing_schedules_every_planned_ticket_for_its_engineer(day_client, database):
    headers = login(day_client, "dispatcher")
    plan_id = run_plan(day_client, headers)
    plan = day_client.get(f"/api/v1/plans/{plan_id}", headers=headers).json()
    planned = {v["ticket_id"]: r["engineer_id"] for r in plan["routes"] for v in r["visits"]}
    assert planned, "the demo day should plan something"
    assert plan["diff"]["added"] == len(planned)

    response = day_client.post(f"/api/v1/plans/{plan_id}/publish", headers=headers)

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "published"
    assert response.json()["diff"]["added"] == 0  # it is the published plan now
    assert published_assignment(database) == planned
    with database.session() as session:
        statuses = {
            t.id: t.status
            for t in session.scalars(select(Ticket).where(Ticket.id.in_(list(planned))))
        }
        events = session.scalars(
            select(TicketEvent).where(
                TicketEvent.kind == "transition", TicketEvent.ticket_id.in_(list(planned))
            )
        ).all()
    assert set(statuses.values()) == {TicketStatus.SCHEDULED.value}
    scheduled_for = {e.ticket_id: e.after.get("engineer_id") for e in events}
    assert scheduled_for == planned

    again = day_client.post(f"/api/v1/plans/{plan_id}/publish", headers=headers)
    assert again.status_code == 409
    assert again.json()["field"] == "plan_id"


def test_a_new_publish_supersedes_the_old_plan(day_client, database):
    headers = login(day_client, "dispatcher")
    first = run_plan(day_client, headers)
    assert day_client.post(f"/api/v1/plans/{first}/publish", headers=headers).status_code == 200
    # Publishing schedules tickets; scheduled tickets stay open to re-planning.
    second = run_plan(day_client, headers, seed=7)

    response = day_client.post(f"/api/v1/plans/{second}/publish", headers=headers)

    assert response.status_code == 200, response.text
    with database.session() as session:
        assert session.get(Plan, first).status == "superseded"
        assert session.get(Plan, second).status == "published"
        published = session.scalar(
            select(func.count()).select_from(Plan).where(Plan.status == "published")
        )
    assert published == 1


def test_publishing_a_stale_plan_is_refused_with_what_changed(day_client, database):
    headers = login(day_client, "dispatcher")
    plan_id = run_plan(day_client, headers)
    plan = day_client.get(f"/api/v1/plans/{plan_id}", headers=headers).json()
    victim = plan["routes"][0]["visits"][0]["ticket_id"]
    with database.session() as session:
        ticket = session.get(Ticket, victim)
        transition(
            session=session, ticket=ticket, action="hold_customer", actor=None, reason="away"
        )
        statuses_before = dict(session.execute(select(Ticket.id, Ticket.status)).all())

    response = day_client.post(f"/api/v1/plans/{plan_id}/publish", headers=headers)

    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "stale_plan"
    assert {"kind": "ticket_removed", "ticket_id": victim} in [
        {"kind": c["kind"], "ticket_id": c["ticket_id"]} for c in problem["changes"]
    ]
    with database.session() as session:  # nothing was published or moved
        assert session.get(Plan, plan_id).status == "succeeded"
        assert dict(session.execute(select(Ticket.id, Ticket.status)).all()) == (statuses_before)


def test_only_dispatchers_publish_and_unknown_plans_are_404(day_client):
    headers = login(day_client, "dispatcher")
    plan_id = run_plan(day_client, headers)
    engineer = login(day_client, "engineer")
    assert day_client.post(f"/api/v1/plans/{plan_id}/publish", headers=engineer).status_code == 403
    assert day_client.post(f"/api/v1/plans/{plan_id}/publish").status_code == 401
    assert day_client.post("/api/v1/plans/999999/publish", headers=headers).status_code == 404


def test_a_ticket_put_on_hold_while_on_site_makes_the_plan_stale(day_client, database):
    headers = login(day_client, "dispatcher")
    first = run_plan(day_client, headers)
    plan = day_client.post(f"/api/v1/plans/{first}/publish", headers=headers).json()
    route = plan["routes"][0]
    visit = route["visits"][0]
    phone = engineer_login(day_client, database, route["engineer_id"])
    checked_in = day_client.post(
        f"/api/v1/me/jobs/{visit['ticket_id']}/check-in",
        json={"lat": visit["lat"], "lon": visit["lon"]},
        headers=phone,
    )
    assert checked_in.status_code == 200
    second = run_plan(day_client, headers, seed=3)  # sees the engineer on site
    with database.session() as session:
        transition(
            session=session,
            ticket=session.get(Ticket, visit["ticket_id"]),
            action="hold_parts",
            actor=None,
            reason="part missing",
        )

    response = day_client.post(f"/api/v1/plans/{second}/publish", headers=headers)

    assert response.status_code == 409
    assert visit["ticket_id"] in {c["ticket_id"] for c in response.json()["changes"]}


def test_regions_and_headquarters_never_publish_over_each_other(day_client, database):
    headers = login(day_client, "dispatcher")
    east = run_plan(day_client, headers, region="SH-E")
    assert day_client.post(f"/api/v1/plans/{east}/publish", headers=headers).status_code == 200
    whole = run_plan(day_client, headers, region="HQ")
    west = run_plan(day_client, headers, region="SH-W")

    # Headquarters' plan covers the regions: it replaces the east's.
    assert day_client.post(f"/api/v1/plans/{whole}/publish", headers=headers).status_code == 200
    before = published_assignment(database)
    # A region's plan under a published headquarters' plan would leave the others without a day.
    refused = day_client.post(f"/api/v1/plans/{west}/publish", headers=headers)

    assert refused.status_code == 409
    assert refused.json()["published_plan_id"] == whole
    with database.session() as session:
        assert session.get(Plan, east).status == "superseded"
        assert session.get(Plan, whole).status == "published"
        assert session.get(Plan, west).status == "succeeded"
    assert published_assignment(database) == before


def test_a_plan_computed_before_another_was_published_is_stale(day_client, database):
    headers = login(day_client, "dispatcher")
    first = run_plan(day_client, headers)
    second = run_plan(day_client, headers, seed=7)  # two candidates for the same day
    assert day_client.post(f"/api/v1/plans/{first}/publish", headers=headers).status_code == 200
    before = published_assignment(database)

    response = day_client.post(f"/api/v1/plans/{second}/publish", headers=headers)

    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["code"] == "stale_plan" and problem["field"] == "plan_id"
    assert [c["kind"] for c in problem["changes"]] == ["plan_published"]
    assert str(first) in problem["changes"][0]["detail"]
    with database.session() as session:
        assert session.get(Plan, first).status == "published"
        assert session.get(Plan, second).status == "succeeded"
    assert published_assignment(database) == before
    third = run_plan(day_client, headers, seed=9)  # computed against the published one
    assert day_client.post(f"/api/v1/plans/{third}/publish", headers=headers).status_code == 200


def test_concurrent_publishes_one_wins_the_other_is_refused_as_stale(
    day_client, database, settings
):
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("two concurrent transactions with row locks: PostgreSQL")
    headers = login(day_client, "dispatcher")
    candidates = [run_plan(day_client, headers, seed=seed) for seed in (3, 4)]
    start = threading.Barrier(len(candidates))
    outcomes: dict[int, object] = {}

    def publish(plan_id: int) -> None:
        start.wait()
        try:
            with database.session() as session:
                publishing.publish_plan(
                    session=session, plan_id=plan_id, actor=None, at=MORNING.astimezone(dt.UTC)
                )
            outcomes[plan_id] = "published"
        except Exception as exc:  # the test asserts which error
            outcomes[plan_id] = exc

    threads = [threading.Thread(target=publish, args=(p,)) for p in candidates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    winners = [p for p, outcome in outcomes.items() if outcome == "published"]
    losers = [outcome for outcome in outcomes.values() if outcome != "published"]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    loser = losers[0]
    assert isinstance(loser, StalePlan), repr(loser)
    assert [c["kind"] for c in loser.details["changes"]] == ["plan_published"]
    with database.session() as session:
        statuses = {p: session.get(Plan, p).status for p in candidates}
        scheduled = session.scalars(
            select(Ticket.id).where(Ticket.status == TicketStatus.SCHEDULED.value)
        ).all()
    assert sorted(statuses.values()) == ["published", "succeeded"]
    assert set(scheduled) == set(published_assignment(database))
