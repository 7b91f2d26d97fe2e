"""A private ``redis-server`` on a free port that a test can stop and start again.

Outage tests need a Redis they may take down without disturbing anyone else's: this one
keeps nothing on disk (``--save '' --appendonly no``), so a restart comes back empty, as
a Redis without persistence does after a crash.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.api.console_server import free_port
from tests.conftest import REQUIRE_SERVICES


class PrivateRedis:
    """One ``redis-server`` process on ``port``; :meth:`stop` and :meth:`start` at will."""

    def __init__(self, binary: str, workdir: Path) -> None:
        self._binary = binary
        self._workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server (empty) and wait until it answers."""
        assert self._process is None, "already running"
        self._process = subprocess.Popen(
            [
                self._binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self._workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + 15
        try:
            while True:
                try:
                    if client.ping():
                        return
                except redis.ConnectionError:
                    if time.monotonic() > deadline or self._process.poll() is not None:
                        raise
                time.sleep(0.05)
        finally:
            client.close()

    def stop(self) -> None:
        """Stop the server; connections to it fail until :meth:`start`."""
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=5)
        self._process = None

    def client(self) -> redis.Redis:
        """A client of this server (the caller closes it)."""
        return redis.Redis(port=self.port, socket_connect_timeout=1)


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    """A running private Redis, stopped after the test."""
    binary = shutil.which("redis-server")
    if binary is None:
        if REQUIRE_SERVICES:
            pytest.fail("redis-server is not installed (needed for the Redis outage tests)")
        pytest.skip("redis-server is not installed")
    workdir = tmp_path / "redis"
    workdir.mkdir()
    server = PrivateRedis(binary, workdir)
    server.start()
    try:
        yield server
    finally:
        server.stop()
