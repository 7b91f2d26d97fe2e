"""Travel times between points: the provider interface and the straight-line providers.

A :class:`TravelTimeProvider` turns a sequence of :class:`Location` into a
:class:`TravelMatrix` (integer seconds and metres). The solver asks for one matrix
per solve and never calls the provider inside a callback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_M = 6_371_000.0

IntMatrix = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Location:
    """A point on Earth in WGS84 degrees."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not -90.0 <= self.lat <= 90.0:
            raise ValueError(f"lat must be within [-90, 90], got {self.lat}")
        if not -180.0 <= self.lon <= 180.0:
            raise ValueError(f"lon must be within [-180, 180], got {self.lon}")


@dataclass(frozen=True)
class TravelMatrix:
    """Square matrices of travel durations (s) and distances (m), row = from, column = to.

    Attributes
    ----------
    durations, distances
        ``int64`` arrays of shape ``(n, n)`` with a zero diagonal.
    provider
        Name of the provider that produced the figures (e.g. ``"haversine"``).
    unsnapped
        Indices of points that could not be placed on the network (road providers).
    notes
        Human-readable remarks, e.g. that a road provider failed and straight lines
        were used instead.
    """

    durations: IntMatrix
    distances: IntMatrix
    provider: str
    unsnapped: frozenset[int] = field(default_factory=frozenset)
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.durations.shape != self.distances.shape:
            raise ValueError("durations and distances must have the same shape")
        if self.durations.ndim != 2 or self.durations.shape[0] != self.durations.shape[1]:
            raise ValueError("travel matrices must be square")

    @property
    def size(self) -> int:
        """Number of points."""
        return int(self.durations.shape[0])


@runtime_checkable
class TravelTimeProvider(Protocol):
    """Anything that can give travel durations and distances between points."""

    @property
    def name(self) -> str:
        """Short name shown in results (``"haversine"``, ``"osrm"``...)."""
        ...

    def matrix(self, locations: Sequence[Location]) -> TravelMatrix:
        """Return the full travel matrix between ``locations`` (in that order)."""
        ...


def haversine_metres(lat: npt.ArrayLike, lon: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Great-circle distances (m) between every pair of points, vectorised.

    Parameters
    ----------
    lat, lon
        One-dimensional arrays of degrees, same length ``n``.

    Returns
    -------
    numpy.ndarray
        ``(n, n)`` float array of metres.
    """
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    lam = np.radians(np.asarray(lon, dtype=np.float64))
    dphi = phi[:, None] - phi[None, :]
    dlam = lam[:, None] - lam[None, :]
    a = (
        np.sin(dphi / 2.0) ** 2
        + np.cos(phi)[:, None] * np.cos(phi)[None, :] * np.sin(dlam / 2.0) ** 2
    )
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass(frozen=True)
class HaversineProvider:
    """Straight-line distance x circuity at a constant speed (the default).

    Travel time is ``haversine x circuity / speed`` rounded to whole seconds, as in the
    field-service benchmark format.
    """

    speed_kmh: float = 30.0
    circuity: float = 1.3
    name: str = "haversine"

    def __post_init__(self) -> None:
        if self.speed_kmh <= 0:
            raise ValueError("speed_kmh must be positive")
        if self.circuity < 1.0:
            raise ValueError("circuity must be >= 1")

    def matrix(self, locations: Sequence[Location]) -> TravelMatrix:
        """Return the travel matrix between ``locations``."""
        metres = _great_circle(locations) * self.circuity
        return _from_metres(metres, self.speed_kmh, self.name)


@dataclass(frozen=True)
class GeodesicProvider:
    """Like :class:`HaversineProvider` but on the WGS84 ellipsoid (``geopy``); slower, exact."""

    speed_kmh: float = 30.0
    circuity: float = 1.3
    name: str = "geodesic"

    def matrix(self, locations: Sequence[Location]) -> TravelMatrix:
        """Return the travel matrix between ``locations``."""
        from geopy.distance import geodesic

        n = len(locations)
        metres = np.zeros((n, n), dtype=np.float64)
        for i in range(n):
            a = (locations[i].lat, locations[i].lon)
            for j in range(i + 1, n):
                d = geodesic(a, (locations[j].lat, locations[j].lon)).meters
                metres[i, j] = metres[j, i] = d
        return _from_metres(metres * self.circuity, self.speed_kmh, self.name)


def _great_circle(locations: Sequence[Location]) -> npt.NDArray[np.float64]:
    if not locations:
        return np.zeros((0, 0), dtype=np.float64)
    lat = np.fromiter((p.lat for p in locations), dtype=np.float64, count=len(locations))
    lon = np.fromiter((p.lon for p in locations), dtype=np.float64, count=len(locations))
    return haversine_metres(lat, lon)


def _from_metres(metres: npt.NDArray[np.float64], speed_kmh: float, name: str) -> TravelMatrix:
    seconds = np.rint(metres / (speed_kmh / 3.6)).astype(np.int64)
    return TravelMatrix(
        durations=seconds, distances=np.rint(metres).astype(np.int64), provider=name
    )
