"""End to end with real processes: the API server, RQ workers (with Redis), SSE clients.

A run goes through the queue to a worker, its progress and the publication arrive on the
live stream in order, a reconnecting client gets what it missed, and a run whose worker
is killed is requeued by the reaper and finished by another worker, never lost.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from dispatch.infra.db import Database
from dispatch.infra.job_queue import RedisJobQueue
from dispatch.infra.redis_conn import connect
from dispatch.infra.settings import Settings
from dispatch.models import Asset, Engineer, Plan, Site, User
from dispatch.org.users import create_user
from dispatch.planning.optimization import STALE_AFTER, reap_stale_runs
from tests.api.console_server import server_env, start_server
from tests.api.service_world import DAY, MORNING, world
from tests.conftest import REQUIRE_SERVICES

__all__ = ["world"]

pytestmark = pytest.mark.realclock

WAIT = 180.0
"""Generous: solves on a busy two-core machine."""


@pytest.fixture
def server(world: None, database_url: str, redis_url: str | None, tmp_path: Path) -> Iterator[str]:
    """The API, and with Redis one RQ worker, on the test database, at :data:`MORNING`."""
    yield from start_server(database_url, redis_url, tmp_path, clock_at=MORNING)


def token(base: str, username: str = "dispatcher") -> str:
    response = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": username, "password": "demo"}
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


class SseClient:
    """Reads ``/api/v1/events`` in a thread and keeps every event."""

    def __init__(self, base: str, access_token: str, last_event_id: str | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.connected = threading.Event()
        self._stop = threading.Event()
        params = {"access_token": access_token}
        headers = {"Last-Event-ID": last_event_id} if last_event_id else {}
        self._thread = threading.Thread(
            target=self._run, args=(f"{base}/api/v1/events", params, headers), daemon=True
        )
        self._thread.start()
        assert self.connected.wait(30), "SSE stream did not connect"

    def _run(self, url: str, params: dict[str, str], headers: dict[str, str]) -> None:
        current: dict[str, Any] = {}
        with (
            httpx.Client(timeout=httpx.Timeout(10, read=60)) as client,
            client.stream("GET", url, params=params, headers=headers) as response,
        ):
            response.raise_for_status()
            for line in response.iter_lines():
                if line.startswith(": connected"):
                    self.connected.set()
                if self._stop.is_set():
                    return
                if line.startswith("id: "):
                    current["id"] = line[4:]
                elif line.startswith("event: "):
                    current["kind"] = line[7:]
                elif line.startswith("data: "):
                    current["data"] = json.loads(line[6:])
                elif line == "" and "kind" in current:
                    self.events.append(current)
                    current = {}

    def wait_for(self, predicate: Any, timeout: float = WAIT) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in list(self.events):
                if predicate(event):
                    return event
            time.sleep(0.1)
        raise AssertionError(f"no such event; got {[e['kind'] for e in self.events]}")

    def close(self) -> None:
        self._stop.set()


def wait_status(base: str, headers: dict[str, str], run_id: int, wanted: set[str]) -> dict:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        run = httpx.get(f"{base}/api/v1/optimizations/{run_id}", headers=headers).json()
        if run["status"] in wanted:
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} never reached {wanted}: {run}")


def start_run(base: str, headers: dict[str, str], **body: Any) -> int:
    response = httpx.post(
        f"{base}/api/v1/optimizations",
        json={"region": "HQ", "date": DAY.isoformat(), "time_budget_seconds": 5} | body,
        headers=headers,
    )
    assert response.status_code == 202, response.text
    return int(response.json()["id"])


def new_tickets(base: str, headers: dict[str, str], database_url: str, count: int) -> list[int]:
    """Create and triage ``count`` P1 tickets through the API (at sites with an asset)."""
    database = Database(Settings(database_url=database_url))
    try:
        with database.session() as session:
            assets = session.scalars(select(Asset).order_by(Asset.id).limit(count)).all()
            places = [(session.get(Site, a.site_id), a) for a in assets]
            places = [(site.customer_id, site.id, a.id) for site, a in places if site]
    finally:
        database.dispose()
    ids = []
    for customer_id, site_id, asset_id in places:
        created = httpx.post(
            f"{base}/api/v1/tickets",
            json={
                "customer_id": customer_id,
                "site_id": site_id,
                "asset_id": asset_id,
                "kind": "repair",
                "priority": 1,
                "estimated_minutes": 40,
                "symptoms": "lift stopped between floors",
            },
            headers=headers,
        )
        assert created.status_code == 201, created.text
        ticket_id = int(created.json()["id"])
        triaged = httpx.post(
            f"{base}/api/v1/tickets/{ticket_id}/transitions",
            json={"action": "triage", "reason": "trapped passenger"},
            headers=headers,
        )
        assert triaged.status_code == 200, triaged.text
        ids.append(ticket_id)
    return ids


def engineer_headers(base: str, database_url: str, engineer_id: int) -> dict[str, str]:
    """Log in as a new user bound to ``engineer_id`` (or the demo one when it is theirs)."""
    database = Database(Settings(database_url=database_url))
    try:
        with database.session() as session:
            user = session.scalar(select(User).where(User.engineer_id == engineer_id))
            if user is None:
                code = session.get(Engineer, engineer_id).code  # type: ignore[union-attr]
                user = create_user(
                    session=session,
                    username=f"phone-{code.lower()}",
                    password="phone-pass-1",
                    role="engineer",
                    engineer_code=code,
                )
                username, password = user.username, "phone-pass-1"
            else:
                username, password = user.username, "demo"
    finally:
        database.dispose()
    response = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": username, "password": password}
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_a_field_service_day_end_to_end(server, database_url):
    """Tickets -> optimise (worker) -> publish -> engineer's jobs -> check-in (retried) ->
    check-out -> completed -> KPIs -> every step on the live stream, in order."""
    access = token(server)
    headers = {"Authorization": f"Bearer {access}"}
    stream = SseClient(server, access)
    try:
        created = new_tickets(server, headers, database_url, 2)
        run_id = start_run(server, headers, options={"iterations": 300})
        assert wait_status(server, headers, run_id, {"succeeded", "failed"})["status"] == (
            "succeeded"
        )
        plan = httpx.get(f"{server}/api/v1/plans/{run_id}", headers=headers).json()
        placed = {v["ticket_id"]: r["engineer_id"] for r in plan["routes"] for v in r["visits"]}
        assert set(created) <= set(placed), "the new P1 tickets are planned"
        published = httpx.post(f"{server}/api/v1/plans/{run_id}/publish", headers=headers)
        assert published.status_code == 200, published.text

        ticket_id = created[0]
        phone = engineer_headers(server, database_url, placed[ticket_id])
        jobs = httpx.get(f"{server}/api/v1/me/jobs?date={DAY}", headers=phone)
        assert jobs.status_code == 200
        job = next(j for j in jobs.json()["jobs"] if j["ticket_id"] == ticket_id)
        unchanged = httpx.get(
            f"{server}/api/v1/me/jobs?date={DAY}",
            headers={**phone, "If-None-Match": jobs.headers["ETag"]},
        )
        assert unchanged.status_code == 304

        here = {"lat": job["site"]["lat"], "lon": job["site"]["lon"]}
        keyed = {**phone, "Idempotency-Key": f"in-{ticket_id}"}
        first = httpx.post(
            f"{server}/api/v1/me/jobs/{ticket_id}/check-in", json=here, headers=keyed
        )
        retry = httpx.post(
            f"{server}/api/v1/me/jobs/{ticket_id}/check-in", json=here, headers=keyed
        )
        assert first.status_code == retry.status_code == 200, first.text
        assert retry.json() == first.json() and retry.headers["Idempotent-Replayed"] == "true"
        out = httpx.post(
            f"{server}/api/v1/me/jobs/{ticket_id}/check-out",
            json={"outcome": "fixed", "notes": "door sensor replaced"},
            headers={**phone, "Idempotency-Key": f"out-{ticket_id}"},
        )
        assert out.status_code == 200, out.text
        assert out.json()["ticket_status"] == "awaiting_acceptance"
        ticket = httpx.get(f"{server}/api/v1/tickets/{ticket_id}", headers=headers).json()
        assert ticket["resolved_at"] is not None and ticket["responded_at"] is not None

        kpis = httpx.get(
            f"{server}/api/v1/kpis",
            params={
                "from": str(DAY - dt.timedelta(days=1)),
                "to": str(DAY + dt.timedelta(days=1)),
            },
            headers=headers,
        ).json()
        assert kpis["first_time_fix"]["numerator"] >= 1
        assert kpis["response_time"]["count"] >= 1
        stream.wait_for(lambda e: e["kind"] == "engineer.checked_out")
    finally:
        stream.close()

    def position(predicate: Any) -> int:
        return next(i for i, e in enumerate(stream.events) if predicate(e))

    def status_of(kind: str, **match: Any) -> Any:
        return lambda e: e["kind"] == kind and all(e["data"].get(k) == v for k, v in match.items())

    order = [
        position(status_of("ticket.status_changed", ticket_id=ticket_id, action="triage")),
        position(status_of("optimization.progress", plan_id=run_id, status="running")),
        position(status_of("optimization.progress", plan_id=run_id, status="succeeded")),
        # publishing schedules the tickets and announces the plan, in one transaction
        position(status_of("ticket.status_changed", ticket_id=ticket_id, action="schedule")),
        position(status_of("plan.published", plan_id=run_id)),
        position(status_of("ticket.status_changed", ticket_id=ticket_id, action="arrive")),
        position(status_of("engineer.checked_in", ticket_id=ticket_id)),
        position(status_of("ticket.status_changed", ticket_id=ticket_id, action="complete")),
        position(status_of("engineer.checked_out", ticket_id=ticket_id)),
    ]
    assert order == sorted(order), [stream.events[i]["kind"] for i in order]
    checked_in = [
        e for e in stream.events if status_of("engineer.checked_in", ticket_id=ticket_id)(e)
    ]
    assert len(checked_in) == 1, "the retried check-in was recorded once"
    ids = [e["id"] for e in stream.events]
    assert len(ids) == len(set(ids))

    # A client that lost its connection after the run started gets everything after it.
    first_seen = stream.events[order[1]]
    again = SseClient(server, access, last_event_id=first_seen["id"])
    try:
        again.wait_for(lambda e: e["kind"] == "engineer.checked_out")
    finally:
        again.close()
    replayed = [e["id"] for e in again.events]
    assert replayed[: len(ids) - order[1] - 1] == ids[order[1] + 1 :]


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("dispatch")), "worker", "--no-housekeeping"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: kill the worker and its work horse
    )


@pytest.fixture
def queue_only_server(
    world: None, database_url: str, redis_url: str | None, tmp_path: Path
) -> Iterator[str]:
    """The API with Redis but no worker: the test starts and kills workers itself."""
    if redis_url is None:
        if REQUIRE_SERVICES:
            pytest.fail("DISPATCH_TEST_REDIS_URL is required")
        pytest.skip("the RQ worker needs Redis (DISPATCH_TEST_REDIS_URL)")
    yield from start_server(database_url, redis_url, tmp_path, workers=False, clock_at=MORNING)


def test_a_run_whose_worker_dies_is_requeued_and_finished_by_another(
    queue_only_server, database_url, redis_url, tmp_path
):
    base = queue_only_server
    headers = {"Authorization": f"Bearer {token(base)}"}
    env = server_env(database_url, redis_url, MORNING)
    run_id = start_run(base, headers, time_budget_seconds=20)
    doomed = _worker(env, tmp_path / "worker-1.log")
    try:
        wait_status(base, headers, run_id, {"running"})
    finally:
        os.killpg(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=10)
    time.sleep(1.0)
    assert (
        httpx.get(f"{base}/api/v1/optimizations/{run_id}", headers=headers).json()["status"]
        == "running"
    )  # nobody knows yet: the heartbeats just stop

    # The reaper (in every worker and API process) finds the silent run; here it runs
    # once with a clock past the staleness limit instead of waiting 45 s (the processes'
    # clocks started at MORNING a moment ago).
    database = Database(Settings(database_url=database_url, redis_url=redis_url))
    try:
        with database.session() as session:
            requeued, failed = reap_stale_runs(
                session=session, now=MORNING + STALE_AFTER + dt.timedelta(minutes=2)
            )
        assert (requeued, failed) == ([run_id], [])
        client = connect(redis_url)
        RedisJobQueue(client).enqueue_optimization(run_id, time_budget_seconds=20)
        client.close()
        rescuer = _worker(env, tmp_path / "worker-2.log")
        try:
            done = wait_status(base, headers, run_id, {"succeeded", "failed"})
        finally:
            os.killpg(rescuer.pid, signal.SIGTERM)
            rescuer.wait(timeout=30)
        with database.session() as session:
            plan = session.get(Plan, run_id)
            attempts = plan.attempts
    finally:
        database.dispose()
    assert done["status"] == "succeeded"
    assert attempts == 2


def test_cancelling_a_running_run_stops_it_and_frees_the_worker(
    queue_only_server, database_url, redis_url, tmp_path
):
    base = queue_only_server
    headers = {"Authorization": f"Bearer {token(base)}"}
    worker = _worker(server_env(database_url, redis_url, MORNING), tmp_path / "worker.log")
    try:
        long_run = start_run(base, headers, time_budget_seconds=600)
        wait_status(base, headers, long_run, {"running"})

        cancelled = httpx.post(f"{base}/api/v1/optimizations/{long_run}/cancel", headers=headers)
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        # With the long run still solving, this one would wait 600 s behind it.
        next_run = start_run(base, headers, options={"iterations": 200})
        assert wait_status(base, headers, next_run, {"succeeded", "failed"})["status"] == (
            "succeeded"
        )
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
    final = httpx.get(f"{base}/api/v1/optimizations/{long_run}", headers=headers).json()
    assert final["status"] == "cancelled"
    again = httpx.post(f"{base}/api/v1/optimizations/{long_run}/cancel", headers=headers)
    assert again.status_code == 409
