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

from dispatch.db import Database
from dispatch.jobs import RedisJobQueue
from dispatch.models import Plan, utcnow
from dispatch.optimization import STALE_AFTER, reap_stale_runs
from dispatch.redis_conn import connect
from dispatch.settings import Settings
from tests.api.console_server import server_env, start_server
from tests.api.service_world import DAY, world
from tests.conftest import REQUIRE_SERVICES

__all__ = ["world"]

WAIT = 180.0
"""Generous: solves on a busy two-core machine."""


@pytest.fixture
def server(world: None, database_url: str, redis_url: str | None, tmp_path: Path) -> Iterator[str]:
    """The API, and with Redis one RQ worker, on the test database."""
    yield from start_server(database_url, redis_url, tmp_path)


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


def test_a_run_and_its_publication_arrive_on_the_live_stream_in_order(server):
    access = token(server)
    headers = {"Authorization": f"Bearer {access}"}
    stream = SseClient(server, access)
    try:
        run_id = start_run(server, headers, options={"iterations": 300})
        assert wait_status(server, headers, run_id, {"succeeded", "failed"})["status"] == (
            "succeeded"
        )
        published = httpx.post(f"{server}/api/v1/plans/{run_id}/publish", headers=headers)
        assert published.status_code == 200, published.text
        stream.wait_for(lambda e: e["kind"] == "plan.published")
    finally:
        stream.close()

    mine = [
        e
        for e in stream.events
        if e["data"].get("plan_id") == run_id
        and e["kind"] in {"optimization.progress", "plan.published"}
    ]
    steps = [e["data"].get("status", e["kind"]) for e in mine]
    assert steps[: steps.index("running") + 1][-1] == "running"
    assert steps.index("running") < steps.index("succeeded") < steps.index("plan.published")
    ids = [e["id"] for e in stream.events]
    assert len(ids) == len(set(ids))
    scheduled = [
        e
        for e in stream.events
        if e["kind"] == "ticket.status_changed" and e["data"]["action"] == "schedule"
    ]
    assert scheduled, "publishing schedules tickets, announced on the stream"

    # A client that lost its connection after the run's first event gets the rest.
    first = next(e for e in mine if e["data"].get("status") == "running")
    again = SseClient(server, access, last_event_id=first["id"])
    try:
        again.wait_for(lambda e: e["kind"] == "plan.published")
    finally:
        again.close()
    replayed = [e["id"] for e in again.events]
    assert first["id"] not in replayed
    assert replayed[: len(ids) - ids.index(first["id"]) - 1] == ids[ids.index(first["id"]) + 1 :]


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
    yield from start_server(database_url, redis_url, tmp_path, workers=False)


def test_a_run_whose_worker_dies_is_requeued_and_finished_by_another(
    queue_only_server, database_url, redis_url, tmp_path
):
    base = queue_only_server
    headers = {"Authorization": f"Bearer {token(base)}"}
    env = server_env(database_url, redis_url)
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
    # once with a clock past the staleness limit instead of waiting 45 s.
    database = Database(Settings(database_url=database_url, redis_url=redis_url))
    try:
        with database.session() as session:
            requeued, failed = reap_stale_runs(
                session=session, now=utcnow() + STALE_AFTER + dt.timedelta(seconds=5)
            )
        assert (requeued, failed) == ([run_id], [])
        client = connect(redis_url)
        RedisJobQueue(client).enqueue_optimization(run_id, time_budget=20)
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
