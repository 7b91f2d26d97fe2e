"""The API while Redis fails: a private redis-server is stopped during traffic and started
again (empty, as a Redis without persistence comes back).

Nothing stored is answered as failed, nothing answered as done is missing, every event
waiting when Redis returns is on the stream within 5 s, and every run requested (even
while Redis was down, or lost with its queue) gets a job and finishes. Positions and the
live stream answer 503 while Redis is down; a check-in near a pole (which Redis GEO
cannot index) is stored and answered like any other.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rq.job import Job
from sqlalchemy import select

from api.app import create_app
from dispatch.infra import keys
from dispatch.infra.db import Database
from dispatch.infra.settings import Settings
from dispatch.models import Asset, Plan, Site, SiteVisit, Ticket, utcnow
from dispatch.planning import optimization
from tests.api.console_server import server_env
from tests.api.service_world import DAY, MORNING, engineer_login, run_plan, runtime_of, world
from tests.conftest import login
from tests.private_redis import PrivateRedis, private_redis

__all__ = ["private_redis", "world"]

RELAY_WINDOW = dt.timedelta(seconds=5)
"""Events stored during the outage must be on the stream within this of Redis returning."""
PROBLEM_JSON = "application/problem+json"


@pytest.fixture
def outage_client(
    settings: Settings, world: None, private_redis: PrivateRedis
) -> Iterator[TestClient]:
    """The app on the test database, its Redis the private one; its clock reads MORNING."""
    app = create_app(settings.model_copy(update={"redis_url": private_redis.url}))
    app.state.runtime.clock = lambda: MORNING.astimezone(dt.UTC)  # before start: its SLA sweep
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def published_routes(client: TestClient) -> list[tuple[int, list[tuple[int, float, float]]]]:
    """Publish a plan of DAY; (engineer id, [(ticket id, lat, lon)...]) per route, longest first."""
    headers = login(client, "dispatcher")
    plan_id = run_plan(client, headers)
    plan = client.post(f"/api/v1/plans/{plan_id}/publish", headers=headers)
    assert plan.status_code == 200, plan.text
    routes = sorted(plan.json()["routes"], key=lambda r: -len(r["visits"]))
    return [
        (r["engineer_id"], [(v["ticket_id"], v["lat"], v["lon"]) for v in r["visits"]])
        for r in routes
        if r["visits"]
    ]


def test_a_check_in_near_a_pole_is_stored_and_answered(outage_client, database):
    engineer_id, jobs = published_routes(outage_client)[0]
    phone = engineer_login(outage_client, database, engineer_id)
    ticket_id = jobs[0][0]

    checked_in = outage_client.post(
        f"/api/v1/me/jobs/{ticket_id}/check-in", json={"lat": 89.5, "lon": 10.0}, headers=phone
    )
    assert checked_in.status_code == 200, checked_in.text
    assert checked_in.json()["flagged"] is True  # thousands of km from the site
    checked_out = outage_client.post(
        f"/api/v1/me/jobs/{ticket_id}/check-out",
        json={"outcome": "fixed", "lat": -86.0, "lon": 0.0},
        headers=phone,
    )
    assert checked_out.status_code == 200, checked_out.text
    pinged = outage_client.post(
        "/api/v1/me/location", json={"lat": 88.0, "lon": 1.0}, headers=phone
    )
    assert pinged.status_code == 200, pinged.text

    with database.session() as session:
        visit = session.get_one(SiteVisit, checked_in.json()["site_visit_id"])
        assert (visit.check_in_lat, visit.check_out_lat) == (89.5, -86.0)
        assert session.get_one(Ticket, ticket_id).status == "awaiting_acceptance"
    position = runtime_of(outage_client).positions.get(engineer_id)
    assert position is not None and position.lat == 88.0


def test_positions_and_the_live_stream_answer_503_while_redis_is_down(
    outage_client, database, private_redis
):
    engineer_id, _ = published_routes(outage_client)[0]
    phone = engineer_login(outage_client, database, engineer_id)
    token = phone["Authorization"].removeprefix("Bearer ")
    private_redis.stop()

    pinged = outage_client.post(
        "/api/v1/me/location", json={"lat": 31.2, "lon": 121.4}, headers=phone
    )
    stream = outage_client.get("/api/v1/events", params={"access_token": token})
    resumed = outage_client.get(
        "/api/v1/events", params={"access_token": token}, headers={"Last-Event-ID": "1-0"}
    )
    for response in (pinged, stream, resumed):
        assert response.status_code == 503, response.text
        assert response.headers["content-type"].startswith(PROBLEM_JSON)
        assert response.json()["status"] == 503

    private_redis.start()
    pinged = outage_client.post(
        "/api/v1/me/location", json={"lat": 31.2, "lon": 121.4}, headers=phone
    )
    assert pinged.status_code == 200, pinged.text
    position = runtime_of(outage_client).positions.get(engineer_id)
    assert position is not None and position.lat == 31.2


Op = tuple[str, int | None, Callable[[], Any]]
"""What a request is, what it is about (ticket, engineer) and how to send it."""


@dataclass
class Answer:
    """One request of the traffic and how it was answered."""

    op: str
    subject: int | None
    status: int
    body: Any
    after_stop: bool
    """Sent after Redis had stopped (so its events cannot be in the old stream)."""
    while_down: bool
    """Sent after Redis had stopped and before it was started again."""


@dataclass
class Traffic:
    """The phones' and the desk's requests, sent one after another in a thread.

    At op ``stop_at`` it asks for Redis to be stopped and goes on sending; from op
    ``down_from`` on it sends only once Redis is down; at op ``start_at`` it asks for Redis
    to be started again and goes on sending.
    """

    client: TestClient
    ops: list[Op]
    stop_at: int
    down_from: int
    start_at: int
    stop_now: threading.Event = field(default_factory=threading.Event)
    stopped: threading.Event = field(default_factory=threading.Event)
    start_now: threading.Event = field(default_factory=threading.Event)
    restarting: threading.Event = field(default_factory=threading.Event)
    answers: list[Answer] = field(default_factory=list)

    def run(self) -> None:
        for index, (op, subject, send) in enumerate(self.ops):
            if index == self.stop_at:
                self.stop_now.set()
            if index == self.down_from and not self.stopped.wait(60):
                return
            if index == self.start_at:
                self.start_now.set()
            after_stop = self.stopped.is_set()
            while_down = after_stop and not self.restarting.is_set()
            response = send()
            try:
                body = response.json()
            except ValueError:
                body = response.text
            self.answers.append(
                Answer(op, subject, response.status_code, body, after_stop, while_down)
            )


def _desk_ops(client: TestClient, database: Database, rounds: int) -> Iterator[list[Op]]:
    """Per round: a new ticket created and triaged, and an optimisation requested."""
    desk = login(client, "dispatcher")
    with database.session() as session:
        assets = session.scalars(select(Asset).order_by(Asset.id).limit(rounds)).all()
        places = [(session.get_one(Site, a.site_id).customer_id, a.site_id, a.id) for a in assets]

    def new_ticket(customer_id: int, site_id: int, asset_id: int) -> Any:
        draft = {"customer_id": customer_id, "site_id": site_id, "asset_id": asset_id}
        draft |= {"kind": "repair", "priority": 2, "estimated_minutes": 30, "symptoms": "judders"}
        created = client.post("/api/v1/tickets", json=draft, headers=desk)
        if created.status_code != 201:
            return created
        return client.post(
            f"/api/v1/tickets/{created.json()['id']}/transitions",
            json={"action": "triage", "reason": "customer called"},
            headers=desk,
        )

    run = {"region": "HQ", "date": DAY.isoformat(), "time_budget_seconds": 1}
    run |= {"options": {"iterations": 30}}
    for place in places:
        yield [
            ("new-ticket", None, partial(new_ticket, *place)),
            (
                "optimise",
                None,
                partial(client.post, "/api/v1/optimizations", json=run, headers=desk),
            ),
        ]


def build_ops(client: TestClient, database: Database) -> list[Op]:
    """Check-ins and check-outs of three engineers' routes, interleaved with position pings,
    new tickets triaged at the desk and optimisation requests."""
    routes = published_routes(client)[:3]
    phones = {e: engineer_login(client, database, e) for e, _ in routes}
    rounds = max(len(jobs) for _, jobs in routes)
    ops: list[Op] = []
    for i, desk_ops in enumerate(_desk_ops(client, database, rounds)):
        for engineer_id, jobs in routes:
            if i >= len(jobs):
                continue
            ticket_id, lat, lon = jobs[i]
            send = partial(client.post, json={"lat": lat, "lon": lon}, headers=phones[engineer_id])
            out = partial(client.post, json={"outcome": "fixed"}, headers=phones[engineer_id])
            ops += [
                ("check-in", ticket_id, partial(send, f"/api/v1/me/jobs/{ticket_id}/check-in")),
                ("location", engineer_id, partial(send, "/api/v1/me/location")),
                ("check-out", ticket_id, partial(out, f"/api/v1/me/jobs/{ticket_id}/check-out")),
            ]
        ops += desk_ops
    return ops


EXPECTED = {"check-in": {200}, "check-out": {200}, "new-ticket": {200}, "optimise": {202}}
DOWN_OPS = {"check-in", "check-out", "location", "new-ticket", "optimise"}
"""Each kind of request is sent at least once while Redis is down."""


def test_redis_stopped_and_restarted_during_traffic_loses_and_fails_nothing(
    outage_client, database, database_url, private_redis
):
    runtime = runtime_of(outage_client)
    ops = build_ops(outage_client, database)
    stop_at = len(ops) // 4
    down_from = stop_at + 2
    start_at = next(
        i for i in range(down_from, len(ops)) if {o for o, _, _ in ops[down_from:i]} >= DOWN_OPS
    )
    traffic = Traffic(outage_client, ops, stop_at, down_from, start_at)
    thread = threading.Thread(target=traffic.run, daemon=True)
    thread.start()
    assert traffic.stop_now.wait(60)
    private_redis.stop()
    traffic.stopped.set()
    assert traffic.start_now.wait(60)
    traffic.restarting.set()
    private_redis.start()
    back = utcnow()
    thread.join(timeout=120)
    assert not thread.is_alive() and len(traffic.answers) == len(ops)
    assert {a.op for a in traffic.answers if a.while_down} >= DOWN_OPS

    # Nothing stored is answered as failed: every write is answered as done...
    failed = [a for a in traffic.answers if a.op in EXPECTED and a.status not in EXPECTED[a.op]]
    assert failed == []
    pings = {a.status for a in traffic.answers if a.op == "location"}
    assert pings <= {200, 503} and 503 in pings, pings  # positions: 503 while Redis is down
    # ...and nothing answered as done is missing.
    _assert_stored(database, traffic.answers)

    # Every event stored before Redis returned was relayed within 5 s of its return, and the
    # events of every change made after Redis stopped are on the (new) stream, once each.
    relayed = _wait_relayed(database)
    late = [(i, at) for i, created, at in relayed if created < back and at > back + RELAY_WINDOW]
    assert late == [], f"relayed more than 5 s after Redis returned at {back}"
    _assert_streamed(runtime.bus.read("0-0", count=100_000), traffic.answers)

    # No run stays queued: each gets a job (the queue restarted empty), and a worker runs them.
    _wait_for_jobs(database, private_redis)
    worker = subprocess.run(
        [str(Path(sys.executable).with_name("dispatch")), "worker", "--burst", "--no-housekeeping"],
        env=server_env(database_url, private_redis.url, MORNING),
        capture_output=True,
        timeout=300,
    )
    assert worker.returncode == 0, worker.stderr.decode()[-2000:]
    with database.session() as session:
        left = session.scalars(select(Plan).where(Plan.status.in_(optimization.ACTIVE))).all()
        assert [(p.id, p.status) for p in left] == []
        runs = [a.body["id"] for a in traffic.answers if a.op == "optimise"]
        assert {session.get_one(Plan, r).status for r in runs} == {"succeeded"}


def _wait_relayed(
    database: Database, timeout: float = 60
) -> list[tuple[int, dt.datetime, dt.datetime]]:
    """Once no event waits in the outbox: (id, stored at, relayed at) of each."""
    from dispatch.models import OutboxEvent

    deadline = time.monotonic() + timeout
    while True:
        with database.session() as session:
            rows = session.execute(
                select(OutboxEvent.id, OutboxEvent.created_at, OutboxEvent.relayed_at)
            ).all()
        if all(at is not None for _, _, at in rows):
            return [(i, created, at) for i, created, at in rows]
        assert time.monotonic() < deadline, "events still wait in the outbox"
        time.sleep(0.1)


def _assert_stored(database: Database, answers: list[Answer]) -> None:
    with database.session() as session:
        for a in answers:
            if a.op == "check-in":
                visit = session.get_one(SiteVisit, a.body["site_visit_id"])
                assert visit.ticket_id == a.subject and visit.checked_in_at is not None
            elif a.op == "check-out":
                visit = session.get_one(SiteVisit, a.body["site_visit_id"])
                assert visit.outcome == "fixed" and visit.checked_out_at is not None
                assert session.get_one(Ticket, a.subject).status == a.body["ticket_status"]
            elif a.op == "new-ticket":
                assert session.get_one(Ticket, a.body["id"]).status == "triaged"
            elif a.op == "optimise":
                assert session.get(Plan, a.body["id"]) is not None


def _assert_streamed(events: list[Any], answers: list[Answer]) -> None:
    seen: dict[str, list[Any]] = {}
    for event in events:
        seen.setdefault(event.kind, []).append(event.data)
    later = [a for a in answers if a.after_stop]
    assert any(a.op == "check-in" for a in later)
    for a in later:
        if a.op == "check-in":
            matches = [
                d
                for d in seen.get("engineer.checked_in", [])
                if d["site_visit_id"] == a.body["site_visit_id"]
            ]
            assert len(matches) == 1, (a, matches)
        elif a.op == "check-out":
            matches = [
                d
                for d in seen.get("engineer.checked_out", [])
                if d["site_visit_id"] == a.body["site_visit_id"]
            ]
            assert len(matches) == 1, (a, matches)
        elif a.op == "new-ticket":
            triaged = [
                d
                for d in seen.get("ticket.status_changed", [])
                if d.get("ticket_id") == a.body["id"] and d.get("action") == "triage"
            ]
            assert len(triaged) == 1, (a, triaged)


def _wait_for_jobs(database: Database, private_redis: PrivateRedis, timeout: float = 60) -> None:
    """Until every queued run has a job on the (restarted, empty) queue."""
    client = private_redis.client()
    deadline = time.monotonic() + timeout
    try:
        while True:
            with database.session() as session:
                queued = session.scalars(select(Plan.id).where(Plan.status == "queued")).all()
            missing = [p for p in queued if not _has_job(client, p)]
            if not missing:
                return
            assert time.monotonic() < deadline, f"runs {missing} never got a job"
            time.sleep(0.2)
    finally:
        client.close()


def _has_job(client: Any, plan_id: int) -> bool:
    raw = client.get(keys.optimization_job(plan_id))
    return raw is not None and Job.exists(raw.decode(), connection=client)
