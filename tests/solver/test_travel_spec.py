"""``--travel`` specs."""

from __future__ import annotations

import pytest

from solver.travel import GeodesicProvider, HaversineProvider
from solver.travel_spec import provider_from_spec


def test_known_specs() -> None:
    h = provider_from_spec(" Haversine ", speed_kmh=40.0, circuity=1.2)
    assert isinstance(h, HaversineProvider) and (h.speed_kmh, h.circuity) == (40.0, 1.2)
    assert isinstance(
        provider_from_spec("geodesic", speed_kmh=30.0, circuity=1.3), GeodesicProvider
    )


def test_unknown_spec_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="haversine, geodesic"):
        provider_from_spec("teleport", speed_kmh=30.0, circuity=1.3)
