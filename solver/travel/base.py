"""Travel times between points: the provider interface and the straight-line providers.

A :class:`TravelTimeProvider` turns a sequence of :class:`Location` into a
:class:`TravelMatrix` (integer seconds and metres). The solver asks for one matrix
per solve and never calls the provider inside a callback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_M = 6_371_000.0

IntMatrix = npt.NDArray[np.signedinteger[Any]]
"""A travel matrix: int32 from the straight-line providers (half the memory), else int64."""

BLOCK_ROWS = 256
"""Rows computed at once by the straight-line providers (bounds their temporaries)."""


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
        Integer arrays of shape ``(n, n)`` with a zero diagonal: ``int32`` from the
        straight-line providers (a 12,000-point matrix is 576 MB, not 1.15 GB), ``int64``
        from the road providers. Widen a slice before multiplying it by large weights.
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
    return _haversine_block(phi, lam, np.cos(phi), phi, lam, np.cos(phi))


def _haversine_block(
    phi_r: npt.NDArray[np.float64],
    lam_r: npt.NDArray[np.float64],
    cos_r: npt.NDArray[np.float64],
    phi_c: npt.NDArray[np.float64],
    lam_c: npt.NDArray[np.float64],
    cos_c: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """Great-circle metres from the row points to the column points (radians, cosines)."""
    dphi = phi_r[:, None] - phi_c[None, :]
    dlam = lam_r[:, None] - lam_c[None, :]
    a = np.sin(dphi / 2.0) ** 2 + cos_r[:, None] * cos_c[None, :] * np.sin(dlam / 2.0) ** 2
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
        """Return the travel matrix between ``locations``.

        Computed in blocks of :data:`BLOCK_ROWS` rows over the upper triangle, then
        mirrored tile by tile (the great-circle distance is symmetric), straight into
        integer arrays: the memory is the two result matrices and a few MB of temporaries.
        """
        n = len(locations)
        lat = np.fromiter((p.lat for p in locations), dtype=np.float64, count=n)
        lon = np.fromiter((p.lon for p in locations), dtype=np.float64, count=n)
        phi, lam = np.radians(lat), np.radians(lon)
        cos = np.cos(phi)
        mps = self.speed_kmh / 3.6
        durations = np.empty((n, n), dtype=_dtype_for(np.pi * EARTH_RADIUS_M * self.circuity / mps))
        distances = np.empty((n, n), dtype=_dtype_for(np.pi * EARTH_RADIUS_M * self.circuity))
        for a in range(0, n, BLOCK_ROWS):
            b = min(n, a + BLOCK_ROWS)
            metres = _haversine_block(phi[a:b], lam[a:b], cos[a:b], phi[a:], lam[a:], cos[a:])
            metres *= self.circuity
            seconds = np.rint(metres / mps)
            np.rint(metres, out=metres)
            durations[a:b, a:] = seconds
            distances[a:b, a:] = metres
        _mirror_upper(durations)
        _mirror_upper(distances)
        return TravelMatrix(durations=durations, distances=distances, provider=self.name)


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


def _mirror_upper(square: IntMatrix) -> None:
    """Copy the upper triangle (by blocks of :data:`BLOCK_ROWS`) onto the lower one, in place."""
    n = square.shape[0]
    for a in range(0, n, BLOCK_ROWS):
        b = min(n, a + BLOCK_ROWS)
        diagonal = square[a:b, a:b]
        lower = np.tril_indices(b - a, -1)
        diagonal[lower] = diagonal.T[lower]
        for c in range(b, n, BLOCK_ROWS):
            d = min(n, c + BLOCK_ROWS)
            square[c:d, a:b] = square[a:b, c:d].T


def _dtype_for(largest: float) -> type[np.int32] | type[np.int64]:
    """int32 when every value up to ``largest`` fits, else int64."""
    return np.int32 if largest < np.iinfo(np.int32).max else np.int64


def _from_metres(metres: npt.NDArray[np.float64], speed_kmh: float, name: str) -> TravelMatrix:
    largest = float(np.max(metres)) if metres.size else 0.0
    seconds = np.rint(metres / (speed_kmh / 3.6))
    return TravelMatrix(
        durations=seconds.astype(_dtype_for(largest / (speed_kmh / 3.6))),
        distances=np.rint(metres).astype(_dtype_for(largest)),
        provider=name,
    )
