"""Request ids (asgi-correlation-id): kept from the client or made, echoed on every
response, carried by the JSON access-log line of the request."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest

from api.observability import JsonFormatter


@pytest.fixture
def access_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("api.access")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def test_a_request_id_is_made_echoed_and_logged(client, access_lines):
    first = client.get("/healthz")
    second = client.get("/healthz")
    made = [first.headers["X-Request-ID"], second.headers["X-Request-ID"]]
    assert all(re.fullmatch(r"[0-9a-f]{32}", m) for m in made) and made[0] != made[1]
    lines = [line for line in access_lines() if line["path"] == "/healthz"]
    assert [line["request_id"] for line in lines] == made
    assert set(lines[0]) >= {"time", "level", "logger", "message", "method", "status"}
    assert lines[0]["time"].endswith("Z") and lines[0]["status"] == 200


def test_the_clients_id_is_kept_unless_unusable(client, access_lines):
    kept = client.get("/api/v1/tickets", headers={"X-Request-ID": "phone-42/retry-1"})
    assert kept.status_code == 401  # errors carry it too
    assert kept.headers["X-Request-ID"] == "phone-42/retry-1"
    assert access_lines()[-1]["request_id"] == "phone-42/retry-1"
    too_long = client.get("/healthz", headers={"X-Request-ID": "x" * 500})
    assert re.fullmatch(r"[0-9a-f]{32}", too_long.headers["X-Request-ID"])
