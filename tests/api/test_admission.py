"""A burst of phones larger than the connection pool is served, not starved into 500s.

FastAPI runs the session, the current user and the handler as separate thread hops, and a
request keeps its connection across them. Without admission control a burst fills the
handler threads with requests waiting for a connection, while the requests that hold the
connections wait for a thread: every waiter fails at the pool's time-out. The test makes the
shortage small and certain (one connection, two handler threads, a one-second pool time-out)
and sends eight requests at once, on the real database the suite runs on.
"""

from __future__ import annotations

import anyio
import anyio.to_thread
import httpx
import pytest

from api.admission import Admission
from api.app import create_app
from dispatch.infra.settings import Settings

JOBS = "/api/v1/me/jobs"
BURST = 8


def burst_statuses(settings: Settings, *, threads: int) -> list[int]:
    """Log in as the demo engineer, then send :data:`BURST` ``GET /me/jobs`` at once."""
    app = create_app(settings)

    async def main() -> list[int]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://phone") as client:
            token = await client.post(
                "/api/v1/auth/token", data={"username": "engineer", "password": "demo"}
            )
            assert token.status_code == 200, token.text
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            statuses: list[int] = []

            async def poll() -> None:
                statuses.append((await client.get(JOBS, headers=headers)).status_code)

            async with anyio.create_task_group() as group:
                for _ in range(BURST):
                    group.start_soon(poll)
            return statuses

    try:
        return anyio.run(main)
    finally:
        app.state.runtime.close()


def small_pool(settings: Settings, **overrides: object) -> Settings:
    """``settings`` with one connection and a one-second wait for it."""
    values = {"db_pool_size": 1, "db_max_overflow": 0, "db_pool_timeout_seconds": 1.0}
    return settings.model_copy(update=values | overrides)


def test_a_burst_larger_than_the_pool_is_served_in_turn(settings, demo):
    statuses = burst_statuses(small_pool(settings), threads=2)
    assert statuses == [200] * BURST


def test_without_admission_the_same_burst_starves_on_the_pool(settings, demo):
    """The control: the shortage above is real (so the first test proves admission)."""
    unlimited = small_pool(settings, max_requests_in_flight=BURST)
    statuses = burst_statuses(unlimited, threads=2)
    assert 500 in statuses


def test_a_request_that_waits_too_long_is_told_to_retry(settings, demo):
    async def main() -> tuple[int, dict[str, str], dict[str, object]]:
        async def slow_app(scope: object, receive: object, send: object) -> None:
            await anyio.sleep(0.5)

        admission = Admission(slow_app, limit=1, wait_seconds=0.1)
        transport = httpx.ASGITransport(app=admission)
        client = httpx.AsyncClient(transport=transport, base_url="http://phone")
        async with client, anyio.create_task_group() as group:
            group.start_soon(client.get, JOBS)  # holds the one slot for 0.5 s
            await anyio.sleep(0.05)
            refused = await client.get(JOBS)
            group.cancel_scope.cancel()
        return refused.status_code, dict(refused.headers), refused.json()

    status, headers, body = anyio.run(main)
    assert status == 503
    assert headers["retry-after"] == "1"
    assert headers["content-type"] == "application/problem+json"
    assert "busy" in str(body["detail"])


def test_the_limit_defaults_to_the_pool_and_is_bounded_by_the_threads(settings):
    assert (
        settings.model_copy(update={"db_pool_size": 3, "db_max_overflow": 2}).admission_limit == 5
    )
    assert settings.model_copy(update={"db_pool_size": 60}).admission_limit == 40
    assert settings.model_copy(update={"max_requests_in_flight": 7}).admission_limit == 7
    with pytest.raises(ValueError):
        Admission(lambda *a: None, limit=0, wait_seconds=1.0)  # type: ignore[arg-type]
