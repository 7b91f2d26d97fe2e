"""The phones' cached day is never stale: after a publish, a check-in, a check-out, a
dispatch-now, a diversion or an absence, the next poll with the old ETag gets a new ETag and
the new day.

Runs on real Redis (the versions shared by every process) when DISPATCH_TEST_REDIS_URL is
set, else on the in-process fallback. The service clock is frozen (MORNING of DAY).

"""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select

from dispatch.models import Engineer
from tests.api.service_world import (
    DAY,
    ZONE,
    day_client,
    engineer_login,
    run_plan,
    runtime_of,
    world,
)
from tests.api.test_dispatch_now import emergency
from tests.api.test_diversion import on_the_way_to_routine_work, urgent_only_they_can_do
from tests.conftest import login

__all__ = ["day_client", "world"]

JOBS = f"/api/v1/me/jobs?date={DAY.isoformat()}"


def poll(
    client: TestClient, phone: dict[str, str], etag: str | None = None
) -> tuple[int, str, dict]:
    """``GET /me/jobs`` for :data:`DAY` (with ``etag`` in If-None-Match): status, ETag, body."""
    headers = {**phone, "If-None-Match": etag} if etag else phone
    response = client.get(JOBS, headers=headers)
    assert response.status_code in (200, 304), response.text
    body = response.json() if response.status_code == 200 else {}
    return response.status_code, response.headers["ETag"], body


def changed_since(client: TestClient, phone: dict[str, str], etag: str, body: dict) -> dict:
    """Poll with the old ETag: the day must come back whole, under a new ETag, and new."""
    status, new_etag, new_body = poll(client, phone, etag)
    assert status == 200, "a stale day was confirmed with 304"
    assert new_etag != etag
    assert new_body != body
    assert poll(client, phone, new_etag)[0] == 304, "unchanged since: 304"
    return new_body


def statuses(body: dict) -> dict[int, str]:
    """Ticket id -> status of the day's jobs."""
    return {job["ticket_id"]: job["status"] for job in body["jobs"]}


def published(client: TestClient) -> dict:
    """Optimise and publish :data:`DAY`; the published plan."""
    desk = login(client, "dispatcher")
    plan_id = run_plan(client, desk)
    response = client.post(f"/api/v1/plans/{plan_id}/publish", headers=desk)
    assert response.status_code == 200, response.text
    return dict(response.json())


def busiest_route(plan: dict) -> dict:
    """The route with the most visits."""
    return dict(max(plan["routes"], key=lambda r: len(r["visits"])))


def test_a_publish_replaces_the_cached_day(day_client, database):
    # every engineer's phone polls before any plan is out: an empty day, cached
    with database.session() as session:
        engineer_ids = list(session.scalars(select(Engineer.id).order_by(Engineer.id)))
    phones = {e: engineer_login(day_client, database, e) for e in engineer_ids}
    seen = {e: poll(day_client, phone) for e, phone in phones.items()}
    for engineer_id, (status, etag, before) in seen.items():
        assert status == 200 and before["jobs"] == []
        assert poll(day_client, phones[engineer_id], etag)[0] == 304
        cached = runtime_of(day_client).days.lookup(engineer_id, DAY.isoformat())[1]
        assert cached is not None and cached.etag == etag, "the answer is served from the cache"

    plan = published(day_client)

    working = [r for r in plan["routes"] if r["visits"]]
    assert working
    for route in working:
        _, etag, before = seen[route["engineer_id"]]
        after = changed_since(day_client, phones[route["engineer_id"]], etag, before)
        assert [j["ticket_id"] for j in after["jobs"]] == [v["ticket_id"] for v in route["visits"]]


def test_check_in_and_check_out_show_on_the_next_poll(day_client, database):
    route = busiest_route(published(day_client))
    phone = engineer_login(day_client, database, route["engineer_id"])
    first = route["visits"][0]
    _, etag, day = poll(day_client, phone)
    assert statuses(day)[first["ticket_id"]] != "on_site"

    checked_in = day_client.post(
        f"/api/v1/me/jobs/{first['ticket_id']}/check-in",
        json={"lat": first["lat"], "lon": first["lon"]},
        headers=phone,
    )
    assert checked_in.status_code == 200, checked_in.text

    day = changed_since(day_client, phone, etag, day)
    assert statuses(day)[first["ticket_id"]] == "on_site"
    etag = poll(day_client, phone)[1]

    checked_out = day_client.post(
        f"/api/v1/me/jobs/{first['ticket_id']}/check-out",
        json={"outcome": "fixed", "customer_accepted": True},
        headers=phone,
    )
    assert checked_out.status_code == 200, checked_out.text

    day = changed_since(day_client, phone, etag, day)
    assert statuses(day)[first["ticket_id"]] == checked_out.json()["ticket_status"]


def test_dispatch_now_reaches_the_chosen_engineers_phone(day_client, database):
    plan = published(day_client)
    phones = {
        r["engineer_id"]: engineer_login(day_client, database, r["engineer_id"])
        for r in plan["routes"]
    }
    seen = {engineer_id: poll(day_client, phone) for engineer_id, phone in phones.items()}
    ticket_id = emergency(database)

    response = day_client.post(
        f"/api/v1/tickets/{ticket_id}/dispatch-now", headers=login(day_client, "dispatcher")
    )

    assert response.status_code == 200, response.text
    chosen = response.json()["engineer_id"]
    if chosen not in phones:
        phones[chosen] = engineer_login(day_client, database, chosen)
        seen[chosen] = poll(day_client, phones[chosen])
        assert ticket_id in statuses(seen[chosen][2])
        return
    _, etag, before = seen[chosen]
    after = changed_since(day_client, phones[chosen], etag, before)
    assert statuses(after)[ticket_id] == "dispatched"
    assert ticket_id not in statuses(before)


def test_a_diversion_takes_the_routine_job_off_the_engineers_phone(day_client, database):
    engineer_id, routine = on_the_way_to_routine_work(day_client, database)
    phone = engineer_login(day_client, database, engineer_id)
    _, etag, before = poll(day_client, phone)
    assert statuses(before)[routine] == "en_route"
    urgent = urgent_only_they_can_do(database, engineer_id, priority=1, hours=2)

    response = day_client.post(
        f"/api/v1/tickets/{urgent}/dispatch-now", headers=login(day_client, "dispatcher")
    )

    assert response.status_code == 200, response.text
    assert response.json()["diverted_ticket_ids"] == [routine]
    after = changed_since(day_client, phone, etag, before)
    assert routine not in statuses(after)
    assert after["jobs"][0]["ticket_id"] == urgent


def test_a_change_to_one_engineers_day_keeps_the_others_cached(day_client, database):
    plan = published(day_client)
    routes = sorted(plan["routes"], key=lambda r: -len(r["visits"]))
    worker, bystander = routes[0], routes[1]
    phone = engineer_login(day_client, database, worker["engineer_id"])
    other = engineer_login(day_client, database, bystander["engineer_id"])
    _, other_etag, _ = poll(day_client, other)
    days = runtime_of(day_client).days
    version = days.lookup(bystander["engineer_id"], DAY.isoformat())[0]
    first = worker["visits"][0]

    day_client.post(
        f"/api/v1/me/jobs/{first['ticket_id']}/check-in",
        json={"lat": first["lat"], "lon": first["lon"]},
        headers=phone,
    )

    still, cached = days.lookup(bystander["engineer_id"], DAY.isoformat())
    assert still == version and cached is not None and cached.etag == other_etag
    assert poll(day_client, other, other_etag)[0] == 304


def test_an_absence_takes_the_rest_of_the_day_off_the_engineers_phone(day_client, database):
    route = busiest_route(published(day_client))
    phone = engineer_login(day_client, database, route["engineer_id"])
    _, etag, before = poll(day_client, phone)
    assert statuses(before), "the engineer has work today"
    start = dt.datetime.combine(DAY, dt.time(9, 45), tzinfo=ZONE)

    response = day_client.post(
        f"/api/v1/engineers/{route['engineer_id']}/absences",
        json={
            "start": start.isoformat(),
            "end": (start + dt.timedelta(hours=12)).isoformat(),
            "reason": "sick",
        },
        headers=login(day_client, "dispatcher"),
    )

    assert response.status_code == 201, response.text
    released = set(response.json()["released_ticket_ids"])
    assert released, "visits not yet started go back to the pool"
    after = changed_since(day_client, phone, etag, before)
    assert released.isdisjoint(statuses(after))
