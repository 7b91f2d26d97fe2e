"""The OSRM HTTP client itself, against a small stand-in server speaking OSRM's table API:
kept-alive connections, a connection refused at first is retried, answers are never
retried, and a backend pickles without its connections."""

from __future__ import annotations

import json
import pickle
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from solver.travel.base import Location
from solver.travel.osrm_backends import HttpOsrm, OsrmError

POINTS = [Location(43.7300, 7.4130), Location(43.7320, 7.4170), Location(43.7350, 7.4200)]


class _StandIn:
    """Answers ``table`` requests with made-up figures (or ``status`` when set); records
    the client port of each request (one port: one kept-alive connection)."""

    def __init__(self, port: int = 0, status: int = 200) -> None:
        self.ports: list[int] = []
        self.status = status
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as osrm-routed

            def do_GET(self) -> None:
                stand_in.ports.append(self.client_address[1])
                if stand_in.status != 200:
                    body = b"overloaded"
                    self.send_response(stand_in.status)
                    self.send_header("Content-Type", "text/plain")
                else:
                    body = json.dumps(_answer(self.path)).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return None

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _answer(path: str) -> dict[str, object]:
    query = dict(part.split("=", 1) for part in urlsplit(path).query.split("&"))
    sources = query["sources"].split(";")
    destinations = query["destinations"].split(";")
    waypoint = {"location": [7.413, 43.73], "distance": 1.5}
    return {
        "code": "Ok",
        "durations": [
            [60.0 * (i + j) for j in range(len(destinations))] for i in range(len(sources))
        ],
        "distances": [
            [500.0 * (i + j) for j in range(len(destinations))] for i in range(len(sources))
        ],
        "sources": [waypoint] * len(sources),
        "destinations": [waypoint] * len(destinations),
    }


@contextmanager
def stand_in(**options: int) -> Iterator[_StandIn]:
    server = _StandIn(**options)
    try:
        yield server
    finally:
        server.close()


def test_requests_reuse_one_pooled_connection() -> None:
    with stand_in() as server:
        backend = HttpOsrm(server.url, version="v1")
        try:
            for _ in range(5):
                block = backend.table(POINTS, [0, 1], [1, 2])
                assert block.durations.tolist() == [[0.0, 60.0], [60.0, 120.0]]
        finally:
            backend.close()
    assert backend.requests == 5 and len(server.ports) == 5
    assert len(set(server.ports)) == 1, "one kept-alive connection for every request"


def test_a_refused_connection_is_retried_until_the_server_listens() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backend = HttpOsrm(f"http://127.0.0.1:{port}", version="v1", timeout=10)
    started: list[_StandIn] = []

    def start_soon() -> None:
        time.sleep(0.1)  # the first attempts are refused; the retries find it listening
        started.append(_StandIn(port=port))

    thread = threading.Thread(target=start_soon)
    thread.start()
    try:
        block = backend.table(POINTS, [0], [2])
    finally:
        thread.join()
        backend.close()
        for server in started:
            server.close()
    assert block.durations.tolist() == [[0.0]]
    assert backend.requests == 1


def test_an_error_answer_is_not_retried_and_names_the_status() -> None:
    with stand_in(status=503) as server:
        backend = HttpOsrm(server.url, version="v1")
        with pytest.raises(OsrmError, match="HTTP 503: overloaded"):
            backend.table(POINTS, [0], [1])
        backend.close()
    assert len(server.ports) == 1


def test_a_backend_pickles_without_its_connections() -> None:
    with stand_in() as server:
        backend = HttpOsrm(server.url, version="v1")
        backend.table(POINTS, [0], [1])
        copy = pickle.loads(pickle.dumps(backend))
        assert copy.table(POINTS, [1], [2]).durations.tolist() == [[0.0]]
        backend.close()
        copy.close()
    assert copy.url == backend.url and (backend.requests, copy.requests) == (1, 2)
