"""OSRM test data: the Monaco extract prepared once per test session, and verified points.

The Monaco extract is OSRM's own test map, kept in ``shared/osm`` beside the repository
(``DISPATCH_OSM_DIR`` overrides the folder). Data sets are written under pytest's
temporary directories, never inside the repository.

The points below were checked on that map: snapped to the named road within a few
metres, routed with OSRM's route service (whose durations equal the table's), and, for
Rue Grimaldi, against the OpenStreetMap way itself (way 8352246, ``oneway=yes``,
nodes running north-east to south-west).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from solver.travel.base import Location
from solver.travel.osrm_prepare import osrm_executable, prepare_dataset
from tests.shared_data import shared_dir

REQUIRE_SERVICES = os.environ.get("DISPATCH_REQUIRE_SERVICES") == "1"

CASINO = Location(43.7396, 7.4275)
"""Place du Casino."""
STADE = Location(43.7280, 7.4168)
"""Avenue des Castelans by the Stade Louis II."""
SAINTE_DEVOTE = Location(43.7388, 7.4197)
"""Pont Sainte-Dévote."""
QUAI = Location(43.7351, 7.4222)
"""Quai Albert 1er, Port Hercule."""
GRIMALDI_NORTH = Location(43.7364, 7.4208)
"""Rue Grimaldi, upstream end of the one-way stretch."""
GRIMALDI_SOUTH = Location(43.7344, 7.4187)
"""Rue Grimaldi, 280 m downstream."""
AT_SEA = Location(43.7000, 7.4500)
"""The Mediterranean, about 3 km off the coast."""

PLACES = (CASINO, STADE, SAINTE_DEVOTE, QUAI, GRIMALDI_NORTH, GRIMALDI_SOUTH)


def osm_dir() -> Path:
    """Folder of the shared OSM extracts (``DISPATCH_OSM_DIR``, else ``shared/osm``)."""
    override = os.environ.get("DISPATCH_OSM_DIR")
    if override:
        return Path(override)
    return shared_dir() / "osm"


def monaco_pbf() -> Path:
    """The Monaco extract; skips (or fails when services are required) if absent."""
    pbf = osm_dir() / "monaco.osm.pbf"
    if not pbf.is_file():
        message = f"OSM test extract not found at {pbf} (set DISPATCH_OSM_DIR)"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)
    return pbf


_prepared: dict[str, Path] = {}


def prepared_monaco(tmp_path_factory: pytest.TempPathFactory, algorithm: str) -> Path:
    """Data directory of Monaco prepared for ``algorithm``, once per test session."""
    if algorithm not in _prepared:
        data_dir = tmp_path_factory.mktemp(f"osrm-monaco-{algorithm}")
        prepare_dataset(monaco_pbf(), data_dir, algorithm=algorithm, threads=2)
        _prepared[algorithm] = data_dir
    return _prepared[algorithm]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def osrm_routed(data_dir: Path, *, algorithm: str = "mld", **options: str) -> Iterator[str]:
    """Run ``osrm-routed`` on 127.0.0.1 and a free port; yields its URL, stops it after."""
    import urllib.request

    port = free_port()
    base = next(data_dir.glob("*.osrm.*")).name.split(".osrm.")[0]
    extra = [f"--{k.replace('_', '-')}={v}" for k, v in options.items()]
    log_path = data_dir / f"osrm-routed-{port}.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [
            str(osrm_executable("osrm-routed")),
            str(data_dir / f"{base}.osrm"),
            "--ip",
            "127.0.0.1",
            "--port",
            str(port),
            "--algorithm",
            algorithm.upper(),
            *extra,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    probe = f"{url}/nearest/v1/driving/{CASINO.lon},{CASINO.lat}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                err = log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"osrm-routed exited with {proc.returncode}: {err}")
            try:
                with urllib.request.urlopen(probe, timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
