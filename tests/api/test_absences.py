"""Engineers' absences through the API: nobody is planned inside one, an absence over the
published day sends the engineer's visits back to the pool and queues a re-plan, a plan
computed before it is stale, cancelling restores the engineer."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import select

from dispatch.models import AuditEntry, Engineer, Ticket, TicketStatus
from solver.solution import Reason
from tests.api.service_world import (
    DAY,
    MORNING,
    ZONE,
    day_client,
    engineer_login,
    finish_run,
    report_ticket,
    run_plan,
    runtime_of,
    world,
)
from tests.conftest import login

__all__ = ["day_client", "world"]

ENGINEERS = "/api/v1/engineers"


def at_local(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), ZONE)


def plan_visits(client, headers, plan_id: int) -> list[dict]:
    """The plan's visits, each with its engineer's id."""
    plan = client.get(f"/api/v1/plans/{plan_id}", headers=headers).json()
    assert plan["routes_total"] == len(plan["routes"])
    return [v | {"engineer_id": r["engineer_id"]} for r in plan["routes"] for v in r["visits"]]


def busiest(visits: list[dict]) -> int:
    """The engineer with the most visits."""
    return Counter(v["engineer_id"] for v in visits).most_common(1)[0][0]


def absent(client, headers, engineer_id: int, start: dt.datetime, end: dt.datetime) -> dict:
    response = client.post(
        f"{ENGINEERS}/{engineer_id}/absences",
        json={"start": start.isoformat(), "end": end.isoformat(), "reason": "sick"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


def started(v: dict) -> dt.datetime:
    return dt.datetime.fromisoformat(v["planned_start"])


def ended(v: dict) -> dt.datetime:
    return dt.datetime.fromisoformat(v["planned_end"])


def test_an_engineer_absent_all_day_gets_no_visit(day_client):
    headers = login(day_client, "dispatcher")
    engineer = busiest(plan_visits(day_client, headers, run_plan(day_client, headers)))

    absent(day_client, headers, engineer, at_local(0), at_local(0, day=DAY + dt.timedelta(days=1)))
    visits = plan_visits(day_client, headers, run_plan(day_client, headers))

    assert visits
    assert engineer not in {v["engineer_id"] for v in visits}


def test_an_engineer_absent_from_noon_has_nothing_after_noon_but_works_the_morning(day_client):
    headers = login(day_client, "dispatcher")
    before = plan_visits(day_client, headers, run_plan(day_client, headers))
    engineer = busiest(before)
    noon = at_local(12)
    assert any(ended(v) > noon for v in before if v["engineer_id"] == engineer)

    absent(day_client, headers, engineer, noon, at_local(20))
    mine = [
        v
        for v in plan_visits(day_client, headers, run_plan(day_client, headers))
        if v["engineer_id"] == engineer
    ]

    assert mine, "the morning is still planned"
    assert all(ended(v) <= noon for v in mine), [v["planned_end"] for v in mine]


def test_a_mid_day_absence_is_respected(day_client):
    headers = login(day_client, "dispatcher")
    before = plan_visits(day_client, headers, run_plan(day_client, headers))
    engineer = busiest(before)
    start, end = at_local(11), at_local(13, 30)
    assert any(
        started(v) < end and ended(v) > start for v in before if v["engineer_id"] == engineer
    )

    absent(day_client, headers, engineer, start, end)
    mine = [
        v
        for v in plan_visits(day_client, headers, run_plan(day_client, headers))
        if v["engineer_id"] == engineer
    ]

    assert mine
    assert all(ended(v) <= start or started(v) >= end for v in mine), [
        (v["planned_start"], v["planned_end"]) for v in mine
    ]


def test_an_absence_over_the_published_day_sends_visits_back_and_replans(day_client, database):
    headers = login(day_client, "dispatcher")
    first = run_plan(day_client, headers)
    assert day_client.post(f"/api/v1/plans/{first}/publish", headers=headers).status_code == 200
    visits = plan_visits(day_client, headers, first)
    engineer = busiest(visits)
    noon = at_local(12)
    expected = {v["ticket_id"] for v in visits if v["engineer_id"] == engineer and ended(v) > noon}
    assert expected, "the busiest engineer works after noon"
    bus = runtime_of(day_client).bus
    mark = bus.last_id()

    out = absent(day_client, headers, engineer, noon, at_local(23))

    assert set(out["released_ticket_ids"]) == expected
    [new_plan] = out["plan_ids"]
    plan = day_client.get(f"/api/v1/plans/{new_plan}", headers=headers).json()
    assert plan["status"] == "published"
    reasons = {u["ticket_id"]: u["reasons"] for u in plan["unassigned"]}
    assert all(reasons[t] == [Reason.ENGINEER_ABSENT] for t in expected)
    kept = [v for v in plan_visits(day_client, headers, new_plan) if v["engineer_id"] == engineer]
    assert kept and all(ended(v) <= noon for v in kept), "the morning stays"
    with database.session() as session:
        for ticket_id in expected:
            assert session.get(Ticket, ticket_id).status == TicketStatus.TRIAGED.value  # type: ignore[union-attr]
        audit = session.scalars(select(AuditEntry).where(AuditEntry.entity == "absence")).all()
        assert [(a.entity_id, a.action, a.actor_id is not None) for a in audit] == [
            (out["id"], "created", True)
        ]
    events = [e for e in bus.read(mark, count=1000) if e.kind == "engineer.absence"]
    assert [e.data["engineer_id"] for e in events] == [engineer]
    assert sorted(events[0].data["released_ticket_ids"]) == sorted(expected)

    [rerun] = out["reoptimization_ids"]
    finish_run(day_client, headers, rerun)
    replanned = plan_visits(day_client, headers, rerun)
    others = {v["ticket_id"] for v in replanned if v["engineer_id"] != engineer}
    assert expected & others, "the re-plan gives released visits to others"
    assert all(ended(v) <= noon for v in replanned if v["engineer_id"] == engineer)
    published = day_client.post(f"/api/v1/plans/{rerun}/publish", headers=headers)
    assert published.status_code == 200, published.text


def test_a_plan_computed_before_an_absence_is_stale(day_client):
    headers = login(day_client, "dispatcher")
    plan_id = run_plan(day_client, headers)
    engineer = busiest(plan_visits(day_client, headers, plan_id))

    absent(day_client, headers, engineer, at_local(14), at_local(16))
    response = day_client.post(f"/api/v1/plans/{plan_id}/publish", headers=headers)

    assert response.status_code == 409, response.text
    changes = response.json()["changes"]
    assert {(c["kind"], c["engineer_id"]) for c in changes} == {("engineer_changed", engineer)}


def test_cancelling_an_absence_keeps_the_row_and_restores_the_engineer(day_client):
    headers = login(day_client, "dispatcher")
    engineer = busiest(plan_visits(day_client, headers, run_plan(day_client, headers)))
    out = absent(day_client, headers, engineer, at_local(0), at_local(23, 59))
    computed_while_absent = run_plan(day_client, headers)
    assert engineer not in {
        v["engineer_id"] for v in plan_visits(day_client, headers, computed_while_absent)
    }

    runtime_of(day_client).clock = lambda: (MORNING + dt.timedelta(minutes=5)).astimezone(dt.UTC)
    cancelled = day_client.delete(f"{ENGINEERS}/{engineer}/absences/{out['id']}", headers=headers)

    assert cancelled.status_code == 200, cancelled.text
    assert dt.datetime.fromisoformat(cancelled.json()["cancelled_at"]) == MORNING + dt.timedelta(
        minutes=5
    )
    listed = day_client.get(f"{ENGINEERS}/{engineer}/absences", headers=headers).json()
    assert listed["total"] == 0
    listed = day_client.get(
        f"{ENGINEERS}/{engineer}/absences",
        params={"include_cancelled": "true"},
        headers=headers,
    ).json()
    assert [a["id"] for a in listed["items"]] == [out["id"]]
    stale = day_client.post(f"/api/v1/plans/{computed_while_absent}/publish", headers=headers)
    assert stale.status_code == 409
    visits = plan_visits(day_client, headers, run_plan(day_client, headers))
    assert engineer in {v["engineer_id"] for v in visits}


def test_dispatch_now_never_picks_an_absent_engineer(day_client, database):
    headers = login(day_client, "dispatcher")
    first = run_plan(day_client, headers)
    assert day_client.post(f"/api/v1/plans/{first}/publish", headers=headers).status_code == 200
    one = report_ticket(database, at=MORNING - dt.timedelta(minutes=5), last_asset=True)
    picked = day_client.post(f"/api/v1/tickets/{one}/dispatch-now", headers=headers).json()
    chosen = picked["engineer_id"]

    out = absent(day_client, headers, chosen, MORNING, at_local(23))
    assert one in out["released_ticket_ids"], "its emergency goes back to the pool too"
    other = report_ticket(database, at=MORNING - dt.timedelta(minutes=4), last_asset=True)
    again = day_client.post(f"/api/v1/tickets/{other}/dispatch-now", headers=headers)

    assert again.status_code == 200, again.text
    assert again.json()["engineer_id"] != chosen


def test_bad_absences_are_refused_naming_the_field(day_client, database):
    headers = login(day_client, "dispatcher")
    with database.session() as session:
        engineer = session.scalars(select(Engineer.id).order_by(Engineer.id)).first()
    url = f"{ENGINEERS}/{engineer}/absences"

    def post(body: dict, path: str = url) -> tuple[int, str | None]:
        response = day_client.post(path, json=body, headers=headers)
        return response.status_code, response.json().get("field")

    good = {"start": at_local(10).isoformat(), "end": at_local(12).isoformat(), "reason": "leave"}
    assert post({**good, "end": at_local(9).isoformat()}) == (422, "end")
    assert post({**good, "end": at_local(10, day=DAY + dt.timedelta(days=400)).isoformat()}) == (
        422,
        "end",
    )
    assert post({**good, "reason": "holiday"})[0] == 422
    assert post({**good, "start": "2026-11-24T10:00:00"})[0] == 422  # no offset
    assert post(good, f"{ENGINEERS}/999999/absences") == (404, "engineer_id")
    assert post(good)[0] == 201
    assert post({**good, "start": at_local(11).isoformat(), "end": at_local(13).isoformat()}) == (
        409,
        "start",
    )
    with database.session() as session:
        assert session.scalar(select(AuditEntry.id).where(AuditEntry.action == "created"))
    listed = day_client.get(url, headers=headers).json()
    assert listed["total"] == 1


def test_an_engineer_lists_only_their_own_absences_and_cannot_write(day_client, database):
    headers = login(day_client, "dispatcher")
    with database.session() as session:
        mine, theirs = session.scalars(select(Engineer.id).order_by(Engineer.id)).all()[:2]
    absent(day_client, headers, mine, at_local(10), at_local(12))
    phone = engineer_login(day_client, database, mine)

    own = day_client.get(f"{ENGINEERS}/{mine}/absences", headers=phone)
    assert own.status_code == 200 and own.json()["total"] == 1
    assert day_client.get(f"{ENGINEERS}/{theirs}/absences", headers=phone).status_code == 403
    assert day_client.get("/api/v1/absences", headers=phone).status_code == 403
    written = day_client.post(
        f"{ENGINEERS}/{mine}/absences",
        json={"start": at_local(14).isoformat(), "end": at_local(15).isoformat(), "reason": "sick"},
        headers=phone,
    )
    assert written.status_code == 403


def test_the_overview_filters_by_period_and_region(day_client, database):
    headers = login(day_client, "dispatcher")
    with database.session() as session:
        rows = session.scalars(select(Engineer).order_by(Engineer.id)).all()
        ids = {e.id: e.region.code for e in rows}
    first, second = list(ids)[:2]
    absent(day_client, headers, first, at_local(10), at_local(12))
    tomorrow = DAY + dt.timedelta(days=1)
    absent(day_client, headers, second, at_local(10, day=tomorrow), at_local(12, day=tomorrow))

    everything = day_client.get("/api/v1/absences", headers=headers).json()
    assert everything["total"] == 2
    today = day_client.get(
        "/api/v1/absences",
        params={"from": at_local(0).isoformat(), "to": at_local(0, day=tomorrow).isoformat()},
        headers=headers,
    ).json()
    assert [a["engineer_id"] for a in today["items"]] == [first]
    region = day_client.get(
        "/api/v1/absences", params={"region": ids[second]}, headers=headers
    ).json()
    assert second in {a["engineer_id"] for a in region["items"]}
    assert all(ids[a["engineer_id"]] == ids[second] or ids[second] == "HQ" for a in region["items"])
    unknown = day_client.get("/api/v1/absences", params={"region": "NOPE"}, headers=headers)
    assert unknown.status_code == 404 and unknown.json()["field"] == "region"
    backwards = day_client.get(
        "/api/v1/absences",
        params={"from": at_local(12).isoformat(), "to": at_local(10).isoformat()},
        headers=headers,
    )
    assert backwards.status_code == 422 and backwards.json()["field"] == "to"
