"""Point keys, the in-memory matrix cache and the planning of cache-miss requests.

These need no OSRM and run on every Python version.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.travel.base import Location
from solver.travel.osrm import missing_blocks
from solver.travel.osrm_cache import (
    NO_ROUTE,
    InMemoryMatrixCache,
    MatrixCache,
    key_location,
    point_key,
)


def test_point_key_rounds_to_four_decimals_and_round_trips() -> None:
    assert point_key(Location(43.73961234, 7.42749)) == "43.7396,7.4275"
    assert point_key(Location(-0.00001, -0.00004)) == "0.0000,0.0000"
    assert point_key(Location(43.73964, 7.4)) == point_key(Location(43.73956, 7.40004))
    assert point_key(Location(43.7396, 7.4)) != point_key(Location(43.7397, 7.4))
    back = key_location("43.7396,7.4275")
    assert (back.lat, back.lon) == (43.7396, 7.4275)


def _block(rng: np.random.Generator, rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
    d = rng.integers(0, 5_000, size=(rows, cols)).astype(np.int64)
    m = rng.integers(0, 50_000, size=(rows, cols)).astype(np.int64)
    return d, m


def test_in_memory_cache_returns_what_was_stored_in_any_order() -> None:
    cache = InMemoryMatrixCache()
    assert isinstance(cache, MatrixCache)
    keys = [f"43.{i:04d},7.4000" for i in range(6)]
    rng = np.random.default_rng(1)
    d, m = _block(rng, 3, 4)
    d[0, 1] = m[0, 1] = NO_ROUTE
    cache.set_pairs("v1", keys[:3], keys[2:], d, m)

    got = cache.get_pairs("v1", [keys[2], keys[0], keys[5]], [keys[5], keys[2], keys[1]])
    assert got.known.tolist() == [[True, True, False], [True, True, False], [False, False, False]]
    assert got.durations[0, 0] == d[2, 3] and got.distances[0, 1] == m[2, 0]
    assert got.durations[1, 0] == d[0, 3] and got.durations[1, 1] == d[0, 0]
    assert cache.get_pairs("v1", [keys[0]], [keys[3]]).durations[0, 0] == NO_ROUTE
    assert not cache.get_pairs("v2", keys, keys).known.any()


def test_in_memory_cache_snaps_and_reset_past_capacity() -> None:
    cache = InMemoryMatrixCache(max_points=4)
    cache.set_snaps("v", {"1.0000,1.0000": 3.5, "2.0000,2.0000": 250.0})
    assert cache.get_snaps("v", ["2.0000,2.0000", "3.0000,3.0000"]) == [250.0, None]
    keys = [f"1.{i:04d},1.0000" for i in range(5)]
    d = np.ones((2, 2), dtype=np.int64)
    cache.set_pairs("v", keys[:2], keys[:2], d, d)
    assert cache.get_pairs("v", keys[:2], keys[:2]).known.all()
    cache.set_pairs(
        "v",
        keys[2:5],
        keys[2:5],
        2 * np.ones((3, 3), np.int64),
        d[:1, :1].repeat(3, 0).repeat(3, 1),
    )
    assert not cache.get_pairs("v", keys[:2], keys[:2]).known.any()
    assert cache.get_pairs("v", keys[2:5], keys[2:5]).known.all()
    with pytest.raises(ValueError, match="shape"):
        cache.set_pairs("v", keys[:2], keys[:3], d, d)


def _covered(tiles: list[tuple[np.ndarray, np.ndarray]], n: int) -> np.ndarray:
    hits = np.zeros((n, n), dtype=np.int64)
    for rows, cols in tiles:
        hits[np.ix_(rows, cols)] += 1
    return hits


def test_missing_blocks_asks_only_for_new_points_rows_and_columns() -> None:
    n, rng = 230, np.random.default_rng(7)
    new = np.sort(rng.choice(n, size=17, replace=False))
    missing = np.zeros((n, n), dtype=np.bool_)
    missing[new, :] = True
    missing[:, new] = True
    np.fill_diagonal(missing, False)

    tiles = missing_blocks(missing, block_size=50)

    hits = _covered(tiles, n)
    assert (hits[missing] == 1).all()
    asked = hits.astype(bool)
    np.fill_diagonal(asked, False)
    assert not (asked & ~missing).any(), "a pair the cache holds was asked again"
    assert all(r.size <= 50 and c.size <= 50 for r, c in tiles)
    assert len(tiles) == 5 + 5  # new x all in 5 column chunks, old x new in 5 row chunks


def test_missing_blocks_cold_and_warm() -> None:
    assert missing_blocks(np.zeros((5, 5), dtype=np.bool_), 100) == []
    cold = ~np.eye(3, dtype=np.bool_)
    tiles = missing_blocks(cold, 100)
    assert len(tiles) == 1 and tiles[0][0].tolist() == [0, 1, 2]
    with pytest.raises(ValueError):
        missing_blocks(cold, 0)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 40),
    block=st.integers(1, 12),
    seed=st.integers(0, 2**16),
    density=st.floats(0.0, 1.0),
)
def test_missing_blocks_covers_every_missing_pair_once(
    n: int, block: int, seed: int, density: float
) -> None:
    missing = np.random.default_rng(seed).random((n, n)) < density
    tiles = missing_blocks(missing, block)
    hits = _covered(tiles, n)
    assert (hits[missing] == 1).all()
    assert hits.max(initial=0) <= 1
    assert all(0 < r.size <= block and 0 < c.size <= block for r, c in tiles)
