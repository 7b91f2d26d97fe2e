"""Shared fixtures: a clean database (PostgreSQL or SQLite) and Redis per test.

- ``DISPATCH_TEST_DATABASE_URL``: a PostgreSQL URL; the schema is migrated once per run
  and every table is truncated before each test. Without it, tests use a SQLite file
  copied from a migrated template for each test.
- ``DISPATCH_TEST_REDIS_URL``: a Redis URL whose database is flushed before each test.
  Without it, the in-process fallbacks are used.
- ``DISPATCH_REQUIRE_SERVICES=1``: both URLs must be set and reachable, else the run fails.
- ``DISPATCH_TEST_CLOCK``: an ISO 8601 instant; the whole run travels there (the clock keeps
  ticking from it), so a suite shows it does not depend on the date it runs on
  (``make pytest-dates`` runs the date-sensitive suites under two such clocks).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text

from api.app import create_app
from dispatch.infra import migrate
from dispatch.infra.db import Database, make_engine
from dispatch.infra.settings import Settings

REQUIRE_SERVICES = os.environ.get("DISPATCH_REQUIRE_SERVICES") == "1"
PG_URL = os.environ.get("DISPATCH_TEST_DATABASE_URL") or None
REDIS_URL = os.environ.get("DISPATCH_TEST_REDIS_URL") or None
TEST_SECRET = "test-secret-0123456789abcdef0123456789abcdef"
TEST_CLOCK = os.environ.get("DISPATCH_TEST_CLOCK") or None


def _test_clock() -> dt.datetime | None:
    if TEST_CLOCK is None:
        return None
    instant = dt.datetime.fromisoformat(TEST_CLOCK.replace("Z", "+00:00"))
    if instant.tzinfo is None:
        raise pytest.UsageError(f"DISPATCH_TEST_CLOCK={TEST_CLOCK!r} needs a UTC offset")
    return instant


def pytest_report_header() -> list[str]:
    return [
        f"database: {PG_URL or 'SQLite (per-test file)'}",
        f"redis: {REDIS_URL or 'in-process fallbacks'}",
        f"services required: {REQUIRE_SERVICES}",
        f"clock: {TEST_CLOCK or 'the real one'}",
    ]


@pytest.fixture(scope="session", autouse=True)
def travelled_clock() -> Iterator[dt.datetime | None]:
    """The whole run at ``DISPATCH_TEST_CLOCK`` (ticking from there), when it is set."""
    instant = _test_clock()
    if instant is None:
        yield None
        return
    with time_machine.travel(instant, tick=True):
        yield instant


def pytest_sessionstart(session: pytest.Session) -> None:
    """Fail the whole run early when required services are missing or unreachable."""
    problems: list[str] = []
    if REQUIRE_SERVICES and not PG_URL:
        problems.append("DISPATCH_REQUIRE_SERVICES=1 but DISPATCH_TEST_DATABASE_URL is not set")
    if REQUIRE_SERVICES and not REDIS_URL:
        problems.append("DISPATCH_REQUIRE_SERVICES=1 but DISPATCH_TEST_REDIS_URL is not set")
    if PG_URL:
        engine = make_engine(PG_URL)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:
            problems.append(f"PostgreSQL at {PG_URL} is unreachable: {exc}")
        finally:
            engine.dispose()
    if REDIS_URL:
        try:
            redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
        except Exception as exc:
            problems.append(f"Redis at {REDIS_URL} is unreachable: {exc}")
    if problems:
        raise pytest.UsageError("required test services missing:\n  " + "\n  ".join(problems))


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def migrated_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database migrated to head once per run: PostgreSQL when configured, else a SQLite template."""
    if PG_URL:
        _reset_postgres(PG_URL)
        migrate.upgrade(PG_URL)
        return PG_URL
    template = tmp_path_factory.mktemp("db") / "template.db"
    url = f"sqlite:///{template}"
    migrate.upgrade(url)
    return url


def _truncate_all(url: str) -> None:
    engine = make_engine(url)
    try:
        tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
        with engine.begin() as conn:
            if tables:
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture
def database_url(migrated_database_url: str, tmp_path: Path) -> str:
    """A clean, migrated database for one test."""
    if migrated_database_url.startswith("postgresql"):
        _truncate_all(migrated_database_url)
        return migrated_database_url
    source = Path(migrated_database_url.removeprefix("sqlite:///"))
    target = tmp_path / "dispatch.db"
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"


@pytest.fixture
def redis_url() -> Iterator[str | None]:
    """The test Redis (flushed before and after), or ``None`` for the in-process fallbacks."""
    if not REDIS_URL:
        yield None
        return
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    try:
        yield REDIS_URL
    finally:
        client.flushdb()
        client.close()


@pytest.fixture
def settings(database_url: str, redis_url: str | None) -> Settings:
    """Settings pointing at the test database and Redis."""
    return Settings(
        environment="test",
        database_url=database_url,
        redis_url=redis_url,
        secret_key=TEST_SECRET,  # type: ignore[arg-type]
        log_json=False,
    )


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    """Engine and sessions on the clean test database."""
    db = Database(settings)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """An API client on a fresh app."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def login(client: TestClient, username: str, password: str = "demo") -> dict[str, str]:
    """Log in and return the ``Authorization`` header."""
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def demo(database: Database) -> None:
    """A small demo data set (6 engineers, 30 tickets) with the demo users."""
    from dispatch.demo.org import load_demo

    with database.session() as session:
        load_demo(session=session, seed=3, engineers=6, tickets=30)
