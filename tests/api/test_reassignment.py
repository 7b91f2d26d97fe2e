"""A hand dispatch to another engineer: one owner at a time, and the engineers' days follow."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from dispatch.models import Engineer, Plan, PlanStatus, SiteVisit, Ticket, Visit
from dispatch.planning.plans import new_plan
from dispatch.planning.publishing import make_current
from tests.api.service_world import MORNING, day_client, engineer_login, run_plan, world
from tests.conftest import login

__all__ = ["day_client", "world"]


def jobs(client, phone) -> list[int]:
    response = client.get("/api/v1/me/jobs?date=2026-11-24", headers=phone)
    assert response.status_code == 200, response.text
    return [j["ticket_id"] for j in response.json()["jobs"]]


def test_a_hand_dispatch_moves_the_job_to_the_other_engineer(day_client, database):
    dispatcher = login(day_client, "dispatcher")
    plan_id = run_plan(day_client, dispatcher)
    plan = day_client.post(f"/api/v1/plans/{plan_id}/publish", headers=dispatcher).json()
    first, second = sorted(plan["routes"], key=lambda r: -len(r["visits"]))[:2]
    visit = first["visits"][0]
    ticket_id = visit["ticket_id"]
    planned_for, taken_by = first["engineer_id"], second["engineer_id"]
    phone_a = engineer_login(day_client, database, planned_for)
    phone_b = engineer_login(day_client, database, taken_by)
    assert ticket_id in jobs(day_client, phone_a) and ticket_id not in jobs(day_client, phone_b)

    moved = day_client.post(
        f"/api/v1/tickets/{ticket_id}/transitions",
        json={"action": "dispatch", "engineer_id": taken_by},
        headers=dispatcher,
    )

    assert moved.status_code == 200, moved.text
    assert moved.json()["assigned_engineer_id"] == taken_by
    assert ticket_id not in jobs(day_client, phone_a)  # off the planned engineer's day
    assert ticket_id in jobs(day_client, phone_b)  # onto the other's
    assert set(jobs(day_client, phone_a)) == {v["ticket_id"] for v in first["visits"][1:]}
    assert day_client.get(f"/api/v1/tickets/{ticket_id}", headers=phone_a).status_code == 404
    assert day_client.get(f"/api/v1/tickets/{ticket_id}", headers=phone_b).status_code == 200
    at_site = {"lat": visit["lat"], "lon": visit["lon"]}
    refused = day_client.post(
        f"/api/v1/me/jobs/{ticket_id}/check-in", json=at_site, headers=phone_a
    )
    assert refused.status_code == 403, refused.text

    checked_in = day_client.post(
        f"/api/v1/me/jobs/{ticket_id}/check-in", json=at_site, headers=phone_b
    )

    assert checked_in.status_code == 200, checked_in.text
    assert checked_in.json()["ticket_status"] == "on_site"
    with database.session() as session:
        site_visit = session.scalar(select(SiteVisit).where(SiteVisit.ticket_id == ticket_id))
        assert site_visit is not None and site_visit.engineer_id == taken_by
    checked_out = day_client.post(
        f"/api/v1/me/jobs/{ticket_id}/check-out",
        json={"outcome": "fixed", "customer_accepted": True},
        headers=phone_b,
    )
    assert checked_out.status_code == 200 and checked_out.json()["ticket_status"] == "closed"


def qualified_other_engineer(database, plan: dict) -> tuple[int, int]:
    """A planned ticket and another planned engineer with the skill and level it needs."""
    with database.session() as session:
        for route in sorted(plan["routes"], key=lambda r: -len(r["visits"])):
            for visit in route["visits"]:
                ticket = session.get(Ticket, visit["ticket_id"])
                for other in plan["routes"]:
                    engineer = session.get(Engineer, other["engineer_id"])
                    levels = {s.skill: s.level for s in engineer.skills}
                    skilled = ticket.required_skill is None or (
                        levels.get(ticket.required_skill, 0) >= ticket.min_level
                    )
                    if other is not route and skilled and not ticket.engineer_rules:
                        return ticket.id, engineer.id
    raise AssertionError("no ticket another planned engineer could take")


def test_a_re_optimisation_keeps_the_hand_dispatched_engineer(day_client, database):
    dispatcher = login(day_client, "dispatcher")
    first_plan = run_plan(day_client, dispatcher)
    plan = day_client.post(f"/api/v1/plans/{first_plan}/publish", headers=dispatcher).json()
    ticket_id, taken_by = qualified_other_engineer(database, plan)
    day_client.post(
        f"/api/v1/tickets/{ticket_id}/transitions",
        json={"action": "dispatch", "engineer_id": taken_by},
        headers=dispatcher,
    )

    again = run_plan(day_client, dispatcher, seed=5)  # the dispatched ticket is pinned
    published = day_client.post(f"/api/v1/plans/{again}/publish", headers=dispatcher)

    assert published.status_code == 200, published.text
    placed = {
        v["ticket_id"]: r["engineer_id"] for r in published.json()["routes"] for v in r["visits"]
    }
    assert placed[ticket_id] == taken_by
    ticket = day_client.get(f"/api/v1/tickets/{ticket_id}", headers=dispatcher).json()
    assert ticket["assigned_engineer_id"] == taken_by
    phone_b = engineer_login(day_client, database, taken_by)
    assert ticket_id in jobs(day_client, phone_b)


def test_a_publish_at_the_instant_of_a_hand_dispatch_decides_and_records_it(day_client, database):
    """The publish compares with who has the ticket now (the hand dispatch), not with the
    plan it replaces: it records the move, and ties in time do not hide it."""
    dispatcher = login(day_client, "dispatcher")
    plan_id = run_plan(day_client, dispatcher)
    plan = day_client.post(f"/api/v1/plans/{plan_id}/publish", headers=dispatcher).json()
    first, second = sorted(plan["routes"], key=lambda r: -len(r["visits"]))[:2]
    ticket_id = first["visits"][0]["ticket_id"]
    planned_for, taken_by = first["engineer_id"], second["engineer_id"]
    day_client.post(
        f"/api/v1/tickets/{ticket_id}/transitions",
        json={"action": "dispatch", "engineer_id": taken_by},
        headers=dispatcher,
    )
    with database.session() as session:  # the same routes again, published at that instant
        old = session.get(Plan, plan_id)
        again = new_plan(
            region=old.region,
            day=old.plan_date,
            status=PlanStatus.SUCCEEDED,
            options={},
            time_budget_seconds=1.0,
            actor=None,
        )
        session.add(again)
        session.flush()
        for v in old.visits:
            session.add(
                Visit(
                    plan_id=again.id,
                    ticket_id=v.ticket_id,
                    engineer_id=v.engineer_id,
                    sequence=v.sequence,
                    planned_arrival=v.planned_arrival,
                    planned_start=v.planned_start,
                    planned_end=v.planned_end,
                )
            )
        session.flush()
        session.refresh(again)

        make_current(
            session=session, plan=again, actor=None, at=MORNING.astimezone(dt.UTC), reason="test"
        )

    ticket = day_client.get(f"/api/v1/tickets/{ticket_id}", headers=dispatcher).json()
    assert ticket["assigned_engineer_id"] == planned_for
    assert ticket["events"][-1]["kind"] == "assigned"
    assert ticket["events"][-1]["after"]["engineer_id"] == planned_for
    assert ticket_id in jobs(day_client, engineer_login(day_client, database, planned_for))
    assert ticket_id not in jobs(day_client, engineer_login(day_client, database, taken_by))
