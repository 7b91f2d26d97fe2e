"""OSRM over HTTP: an ``osrm-routed`` started by the tests on 127.0.0.1 and a free port."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("osrm", reason="osrm-bindings needs Python >= 3.12")

from solver.travel.base import Location
from solver.travel.osrm import OsrmProvider
from solver.travel.osrm_backends import HttpOsrm
from solver.travel.osrm_cache import InMemoryMatrixCache
from solver.travel.spec import provider_from_spec
from tests.solver.osrm_fixtures import (
    AT_SEA,
    CASINO,
    GRIMALDI_NORTH,
    GRIMALDI_SOUTH,
    PLACES,
    free_port,
    osrm_routed,
    prepared_monaco,
)

pytestmark = pytest.mark.osrm


@pytest.fixture(scope="module")
def mld_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepared_monaco(tmp_path_factory, "mld")


@pytest.fixture(scope="module")
def server(mld_dir: Path) -> Iterator[str]:
    """``osrm-routed`` with its default limits (at most 100 x 100 table entries)."""
    with osrm_routed(mld_dir) as url:
        yield url


class _FlakyProxy:
    """Forwards requests to ``target`` until ``table_budget`` table requests have passed,
    then answers 503, like a server falling over part-way through a matrix."""

    def __init__(self, target: str, table_budget: int) -> None:
        self.target = target
        self.table_budget = table_budget
        self.tables = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.startswith("/table/"):
                    proxy.tables += 1
                    if proxy.tables > proxy.table_budget:
                        self.send_response(503)
                        self.end_headers()
                        return
                try:
                    with urllib.request.urlopen(proxy.target + self.path, timeout=30) as r:
                        status, body = r.status, r.read()
                except urllib.error.HTTPError as exc:
                    status, body = exc.code, exc.read()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return None

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> _FlakyProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _grid(count: int) -> list[Location]:
    """Points with distinct cache keys, row by row over central Monaco."""
    return [Location(43.7300 + (k // 25) * 3e-4, 7.4130 + (k % 25) * 4e-4) for k in range(count)]


def test_http_matches_in_process(server: str, mld_dir: Path) -> None:
    points = [*PLACES, AT_SEA]
    over_http = OsrmProvider.http(server).matrix(points)
    local = OsrmProvider.local(mld_dir).matrix(points)
    assert over_http.provider == "osrm"
    assert (over_http.durations == local.durations).all()
    assert (over_http.distances == local.distances).all()
    assert over_http.unsnapped == local.unsnapped == frozenset({len(PLACES)})
    down = PLACES.index(GRIMALDI_NORTH), PLACES.index(GRIMALDI_SOUTH)
    assert over_http.durations[down[1], down[0]] >= 3 * over_http.durations[down]


def test_large_matrix_is_chunked_within_the_server_limit(server: str) -> None:
    backend = HttpOsrm(server)
    provider = OsrmProvider(backend, block_size=100)
    points = _grid(230)
    m = provider.matrix(points)
    assert m.provider == "osrm", m.notes  # a 230 x 230 request would be refused (TooBig)
    assert provider.last_stats.table_requests == 9
    assert backend.requests == 9 + 1  # and one version probe
    assert m.durations.shape == (230, 230) and (m.durations[~np.eye(230, dtype=bool)] > 0).any()


def test_travel_spec_names_the_http_provider(server: str) -> None:
    provider = provider_from_spec(server, speed_kmh=30.0, circuity=1.3)
    assert isinstance(provider, OsrmProvider)
    m = provider.matrix([GRIMALDI_NORTH, GRIMALDI_SOUTH])
    assert m.provider == "osrm" and m.durations[1, 0] >= 3 * m.durations[0, 1]


def test_server_down_falls_back_to_haversine() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    provider = OsrmProvider.http(url, timeout=5)
    m = provider.matrix([CASINO, GRIMALDI_SOUTH])
    assert m.provider == "haversine"
    assert any(url in note and "haversine" in note for note in m.notes)
    assert m.durations[0, 1] == m.durations[1, 0] > 0


def test_failure_part_way_falls_back_and_keeps_what_was_answered(server: str) -> None:
    points = _grid(150)
    cache = InMemoryMatrixCache()
    with _FlakyProxy(server, table_budget=2) as proxy:
        flaky = OsrmProvider.http(proxy.url, cache=cache, block_size=60)
        m = flaky.matrix(points)
        assert proxy.tables == 3
    assert m.provider == "haversine"
    assert any("503" in note for note in m.notes)
    assert flaky.last_stats.fell_back

    # The server is back (same data, so same version): only the rest is asked.
    backend = HttpOsrm(server)
    healthy = OsrmProvider(backend, cache=cache, block_size=60)
    m = healthy.matrix(points)
    assert m.provider == "osrm"
    assert healthy.last_stats.pairs_from_cache >= 2 * 60 * 60 - 60
    assert healthy.last_stats.pairs_requested <= 150 * 150 - 2 * 60 * 60 + 60
    fresh = OsrmProvider.http(server).matrix(points)
    assert (m.durations == fresh.durations).all()


def test_cache_is_keyed_by_the_servers_data_version(server: str, mld_dir: Path) -> None:
    cache = InMemoryMatrixCache()
    first = HttpOsrm(server)
    OsrmProvider(first, cache=cache).matrix(PLACES)
    again = HttpOsrm(server)
    OsrmProvider(again, cache=cache).matrix(PLACES)
    assert again.requests == 1, "only the version probe"
    other = HttpOsrm(server, version="another-map")
    OsrmProvider(other, cache=cache).matrix(PLACES)
    assert other.requests >= 1
    assert first.version(CASINO) != other.version(CASINO)
