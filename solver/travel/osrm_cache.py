"""Caching of road travel times between points: the base class and an in-memory store.

Road providers (:mod:`solver.travel.osrm`) ask a :class:`MatrixCache` for the pairs they
already know before asking the routing engine. Points are keyed by their coordinates
rounded to four decimal places (about 10 m, see :func:`point_key`) and every entry
belongs to a *data set version*: a new road network never reuses old figures.

A Redis implementation for the service lives in ``dispatch.infra.travel_cache``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from solver.travel.base import IntMatrix, Location

KEY_DECIMALS = 4
"""Decimal places of the degrees in a point key (1e-4 deg is about 11 m of latitude)."""

NO_ROUTE = -1
"""Duration and distance stored for a pair the road network cannot connect."""

BoolMatrix = npt.NDArray[np.bool_]


def point_key(location: Location) -> str:
    """The cache key of a point: ``"lat,lon"`` rounded to :data:`KEY_DECIMALS` places.

    Parameters
    ----------
    location
        The point.

    Returns
    -------
    str
        For example ``"43.7396,7.4276"``. Points less than about 10 m apart share a key.
    """
    lat = round(location.lat, KEY_DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
    lon = round(location.lon, KEY_DECIMALS) + 0.0
    return f"{lat:.{KEY_DECIMALS}f},{lon:.{KEY_DECIMALS}f}"


def key_location(key: str) -> Location:
    """The (rounded) point a key stands for; the inverse of :func:`point_key`.

    Parameters
    ----------
    key
        A key made by :func:`point_key`.

    Returns
    -------
    Location
        The rounded coordinates.
    """
    lat, lon = key.split(",")
    return Location(float(lat), float(lon))


@dataclass(frozen=True)
class CachedPairs:
    """What a cache knows about ``origins x destinations``.

    Attributes
    ----------
    durations, distances
        ``int64`` arrays of shape ``(len(origins), len(destinations))`` in seconds and
        metres; :data:`NO_ROUTE` for pairs without a road route; meaningless where
        ``known`` is false.
    known
        Boolean array of the same shape: whether the pair was found.
    """

    durations: IntMatrix
    distances: IntMatrix
    known: BoolMatrix

    @classmethod
    def empty(cls, rows: int, cols: int) -> CachedPairs:
        """A block in which nothing is known.

        Parameters
        ----------
        rows, cols
            Shape of the block.

        Returns
        -------
        CachedPairs
            Zero figures, all unknown.
        """
        return cls(
            durations=np.zeros((rows, cols), dtype=np.int64),
            distances=np.zeros((rows, cols), dtype=np.int64),
            known=np.zeros((rows, cols), dtype=np.bool_),
        )


@dataclass(frozen=True)
class PairBlock:
    """A block of figures to store: ``origins x destinations``, checked on creation.

    Attributes
    ----------
    origins, destinations
        Point keys.
    durations, distances
        Seconds and metres (:data:`NO_ROUTE`: no route), shape
        ``(len(origins), len(destinations))``.

    Raises
    ------
    ValueError
        If the figures do not have that shape.
    """

    origins: Sequence[str]
    destinations: Sequence[str]
    durations: IntMatrix
    distances: IntMatrix

    def __post_init__(self) -> None:
        shape = (len(self.origins), len(self.destinations))
        if self.durations.shape != shape or self.distances.shape != shape:
            raise ValueError(f"block figures must have shape {shape}")


class MatrixCache(ABC):
    """Pairwise travel durations/distances and snapping distances, per data set version.

    The base of every cache: the public methods check the blocks, answer empty blocks
    themselves and hand the rest to the storage hooks (``_get_pairs``, ``_set_pairs``,
    ``_get_snaps``, ``_set_snaps``) of the subclass.
    """

    def get_pairs(
        self, version: str, origins: Sequence[str], destinations: Sequence[str]
    ) -> CachedPairs:
        """Look up every pair of ``origins x destinations``.

        Parameters
        ----------
        version
            Data set version.
        origins, destinations
            Point keys (:func:`point_key`).

        Returns
        -------
        CachedPairs
            Figures and the mask of known pairs.
        """
        if not origins or not destinations:
            return CachedPairs.empty(len(origins), len(destinations))
        return self._get_pairs(version, origins, destinations)

    def set_pairs(
        self,
        version: str,
        origins: Sequence[str],
        destinations: Sequence[str],
        durations: IntMatrix,
        distances: IntMatrix,
    ) -> None:
        """Store the block ``origins x destinations`` (an empty block stores nothing).

        Parameters
        ----------
        version
            Data set version.
        origins, destinations, durations, distances
            The block, as for :class:`PairBlock`.

        Raises
        ------
        ValueError
            If the figures' shape is not ``(len(origins), len(destinations))``.
        """
        block = PairBlock(origins, destinations, durations, distances)
        if origins and destinations:
            self._set_pairs(version, block)

    def get_snaps(self, version: str, points: Sequence[str]) -> list[float | None]:
        """Snapping distances (m) of ``points``, ``None`` where not known.

        Parameters
        ----------
        version
            Data set version.
        points
            Point keys.

        Returns
        -------
        list of float or None
            One entry per point.
        """
        return self._get_snaps(version, points) if points else []

    def set_snaps(self, version: str, snaps: Mapping[str, float]) -> None:
        """Store snapping distances (m) by point key.

        Parameters
        ----------
        version
            Data set version.
        snaps
            Point key -> metres.
        """
        self._set_snaps(version, snaps)

    @abstractmethod
    def _get_pairs(
        self, version: str, origins: Sequence[str], destinations: Sequence[str]
    ) -> CachedPairs:
        """:meth:`get_pairs` for a block of at least one pair."""

    @abstractmethod
    def _set_pairs(self, version: str, block: PairBlock) -> None:
        """:meth:`set_pairs` for a block of at least one pair."""

    @abstractmethod
    def _get_snaps(self, version: str, points: Sequence[str]) -> list[float | None]:
        """:meth:`get_snaps` for at least one point."""

    @abstractmethod
    def _set_snaps(self, version: str, snaps: Mapping[str, float]) -> None:
        """:meth:`set_snaps` (``snaps`` may be empty)."""


class _VersionStore:
    """Dense int32 arrays indexed by point, grown by doubling."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.durations = np.zeros((0, 0), dtype=np.int32)
        self.distances = np.zeros((0, 0), dtype=np.int32)
        self.known = np.zeros((0, 0), dtype=np.bool_)
        self.snaps: dict[str, float] = {}

    def indices(self, keys: Sequence[str], *, add: bool) -> npt.NDArray[np.int64]:
        out = np.empty(len(keys), dtype=np.int64)
        for i, key in enumerate(keys):
            idx = self.index.get(key)
            if idx is None:
                if not add:
                    out[i] = -1
                    continue
                idx = self.index[key] = len(self.index)
            out[i] = idx
        if add:
            self._grow(len(self.index))
        return out

    def _grow(self, size: int) -> None:
        capacity = self.known.shape[0]
        if size <= capacity:
            return
        new = max(size, 2 * capacity, 64)
        for name in ("durations", "distances", "known"):
            old = getattr(self, name)
            grown = np.zeros((new, new), dtype=old.dtype)
            grown[:capacity, :capacity] = old
            setattr(self, name, grown)


class InMemoryMatrixCache(MatrixCache):
    """A :class:`MatrixCache` in this process's memory.

    Figures are kept in dense ``int32`` arrays per data set version, so lookups of a
    whole matrix are vectorised. When a version holds more than ``max_points`` points
    it is cleared and starts again (memory grows with the square of the points).

    Parameters
    ----------
    max_points
        Most distinct points kept per version.
    """

    def __init__(self, max_points: int = 5_000) -> None:
        if max_points < 1:
            raise ValueError("max_points must be >= 1")
        self.max_points = max_points
        self._stores: dict[str, _VersionStore] = {}

    def _get_pairs(
        self, version: str, origins: Sequence[str], destinations: Sequence[str]
    ) -> CachedPairs:
        out = CachedPairs.empty(len(origins), len(destinations))
        store = self._stores.get(version)
        if store is None:
            return out
        rows = store.indices(origins, add=False)
        cols = store.indices(destinations, add=False)
        r_ok, c_ok = np.flatnonzero(rows >= 0), np.flatnonzero(cols >= 0)
        if r_ok.size == 0 or c_ok.size == 0:
            return out
        grid = np.ix_(rows[r_ok], cols[c_ok])
        target = np.ix_(r_ok, c_ok)
        out.durations[target] = store.durations[grid]
        out.distances[target] = store.distances[grid]
        out.known[target] = store.known[grid]
        return out

    def _set_pairs(self, version: str, block: PairBlock) -> None:
        store = self._store_for(version, {*block.origins, *block.destinations})
        rows = store.indices(block.origins, add=True)
        cols = store.indices(block.destinations, add=True)
        grid = np.ix_(rows, cols)
        store.durations[grid] = block.durations
        store.distances[grid] = block.distances
        store.known[grid] = True

    def _get_snaps(self, version: str, points: Sequence[str]) -> list[float | None]:
        store = self._stores.get(version)
        if store is None:
            return [None] * len(points)
        return [store.snaps.get(p) for p in points]

    def _set_snaps(self, version: str, snaps: Mapping[str, float]) -> None:
        store = self._stores.get(version)
        if store is None:
            store = self._stores[version] = _VersionStore()
        if len(store.snaps) + len(snaps) > self.max_points:
            store.snaps.clear()
        store.snaps.update(snaps)

    def clear(self) -> None:
        """Forget everything."""
        self._stores.clear()

    def _store_for(self, version: str, keys: set[str]) -> _VersionStore:
        store = self._stores.get(version)
        if store is None:
            store = self._stores[version] = _VersionStore()
        new = sum(1 for k in keys if k not in store.index)
        if len(store.index) + new > self.max_points:
            store = self._stores[version] = _VersionStore()
        return store


class GuardedCache:
    """The provider's cache for one call; a failing cache is dropped, never fatal.

    A cache only saves requests, so when it fails (e.g. Redis goes away) the call goes
    on without it and says so.
    """

    def __init__(self, cache: MatrixCache | None, version: str) -> None:
        self.cache = cache
        self.version = version
        self.error = ""

    def _failed(self, exc: Exception) -> None:
        self.error = f"{type(exc).__name__}: {exc}"
        self.cache = None

    def get(self, keys: list[str]) -> tuple[CachedPairs, list[float | None]]:
        """The cached pairs among ``keys`` and their snap distances (nothing on failure)."""
        n = len(keys)
        if self.cache is not None:
            try:
                pairs = self.cache.get_pairs(self.version, keys, keys)
                return pairs, self.cache.get_snaps(self.version, keys)
            except Exception as exc:  # any backend's failure: go on without the cache
                self._failed(exc)
        return CachedPairs.empty(n, n), [None] * n

    def put(
        self,
        origins: list[str],
        destinations: list[str],
        durations: IntMatrix | None,
        distances: IntMatrix | None,
        snaps: dict[str, float],
    ) -> None:
        """Store fresh pairs and snap distances (dropping the cache on failure)."""
        if self.cache is None:
            return
        try:
            if durations is not None and distances is not None:
                self.cache.set_pairs(self.version, origins, destinations, durations, distances)
            self.cache.set_snaps(self.version, snaps)
        except Exception as exc:  # any backend's failure: go on without the cache
            self._failed(exc)
