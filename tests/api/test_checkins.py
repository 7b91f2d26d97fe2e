"""Check-in and check-out from the engineer's phone: radius flag, life cycle, retries."""

from __future__ import annotations

from sqlalchemy import func, select

from dispatch.models import SiteVisit, Ticket, TicketEvent
from tests.api.service_world import day_client, engineer_login, run_plan, runtime_of, world
from tests.conftest import login

__all__ = ["day_client", "world"]


def published_day(client, database):
    """Publish a plan; return (engineer id, [(ticket id, lat, lon)...] of their route)."""
    headers = login(client, "dispatcher")
    plan_id = run_plan(client, headers)
    plan = client.post(f"/api/v1/plans/{plan_id}/publish", headers=headers).json()
    routes = sorted(plan["routes"], key=lambda r: -len(r["visits"]))
    route, other = routes[0], routes[1]
    jobs = [(v["ticket_id"], v["lat"], v["lon"]) for v in route["visits"]]
    return route["engineer_id"], jobs, other["visits"][0]["ticket_id"]


def test_check_in_near_the_site_puts_the_ticket_on_site(day_client, database):
    engineer_id, jobs, _ = published_day(day_client, database)
    phone = engineer_login(day_client, database, engineer_id)
    ticket_id, lat, lon = jobs[0]

    response = day_client.post(
        f"/api/v1/me/jobs/{ticket_id}/check-in",
        json={"lat": lat + 0.0005, "lon": lon, "device_time": "2026-11-24T09:31:00+08:00"},
        headers=phone,
    )

    assert response.status_code == 200, response.text
    out = response.json()
    assert out["ticket_status"] == "on_site"
    assert 40 < out["distance_m"] < 70  # 0.0005 degrees of latitude is about 55 m
    assert out["flagged"] is False
    with database.session() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket.responded_at is not None  # the SLA response clock stopped
        actions = [
            e.after["action"]
            for e in session.scalars(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == ticket_id, TicketEvent.kind == "transition")
                .order_by(TicketEvent.seq)
            )
        ]
    assert actions[-2:] == ["dispatch", "arrive"]
    position = runtime_of(day_client).positions.get(engineer_id)
    assert position is not None and abs(position.lat - (lat + 0.0005)) < 1e-6


def test_a_check_in_far_from_the_site_is_accepted_but_flagged(day_client, database):
    engineer_id, jobs, _ = published_day(day_client, database)
    phone = engineer_login(day_client, database, engineer_id)
    ticket_id, lat, lon = jobs[0]
    bus = runtime_of(day_client).bus
    mark = bus.last_id()

    response = day_client.post(
        f"/api/v1/me/jobs/{ticket_id}/check-in", json={"lat": lat + 0.01, "lon": lon}, headers=phone
    )

    assert response.status_code == 200
    assert response.json()["flagged"] is True
    assert response.json()["distance_m"] > 1000
    kinds = [e.kind for e in bus.read(mark)]
    assert "checkin.flagged" in kinds and "engineer.checked_in" in kinds


def test_the_same_idempotency_key_records_once_and_answers_the_same(day_client, database):
    engineer_id, jobs, _ = published_day(day_client, database)
    phone = engineer_login(day_client, database, engineer_id)
    ticket_id, lat, lon = jobs[0]
    body = {"lat": lat, "lon": lon}
    headers = {**phone, "Idempotency-Key": "checkin-7f3a"}

    first = day_client.post(f"/api/v1/me/jobs/{ticket_id}/check-in", json=body, headers=headers)
    second = day_client.post(f"/api/v1/me/jobs/{ticket_id}/check-in", json=body, headers=headers)

    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    with database.session() as session:
        count = session.scalar(
            select(func.count()).select_from(SiteVisit).where(SiteVisit.ticket_id == ticket_id)
        )
    assert count == 1
    # Without the key, a second check-in is a conflict; the key reused for another body is 422.
    plain = day_client.post(f"/api/v1/me/jobs/{ticket_id}/check-in", json=body, headers=phone)
    assert plain.status_code == 409
    reused = day_client.post(
        f"/api/v1/me/jobs/{ticket_id}/check-in",
        json={"lat": lat + 0.001, "lon": lon},
        headers=headers,
    )
    assert reused.status_code == 422
    assert reused.json()["field"] == "Idempotency-Key"


def test_check_out_fixed_and_accepted_closes_the_ticket(day_client, database):
    engineer_id, jobs, _ = published_day(day_client, database)
    phone = engineer_login(day_client, database, engineer_id)
    ticket_id, lat, lon = jobs[0]
    day_client.post(
        f"/api/v1/me/jobs/{ticket_id}/check-in", json={"lat": lat, "lon": lon}, headers=phone
    )

    response = day_client.post(
        f"/api/v1/me/jobs/{ticket_id}/check-out",
        json={"outcome": "fixed", "notes": "sensor replaced", "customer_accepted": True},
        headers={**phone, "Idempotency-Key": "out-1"},
    )

    assert response.status_code == 200, response.text
    assert response.json()["ticket_status"] == "closed"
    with database.session() as session:
        ticket = session.get(Ticket, ticket_id)
        visit = session.scalar(select(SiteVisit).where(SiteVisit.ticket_id == ticket_id))
        assert ticket.resolved_at is not None
        assert visit.outcome == "fixed" and visit.checked_out_at is not None


def test_check_out_needing_parts_sends_the_ticket_back_for_a_follow_up(day_client, database):
    engineer_id, jobs, _ = published_day(day_client, database)
    phone = engineer_login(day_client, database, engineer_id)
    ticket_id, lat, lon = jobs[0]
    before = day_client.post(
        f"/api/v1/me/jobs/{ticket_id}/check-out", json={"outcome": "fixed"}, headers=phone
    )
    assert before.status_code == 409  # not checked in yet
    day_client.post(
        f"/api/v1/me/jobs/{ticket_id}/check-in", json={"lat": lat, "lon": lon}, headers=phone
    )

    response = day_client.post(
        f"/api/v1/me/jobs/{ticket_id}/check-out",
        json={"outcome": "needs_follow_up", "parts": ["door operator board"]},
        headers=phone,
    )

    assert response.status_code == 200, response.text
    assert response.json()["ticket_status"] == "needs_follow_up"
    bad = day_client.post(
        f"/api/v1/me/jobs/{ticket_id}/check-out", json={"outcome": "exploded"}, headers=phone
    )
    assert bad.status_code == 422 and bad.json()["field"] == "outcome"


def test_an_engineer_cannot_check_in_on_someone_elses_job(day_client, database):
    engineer_id, jobs, foreign = published_day(day_client, database)
    phone = engineer_login(day_client, database, engineer_id)

    response = day_client.post(
        f"/api/v1/me/jobs/{foreign}/check-in", json={"lat": 31.2, "lon": 121.4}, headers=phone
    )

    assert response.status_code == 403
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(SiteVisit)) == 0
    dispatcher = login(day_client, "dispatcher")
    assert (
        day_client.post(
            f"/api/v1/me/jobs/{foreign}/check-in",
            json={"lat": 31.2, "lon": 121.4},
            headers=dispatcher,
        ).status_code
        == 403
    )
    off_globe = day_client.post(
        f"/api/v1/me/jobs/{jobs[0][0]}/check-in", json={"lat": 95, "lon": 121.4}, headers=phone
    )
    assert off_globe.status_code == 422 and off_globe.json()["field"] == "lat"


def test_my_jobs_lists_exactly_my_route_in_order_and_polls_cheaply(day_client, database):
    engineer_id, jobs, foreign = published_day(day_client, database)
    phone = engineer_login(day_client, database, engineer_id)

    response = day_client.get("/api/v1/me/jobs?date=2026-11-24", headers=phone)

    assert response.status_code == 200
    body = response.json()
    assert [j["ticket_id"] for j in body["jobs"]] == [t for t, _, _ in jobs]
    assert foreign not in {j["ticket_id"] for j in body["jobs"]}
    first = body["jobs"][0]
    assert first["contact"]["customer"] and first["site"]["navigation_url"].startswith("https://")
    same = day_client.get(
        "/api/v1/me/jobs?date=2026-11-24",
        headers={**phone, "If-None-Match": response.headers["ETag"]},
    )
    assert same.status_code == 304
    day_client.post(
        f"/api/v1/me/jobs/{jobs[0][0]}/check-in",
        json={"lat": jobs[0][1], "lon": jobs[0][2]},
        headers=phone,
    )
    changed = day_client.get(
        "/api/v1/me/jobs?date=2026-11-24",
        headers={**phone, "If-None-Match": response.headers["ETag"]},
    )
    assert changed.status_code == 200 and changed.json()["jobs"][0]["status"] == "on_site"
    dispatcher = login(day_client, "dispatcher")
    assert day_client.get("/api/v1/me/jobs", headers=dispatcher).status_code == 403
