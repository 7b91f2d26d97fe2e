"""The live stream on a real server (uvicorn in this process): the greeting, events as they
happen, a resumed stream replaying from ``Last-Event-ID``, pings on an idle stream."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.routes import events as events_route
from dispatch.infra.settings import Settings
from tests.api.console_server import free_port
from tests.api.service_world import MORNING, report_ticket, world

__all__ = ["world"]


@pytest.fixture
def server(settings: Settings, world: None) -> Iterator[str]:
    """The API on a free port, its clock at MORNING."""
    app = create_app(settings)
    app.state.runtime.clock = lambda: MORNING.astimezone(dt.UTC)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, timeout_graceful_shutdown=3
    )
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    try:
        for _ in range(300):
            if uv.started:
                break
            threading.Event().wait(0.05)
        assert uv.started, "server did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        thread.join(timeout=15)


def _token(base: str) -> str:
    response = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": "dispatcher", "password": "demo"}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def _messages(lines: Iterator[str]) -> Iterator[dict[str, str]]:
    """SSE messages as dicts (comments under ``":"``), in order."""
    current: dict[str, str] = {}
    for line in lines:
        if line == "":
            if current:
                yield current
            current = {}
            continue
        field, _, value = line.partition(":")
        current[field] = value.removeprefix(" ")


def _stream(base: str, token: str, headers: dict[str, str] | None = None):
    client = httpx.Client(timeout=httpx.Timeout(10, read=20))
    return client, client.stream(
        "GET", f"{base}/api/v1/events", params={"access_token": token}, headers=headers or {}
    )


def test_events_arrive_and_a_resumed_stream_replays_them(server: str, database) -> None:
    token = _token(server)
    ticket_id = report_ticket(database, at=MORNING - dt.timedelta(minutes=10))
    client, request = _stream(server, token)
    with client, request as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        messages = _messages(response.iter_lines())
        greeting = next(messages)
        assert greeting[""].startswith("connected, resuming after ")
        assert greeting["retry"] == "3000"
        before = greeting[""].rsplit(" ", 1)[-1]

        triaged = httpx.post(
            f"{server}/api/v1/tickets/{ticket_id}/transitions",
            json={"action": "triage", "reason": "stream test"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert triaged.status_code == 200, triaged.text
        event = next(m for m in messages if m.get("event") == "ticket.status_changed")
        assert json.loads(event["data"])["ticket_id"] == ticket_id
        seen = event["id"]

    client, request = _stream(server, token, {"Last-Event-ID": before})
    with client, request as response:
        messages = _messages(response.iter_lines())
        assert next(messages)[""] == f"connected, resuming after {before}"
        replayed = next(m for m in messages if m.get("event") == "ticket.status_changed")
        assert replayed["id"] == seen and json.loads(replayed["data"])["ticket_id"] == ticket_id


def test_an_idle_stream_is_pinged(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events_route, "PING_SECONDS", 1)
    token = _token(server)
    client, request = _stream(server, token)
    with client, request as response:
        messages = _messages(response.iter_lines())
        assert next(messages)[""].startswith("connected")
        ping = next(messages)
        assert set(ping) == {""} and ping[""].startswith("ping")
