"""``--travel`` specs."""

from __future__ import annotations

import pytest

from solver.travel.base import GeodesicProvider, HaversineProvider
from solver.travel.spec import provider_from_spec


def test_known_specs() -> None:
    h = provider_from_spec(" Haversine ", speed_kmh=40.0, circuity=1.2)
    assert isinstance(h, HaversineProvider) and (h.speed_kmh, h.circuity) == (40.0, 1.2)
    assert isinstance(
        provider_from_spec("geodesic", speed_kmh=30.0, circuity=1.3), GeodesicProvider
    )


def test_unknown_spec_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="haversine, geodesic"):
        provider_from_spec("teleport", speed_kmh=30.0, circuity=1.3)


def test_check_spec_normalises_known_forms(tmp_path) -> None:
    from solver.travel.spec import check_spec

    assert check_spec(" Haversine ") == "haversine"
    assert check_spec("http://127.0.0.1:5000") == "http://127.0.0.1:5000"
    (tmp_path / "monaco.osrm.mldgr").write_bytes(b"")
    assert check_spec(f"osrm:{tmp_path}") == f"osrm:{tmp_path}"


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("teleport", "unknown travel spec"),
        ("osrm:", "needs a data directory"),
        ("osrm:/no/such/folder", "no OSRM data set"),
        ("http://", "has no host"),
        ("https://osrm.example:99999", "bad port"),
    ],
)
def test_check_spec_refuses_bad_forms(spec: str, says: str) -> None:
    from solver.travel.spec import check_spec

    with pytest.raises(ValueError, match=says):
        check_spec(spec)


@pytest.mark.parametrize(
    ("spec", "kind", "target"),
    [
        (" Haversine ", "haversine", ""),
        ("GEODESIC", "geodesic", ""),
        ("osrm:/data/Monaco", "osrm", "/data/Monaco"),
        (" OSRM:/data/Monaco ", "osrm", "/data/Monaco"),
        ("HTTPS://Osrm.example:5000", "http", "HTTPS://Osrm.example:5000"),
    ],
)
def test_one_parser_reads_the_form_in_any_case_and_keeps_the_target(
    spec: str, kind: str, target: str
) -> None:
    from solver.travel.spec import parse_spec

    parsed = parse_spec(spec)
    assert (parsed.kind, parsed.target) == (kind, target)
    assert parsed.road == (kind in ("osrm", "http"))
