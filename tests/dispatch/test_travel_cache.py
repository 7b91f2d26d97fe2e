"""The travel-time caches: Redis (``DISPATCH_TEST_REDIS_URL``) and the in-memory one.

Every behaviour runs against the in-memory cache; when ``DISPATCH_TEST_REDIS_URL`` is
set it also runs against Redis (database flushed before and after). With
``DISPATCH_REQUIRE_SERVICES=1`` an unreachable Redis fails these tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import redis

from dispatch.infra.keys import travel_matrix_prefix
from dispatch.infra.travel_cache import RedisMatrixCache
from solver.travel.osrm_cache import NO_ROUTE, InMemoryMatrixCache, MatrixCache

REDIS_URL = os.environ.get("DISPATCH_TEST_REDIS_URL") or None
REQUIRE_SERVICES = os.environ.get("DISPATCH_REQUIRE_SERVICES") == "1"


@pytest.fixture
def travel_redis() -> Iterator[redis.Redis]:
    """The test Redis, flushed before and after."""
    if not REDIS_URL:
        if REQUIRE_SERVICES:
            pytest.fail("DISPATCH_REQUIRE_SERVICES=1 but DISPATCH_TEST_REDIS_URL is not set")
        pytest.skip("DISPATCH_TEST_REDIS_URL is not set")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        if REQUIRE_SERVICES:
            pytest.fail(f"Redis at {REDIS_URL} is unreachable: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable: {exc}")
    client.flushdb()
    try:
        yield client
    finally:
        client.flushdb()
        client.close()


_BACKENDS = ["memory", *(["redis"] if REDIS_URL else [])]


@pytest.fixture(params=_BACKENDS)
def cache(request: pytest.FixtureRequest) -> MatrixCache:
    if request.param == "memory":
        return InMemoryMatrixCache()
    return RedisMatrixCache(request.getfixturevalue("travel_redis"))


def _keys(count: int, start: int = 0) -> list[str]:
    return [f"43.{7000 + i:04d},7.4200" for i in range(start, start + count)]


def _figures(seed: int, rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return (
        rng.integers(0, 4_000, size=(rows, cols)).astype(np.int64),
        rng.integers(0, 40_000, size=(rows, cols)).astype(np.int64),
    )


def test_round_trip_in_any_order_with_unknowns(cache: MatrixCache) -> None:
    keys = _keys(8)
    d, m = _figures(1, 5, 6)
    d[1, 2], m[1, 2] = NO_ROUTE, NO_ROUTE
    d[3, 4], m[3, 4] = 0, 0
    cache.set_pairs("v1", keys[:5], keys[2:8], d, m)

    origins = [keys[4], keys[1], keys[7], keys[3]]
    destinations = [keys[7], keys[6], keys[2], keys[0], keys[4]]
    got = cache.get_pairs("v1", origins, destinations)
    for r, o in enumerate(origins):
        for c, t in enumerate(destinations):
            oi, ti = keys.index(o), keys.index(t)
            expected = oi < 5 and ti >= 2
            assert got.known[r, c] == expected, (o, t)
            if expected:
                assert got.durations[r, c] == d[oi, ti - 2]
                assert got.distances[r, c] == m[oi, ti - 2]
    assert cache.get_pairs("v1", [keys[1]], [keys[4]]).durations[0, 0] == NO_ROUTE
    zero = cache.get_pairs("v1", [keys[3]], [keys[6]])
    assert zero.known[0, 0] and zero.durations[0, 0] == 0


def test_versions_are_separate_and_overwrites_win(cache: MatrixCache) -> None:
    keys = _keys(3)
    d, m = _figures(2, 3, 3)
    cache.set_pairs("v1", keys, keys, d, m)
    assert not cache.get_pairs("v2", keys, keys).known.any()
    cache.set_pairs("v1", keys[:1], keys[1:2], np.array([[7]]), np.array([[70]]))
    got = cache.get_pairs("v1", keys, keys)
    assert got.known.all()
    assert got.durations[0, 1] == 7 and got.distances[0, 1] == 70
    assert got.durations[2, 0] == d[2, 0]


def test_snaps(cache: MatrixCache) -> None:
    keys = _keys(3)
    assert cache.get_snaps("v", keys) == [None, None, None]
    cache.set_snaps("v", {keys[0]: 1.25, keys[2]: 3120.5})
    assert cache.get_snaps("v", keys) == [1.25, None, 3120.5]
    assert cache.get_snaps("other", keys[:1]) == [None]


def test_new_points_extend_rows_written_before(cache: MatrixCache) -> None:
    old, new = _keys(40), _keys(10, start=40)
    d, m = _figures(3, 40, 40)
    cache.set_pairs("v", old, old, d, m)
    d2, m2 = _figures(4, 10, 50)
    cache.set_pairs("v", new, old + new, d2, m2)
    d3, m3 = _figures(5, 40, 10)
    cache.set_pairs("v", old, new, d3, m3)

    everything = [*new[::2], *old[::-1], *new[1::2]]
    got = cache.get_pairs("v", everything, everything)
    assert got.known.all()
    full_d = np.block([[d, d3], [d2]])
    full_m = np.block([[m, m3], [m2]])
    order = [(old + new).index(k) for k in everything]
    assert (got.durations == full_d[np.ix_(order, order)]).all()
    assert (got.distances == full_m[np.ix_(order, order)]).all()


def test_redis_keys_carry_the_prefix_and_expire(travel_redis: redis.Redis) -> None:
    cache = RedisMatrixCache(travel_redis, ttl_seconds=600)
    keys = _keys(4)
    d, m = _figures(6, 4, 4)
    cache.set_pairs("v9", keys, keys, d, m)
    cache.set_snaps("v9", {keys[0]: 2.0})
    names = [k.decode() for k in travel_redis.scan_iter("*")]
    assert names and all(n.startswith(travel_matrix_prefix() + ":v9:") for n in names)
    assert all(0 < travel_redis.ttl(n) <= 600 + 24 * 3600 for n in names)
    rows = [n for n in names if ":row:" in n]
    assert len(rows) == 4 and all(travel_redis.ttl(n) <= 600 for n in rows)


def test_redis_losing_the_id_table_forgets_rather_than_misreads(
    travel_redis: redis.Redis,
) -> None:
    cache = RedisMatrixCache(travel_redis)
    first = _keys(5)
    d, m = _figures(7, 5, 5)
    cache.set_pairs("v", first, first, d, m)
    travel_redis.delete(f"{travel_matrix_prefix()}:v:ids")  # e.g. evicted under memory pressure
    assert not cache.get_pairs("v", first, first).known.any()

    others = _keys(5, start=100)  # would get the old ids 0..4
    d2, m2 = _figures(8, 5, 5)
    cache.set_pairs("v", others, others, d2, m2)
    got = cache.get_pairs("v", others + first, others + first)
    assert got.known[:5, :5].all() and not got.known[5:, :].any() and not got.known[:, 5:].any()
    assert (got.durations[:5, :5] == d2).all()


def test_redis_cache_refuses_a_decoding_client() -> None:
    client = redis.Redis(decode_responses=True)  # never connects: the check is local
    with pytest.raises(ValueError, match="decode_responses"):
        RedisMatrixCache(client)


def test_osrm_provider_asks_only_for_pairs_missing_from_the_cache(
    cache: MatrixCache, tmp_path_factory: pytest.TempPathFactory
) -> None:
    pytest.importorskip("osrm", reason="osrm-bindings needs Python >= 3.12")
    from solver.travel.base import Location
    from solver.travel.osrm import OsrmProvider
    from solver.travel.osrm_backends import LocalOsrm
    from tests.solver.osrm_fixtures import prepared_monaco

    data: Path = prepared_monaco(tmp_path_factory, "mld")
    points = [Location(43.7300 + (k // 20) * 3e-4, 7.4130 + (k % 20) * 4e-4) for k in range(300)]
    backend = LocalOsrm(data)
    provider = OsrmProvider(backend, cache=cache, block_size=100)
    first = provider.matrix(points[:260])
    calls = backend.requests

    # A new provider (another worker, or after a restart) with the same cache.
    later = OsrmProvider(LocalOsrm(data), cache=cache, block_size=100)
    again = later.matrix(points[:260])
    assert later.last_stats.table_requests == 0
    assert (again.durations == first.durations).all() and again.unsnapped == first.unsnapped

    full = provider.matrix(points)
    assert provider.last_stats.pairs_from_cache == 260 * 259
    assert provider.last_stats.pairs_requested <= 300 * 300 - 260 * 260
    assert backend.requests - calls == provider.last_stats.table_requests
    assert (full.durations[:260, :260] == first.durations).all()


def test_unreachable_redis_does_not_stop_the_matrix(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    pytest.importorskip("osrm", reason="osrm-bindings needs Python >= 3.12")
    from solver.travel.osrm import OsrmProvider
    from tests.solver.osrm_fixtures import CASINO, STADE, free_port, prepared_monaco

    gone = redis.Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=1)
    provider = OsrmProvider.local(
        prepared_monaco(tmp_path_factory, "mld"), cache=RedisMatrixCache(gone)
    )
    m = provider.matrix([CASINO, STADE])
    assert m.provider == "osrm" and m.durations[0, 1] > 0
    assert any("travel cache unavailable" in n for n in m.notes)
    assert "ConnectionError" in provider.last_stats.cache_error
    gone.close()


@pytest.mark.parametrize("prefix", ["osrm:", "OSRM:"])
def test_the_service_caches_road_times_whatever_the_case_of_the_spec(
    tmp_path: Path, prefix: str
) -> None:
    from dispatch.infra.settings import Settings
    from dispatch.infra.travel_provider import travel_provider
    from solver.travel.osrm import OsrmProvider

    (tmp_path / "monaco.osrm.mldgr").write_bytes(b"")
    settings = Settings(home=tmp_path, travel=f"{prefix}{tmp_path}")
    provider = travel_provider(settings, None)
    assert isinstance(provider, OsrmProvider)
    assert isinstance(provider.cache, InMemoryMatrixCache)
