"""Failed log-ins are throttled per user name and per client address (429 + Retry-After)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import redis
from fastapi.testclient import TestClient

from api.app import create_app
from dispatch.errors import TooManyAttempts
from dispatch.infra import keys
from dispatch.infra.settings import Settings
from dispatch.org.login_throttle import LoginPolicy, LoginThrottle

T0 = dt.datetime(2026, 11, 24, 1, 30, tzinfo=dt.UTC)
WINDOW = 60


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def strict(settings: Settings, demo: None, clock: Clock) -> Iterator[TestClient]:
    """A client of an app allowing 3 failures per user name and 5 per address a minute."""
    tight = settings.model_copy(
        update={
            "login_failures_per_user": 3,
            "login_failures_per_address": 5,
            "login_failure_window_seconds": WINDOW,
        }
    )
    app = create_app(tight)
    app.state.runtime.clock = clock
    with TestClient(app, client=("10.0.0.1", 50000)) as client:
        yield client


def attempt(client: TestClient, username: str, password: str, address: str | None = None):
    if address is None:
        return client.post("/api/v1/auth/token", data={"username": username, "password": password})
    other = TestClient(client.app, client=(address, 50000))  # same app, no second lifespan
    return other.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_too_many_failures_for_a_user_name_are_429_with_retry_after(strict, clock):
    for _ in range(3):
        assert attempt(strict, "dispatcher", "wrong-guess").status_code == 401
    clock.now += dt.timedelta(seconds=20)

    blocked = attempt(strict, "dispatcher", "demo")  # even the right password

    assert blocked.status_code == 429
    assert blocked.headers["content-type"].startswith("application/problem+json")
    assert blocked.headers["Retry-After"] == str(WINDOW - 20)
    problem = blocked.json()
    assert problem["code"] == "too_many_attempts" and problem["status"] == 429
    assert problem["retry_after"] == WINDOW - 20
    assert attempt(strict, "DISPATCHER ", "demo").status_code == 429  # the same name
    assert attempt(strict, "admin", "demo").status_code == 200  # another name is fine
    clock.now += dt.timedelta(seconds=WINDOW - 20)
    assert attempt(strict, "dispatcher", "demo").status_code == 200  # the window has passed


def test_too_many_failures_from_an_address_are_429_for_any_name(strict, clock):
    for i in range(5):
        assert attempt(strict, f"guess{i}", "wrong-guess").status_code == 401

    blocked = attempt(strict, "admin", "demo")

    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) == WINDOW
    assert attempt(strict, "admin", "demo", address="10.0.0.2").status_code == 200
    clock.now += dt.timedelta(seconds=WINDOW)
    assert attempt(strict, "admin", "demo").status_code == 200


def test_a_success_clears_the_user_names_failures(strict, clock):
    for _ in range(2):
        assert attempt(strict, "engineer", "wrong-guess").status_code == 401
    assert attempt(strict, "engineer", "demo").status_code == 200
    for _ in range(2):
        assert attempt(strict, "engineer", "wrong-guess").status_code == 401

    assert attempt(strict, "engineer", "demo").status_code == 200


def test_failures_are_counted_in_redis_when_configured(strict, redis_url):
    if redis_url is None:
        pytest.skip("the in-process counts are covered by the tests above")
    for _ in range(2):
        attempt(strict, "nobody-here", "wrong-guess")
    client = redis.Redis.from_url(redis_url)
    try:
        address_key = keys.login_failures_address("10.0.0.1")
        assert client.zcard(address_key) == 2
        user_keys = list(client.scan_iter(match=keys.login_failures_user("*")))
        assert len(user_keys) == 1 and client.zcard(user_keys[0]) == 2
        assert 0 < client.ttl(address_key) <= WINDOW
    finally:
        client.close()


def test_a_redis_that_is_down_still_throttles_in_the_process():
    unreachable = redis.Redis(port=1, socket_connect_timeout=0.5, socket_timeout=0.5)
    throttle = LoginThrottle(
        LoginPolicy(per_user=2, per_address=10, window_seconds=30), unreachable
    )
    limits = throttle.policy.limits("alice", "10.0.0.9")
    throttle.take(limits, T0)
    throttle.take(limits, T0)

    with pytest.raises(TooManyAttempts) as caught:
        throttle.take(limits, T0 + dt.timedelta(seconds=10))

    assert caught.value.retry_after == 20
