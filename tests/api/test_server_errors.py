"""An unexpected error is answered once as a 500 problem, logged once, and the client's
keep-alive connection stays usable: tested against a real uvicorn server."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request

from api.app import create_app
from dispatch.infra.settings import Settings


class Boom(RuntimeError):
    """The test route's unexpected error."""


@pytest.fixture
def served(settings: Settings) -> Iterator[str]:
    """The app, with two test-only routes, behind uvicorn on a free loopback port."""
    app: FastAPI = create_app(settings)

    @app.get("/test-only/boom")
    def boom() -> None:
        raise Boom("kaboom")

    @app.get("/test-only/client-port")
    def client_port(request: Request) -> dict[str, int]:
        assert request.client is not None
        return {"port": request.client.port}

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, lifespan="off", log_config=None, timeout_keep_alive=30)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        app.state.runtime.close()


def test_a_500_keeps_the_connection_and_is_logged_once(served, caplog):
    caplog.set_level(logging.INFO)
    with httpx.Client(base_url=served, timeout=10) as client:
        first = client.get("/test-only/client-port")
        assert first.status_code == 200
        failed = client.get("/test-only/boom")
        assert failed.status_code == 500
        assert failed.headers["content-type"].startswith("application/problem+json")
        assert "kaboom" not in failed.text  # no internals leak
        after = client.get("/test-only/client-port")
        assert after.status_code == 200
    # the same TCP connection served all three requests
    assert after.json()["port"] == first.json()["port"]
    logged = [r for r in caplog.records if r.exc_info and isinstance(r.exc_info[1], Boom)]
    assert len(logged) == 1, [(r.name, r.getMessage()) for r in logged]
