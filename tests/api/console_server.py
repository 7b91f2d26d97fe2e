"""A real server for the console's browser tests: uvicorn (and an RQ worker with Redis)
in subprocesses on the test database, plus a Chromium driven by Playwright."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import REQUIRE_SERVICES, TEST_SECRET

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(
    database_url: str, redis_url: str | None, clock_at: dt.datetime | None = None
) -> dict[str, str]:
    """The environment of the server processes: the test database and Redis, no tiles,
    and the service's clock starting at ``clock_at`` (default: the machine's)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPATCH_")}
    env.update(
        DISPATCH_ENVIRONMENT="test",
        DISPATCH_DATABASE_URL=database_url,
        DISPATCH_SECRET_KEY=TEST_SECRET,
        DISPATCH_LOG_JSON="false",
        DISPATCH_LOG_LEVEL="WARNING",
        DISPATCH_TILE_URL="",  # the console must work without map tiles (and no network)
        DISPATCH_DEFAULT_SOLVE_SECONDS="2",  # the re-optimisation a dispatch-now queues
    )
    if redis_url:
        env["DISPATCH_REDIS_URL"] = redis_url
    if clock_at is not None:
        env["DISPATCH_CLOCK_AT"] = clock_at.isoformat()
    return env


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def start_server(
    database_url: str,
    redis_url: str | None,
    logs: Path,
    *,
    workers: bool = True,
    clock_at: dt.datetime | None = None,
) -> Iterator[str]:
    """Run the API on a free port until the generator is closed; yields its base URL.

    With Redis, an RQ worker runs too unless ``workers`` is false. ``clock_at`` starts the
    processes' clock there (``DISPATCH_CLOCK_AT``).
    """
    port = free_port()
    env = server_env(database_url, redis_url, clock_at)
    processes: list[subprocess.Popen[bytes]] = []
    server_log = (logs / "server.log").open("wb")
    processes.append(
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "api.app:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-access-log",
            ],
            env=env,
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
    )
    if redis_url and workers:  # runs go to the RQ queue: a real worker takes them
        worker = Path(sys.executable).with_name("dispatch")
        processes.append(
            subprocess.Popen(
                [str(worker), "worker"],
                env=env,
                stdout=(logs / "worker.log").open("wb"),
                stderr=subprocess.STDOUT,
            )
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if processes[0].poll() is not None:
                raise RuntimeError(f"server exited: {(logs / 'server.log').read_text()}")
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {(logs / 'server.log').read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        for process in reversed(processes):
            _stop(process)
        server_log.close()


def require_chromium() -> None:
    """Skip (or fail, when services are required) without Debian's Chromium."""
    if CHROMIUM.exists():
        return
    message = "Debian's chromium is missing: run scripts/browser-deps.sh (make test does)"
    if REQUIRE_SERVICES:
        pytest.fail(message)
    pytest.skip(message)


def token(base: str, username: str, password: str = "demo") -> dict[str, str]:
    """A bearer header from the live server."""
    response = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
