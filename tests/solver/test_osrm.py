"""OSRM in this process on the Monaco map: figures, one-way streets, snapping, fallback, cache."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("osrm", reason="osrm-bindings needs Python >= 3.12")

from solver.problem import Engineer, Problem, Ticket, TimeWindow
from solver.travel.base import Location, TravelTimeProvider, haversine_metres
from solver.travel.osrm import OsrmProvider
from solver.travel.osrm_backends import LocalOsrm
from solver.travel.osrm_cache import InMemoryMatrixCache, point_key
from solver.travel.osrm_prepare import dataset_base, dataset_files, detect_algorithm
from solver.travel.spec import provider_from_spec
from tests.solver.osrm_fixtures import (
    AT_SEA,
    CASINO,
    GRIMALDI_NORTH,
    GRIMALDI_SOUTH,
    PLACES,
    SAINTE_DEVOTE,
    STADE,
    monaco_pbf,
    prepared_monaco,
)

pytestmark = pytest.mark.osrm


@pytest.fixture(scope="session")
def mld_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepared_monaco(tmp_path_factory, "mld")


@pytest.fixture(scope="session")
def ch_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepared_monaco(tmp_path_factory, "ch")


def _straight(a: Location, b: Location) -> float:
    return float(haversine_metres([a.lat, b.lat], [a.lon, b.lon])[0, 1])


def test_prepare_writes_the_data_set_only_into_the_data_dir(mld_dir: Path, ch_dir: Path) -> None:
    pbf = monaco_pbf()
    assert sorted(p.name for p in pbf.parent.iterdir() if ".osrm" in p.name) == []
    assert dataset_base(mld_dir) == mld_dir / "monaco.osrm"
    assert detect_algorithm(mld_dir / "monaco.osrm") == "mld"
    assert detect_algorithm(ch_dir / "monaco.osrm") == "ch"
    assert len(dataset_files(mld_dir / "monaco.osrm")) > 10


def test_known_monaco_pairs(mld_dir: Path) -> None:
    provider = OsrmProvider.local(mld_dir)
    assert isinstance(provider, TravelTimeProvider)
    m = provider.matrix([CASINO, STADE, SAINTE_DEVOTE])
    assert m.provider == "osrm" and m.unsnapped == frozenset() and m.notes == ()
    assert m.durations.dtype == np.int64 and m.distances.dtype == np.int64
    # Checked against OSRM's route service on this map (see osrm_fixtures).
    assert 310 <= m.durations[0, 1] <= 430 and 2_900 <= m.distances[0, 1] <= 3_550
    assert 200 <= m.durations[1, 0] <= 270 and 1_850 <= m.distances[1, 0] <= 2_300
    assert 110 <= m.durations[0, 2] <= 155 and 940 <= m.distances[0, 2] <= 1_150
    assert np.diag(m.durations).tolist() == [0, 0, 0]
    points = [CASINO, STADE, SAINTE_DEVOTE]
    for i, a in enumerate(points):
        for j, b in enumerate(points):
            if i != j:
                assert m.distances[i, j] >= 0.95 * _straight(a, b), "shorter than a straight line"
                kmh = m.distances[i, j] / m.durations[i, j] * 3.6
                assert 15 <= kmh <= 70, f"implausible speed {kmh:.0f} km/h for {i}->{j}"


def test_one_way_street_gives_asymmetric_durations(mld_dir: Path) -> None:
    m = OsrmProvider.local(mld_dir).matrix([GRIMALDI_NORTH, GRIMALDI_SOUTH])
    down, up = int(m.durations[0, 1]), int(m.durations[1, 0])
    straight = _straight(GRIMALDI_NORTH, GRIMALDI_SOUTH)
    # With the one-way traffic: straight down Rue Grimaldi.
    assert 8 <= down <= 30 and m.distances[0, 1] <= 1.1 * straight
    # Against it: round by Avenue du Port and Boulevard Albert 1er.
    assert up >= 3 * down and m.distances[1, 0] >= 3 * m.distances[0, 1]


def test_mld_and_ch_agree(mld_dir: Path, ch_dir: Path) -> None:
    mld = OsrmProvider.local(mld_dir).matrix(PLACES)
    ch = OsrmProvider.local(ch_dir, algorithm="ch").matrix(PLACES)
    assert np.abs(mld.durations - ch.durations).max() <= 2
    assert np.abs(mld.distances - ch.distances).max() <= 20


def test_point_at_sea_is_unsnapped_with_straight_line_legs(mld_dir: Path) -> None:
    provider = OsrmProvider.local(mld_dir, snap_radius_m=200)
    m = provider.matrix([CASINO, AT_SEA, STADE])
    assert m.provider == "osrm"
    assert m.unsnapped == frozenset({1})
    assert any("more than 200 m from a road" in n for n in m.notes)
    straight = provider.fallback.matrix([CASINO, AT_SEA, STADE])
    assert m.durations[0, 1] == straight.durations[0, 1]
    assert m.durations[1, 2] == straight.durations[1, 2]
    assert m.durations[0, 2] == provider.matrix([CASINO, STADE]).durations[0, 1]
    far = OsrmProvider.local(mld_dir, snap_radius_m=50_000).matrix([CASINO, AT_SEA])
    assert far.unsnapped == frozenset()


def test_points_sharing_a_cache_key_share_figures(mld_dir: Path) -> None:
    nearly_casino = Location(CASINO.lat + 0.00002, CASINO.lon - 0.00002)
    assert point_key(nearly_casino) == point_key(CASINO)
    provider = OsrmProvider.local(mld_dir)
    m = provider.matrix([CASINO, STADE, nearly_casino])
    assert m.durations[0, 2] == m.durations[2, 0] == 0
    assert m.durations[2, 1] == m.durations[0, 1] and m.durations[1, 2] == m.durations[1, 0]
    assert provider.last_stats.points == 2


def test_missing_data_falls_back_to_haversine(tmp_path: Path) -> None:
    provider = OsrmProvider.local(tmp_path / "nothing-here")
    m = provider.matrix([CASINO, STADE])
    assert m.provider == "haversine"
    assert len(m.notes) == 1 and "OSRM" in m.notes[0] and "haversine" in m.notes[0]
    assert m.durations[0, 1] == provider.fallback.matrix([CASINO, STADE]).durations[0, 1]
    assert provider.last_stats.fell_back


def test_problem_takes_the_provider(mld_dir: Path) -> None:
    shift = TimeWindow(8 * 3600, 17 * 3600)
    problem = Problem(
        engineers=(Engineer("e1", start=CASINO, end=CASINO, shift=shift),),
        tickets=(Ticket("t1", location=STADE, duration=600),),
        travel=OsrmProvider.local(mld_dir),
    )
    m = problem.travel_matrix()
    assert m.size == 3 and m.provider == "osrm"
    assert m.durations[0, 2] != m.durations[2, 0]


def test_cache_answers_known_pairs_without_asking_osrm(mld_dir: Path) -> None:
    cache = InMemoryMatrixCache()
    backend = LocalOsrm(mld_dir)
    provider = OsrmProvider(backend, cache=cache)
    first = provider.matrix(PLACES[:4])
    calls = backend.requests
    assert calls >= 1

    again = provider.matrix(list(reversed(PLACES[:4])))
    assert backend.requests == calls, "known pairs were asked again"
    assert (again.durations == first.durations[::-1, ::-1]).all()

    bigger = provider.matrix(PLACES)
    stats = provider.last_stats
    assert stats.pairs_from_cache == 4 * 3
    assert stats.pairs_requested <= 6 * 6 - 4 * 4
    assert (bigger.durations[:4, :4] == first.durations).all()
    fresh = OsrmProvider.local(mld_dir).matrix(PLACES)
    assert (bigger.durations == fresh.durations).all()
    assert (bigger.distances == fresh.distances).all()


def _distinct_points(count: int, seed: int) -> list[Location]:
    """``count`` points with distinct cache keys over Monaco (some fall in the sea)."""
    rng = random.Random(seed)
    cells = rng.sample([(i, j) for i in range(250) for j in range(350)], count)
    return [Location(43.7250 + i * 1e-4, 7.4080 + j * 1e-4) for i, j in cells]


def test_two_thousand_points_ask_only_for_the_new_rows_and_columns(ch_dir: Path) -> None:
    points = _distinct_points(2_000, seed=11)
    rng = random.Random(3)
    new = set(rng.sample(range(2_000), 100))
    old = [p for i, p in enumerate(points) if i not in new]
    backend = LocalOsrm(ch_dir, algorithm="ch")
    provider = OsrmProvider(backend, cache=InMemoryMatrixCache(), block_size=250)

    first = provider.matrix(old)
    before = backend.requests
    full = provider.matrix(points)

    stats = provider.last_stats
    missing = 2_000 * 2_000 - 1_900 * 1_900 - 100
    assert stats.pairs_from_cache == 1_900 * 1_899
    assert missing <= stats.pairs_requested <= missing + 100
    assert backend.requests - before == stats.table_requests <= 16
    old_idx = [i for i in range(2_000) if i not in new]
    assert (full.durations[np.ix_(old_idx, old_idx)] == first.durations).all()
    assert {old_idx[k] for k in first.unsnapped} == full.unsnapped - new
    sample = sorted(new)[:3] + old_idx[:3]
    direct = OsrmProvider.local(ch_dir).matrix([points[i] for i in sample])
    assert (full.durations[np.ix_(sample, sample)] == direct.durations).all()


def test_travel_spec_names_the_in_process_provider(mld_dir: Path, tmp_path: Path) -> None:
    provider = provider_from_spec(f" osrm:{mld_dir} ", speed_kmh=25.0, circuity=1.4)
    assert isinstance(provider, OsrmProvider)
    assert provider.matrix([GRIMALDI_NORTH, GRIMALDI_SOUTH]).provider == "osrm"
    odd_case = tmp_path / "Maps" / "Monaco"
    missing = provider_from_spec(f"OSRM:{odd_case}", speed_kmh=25.0, circuity=1.4)
    m = missing.matrix([CASINO, STADE])
    assert m.provider == "haversine" and str(odd_case) in m.notes[0]
    slow = provider_from_spec("haversine", speed_kmh=25.0, circuity=1.4).matrix([CASINO, STADE])
    assert (m.durations == slow.durations).all()
    with pytest.raises(ValueError, match="osrm:"):
        provider_from_spec("osrm:", speed_kmh=25.0, circuity=1.4)
