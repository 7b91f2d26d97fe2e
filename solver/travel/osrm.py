"""Road-network travel times from OSRM, with caching and a straight-line fallback.

:class:`OsrmProvider` is a :class:`~solver.travel.TravelTimeProvider`. It routes on an
OSRM data set in this process (``osrm-bindings``) or through an ``osrm-routed`` URL,
asks only for the pairs its :class:`~solver.travel.osrm_cache.MatrixCache` does not hold, in
blocks of at most ``block_size x block_size``, and

* lists points farther than ``snap_radius_m`` from a road in
  :attr:`TravelMatrix.unsnapped <solver.travel.TravelMatrix.unsnapped>` (their legs,
  and pairs the network cannot connect, get straight-line figures);
* falls back to the straight-line provider, saying so in the matrix's notes, when OSRM
  is unavailable or fails part-way (blocks answered before the failure stay cached).

Points are routed at their cache-key coordinates (rounded to about 10 m, see
:func:`solver.travel.osrm_cache.point_key`) so that cached and fresh figures agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from solver.travel.base import (
    HaversineProvider,
    IntMatrix,
    Location,
    TravelMatrix,
    TravelTimeProvider,
)
from solver.travel.osrm_backends import HttpOsrm, LocalOsrm, OsrmBackend, OsrmError, TableResult
from solver.travel.osrm_blocks import IndexArray, missing_blocks
from solver.travel.osrm_cache import (
    NO_ROUTE,
    GuardedCache,
    MatrixCache,
    key_location,
    point_key,
)

__all__ = [
    "OsrmError",
    "OsrmProvider",
    "OsrmStats",
    "missing_blocks",
]


@dataclass(frozen=True)
class OsrmStats:
    """What one :meth:`OsrmProvider.matrix` call did.

    Attributes
    ----------
    points
        Distinct points (after rounding to cache keys).
    pairs_from_cache
        Ordered pairs of distinct points found in the cache.
    pairs_requested
        Entries asked of OSRM (a block may include a point's pair with itself).
    table_requests
        Table requests sent to OSRM.
    fell_back
        Whether the straight-line fallback produced the matrix.
    cache_error
        Why the cache was left out part-way (empty when it worked or there is none).
    """

    points: int = 0
    pairs_from_cache: int = 0
    pairs_requested: int = 0
    table_requests: int = 0
    fell_back: bool = False
    cache_error: str = ""


class OsrmProvider:
    """Travel times on the road network, from OSRM.

    Build one with :meth:`local` (in-process, a prepared data set) or :meth:`http`
    (an ``osrm-routed`` URL), or pass any :class:`~solver.travel.osrm_backends.OsrmBackend`.

    Parameters
    ----------
    backend
        Where the table requests go.
    snap_radius_m
        Points farther than this from the nearest road are unsnapped.
    block_size
        Most sources and most destinations per table request.
    cache
        Pairs already known, by data set version (``None``: no caching).
    fallback
        Provider used when OSRM fails (default :class:`~solver.travel.HaversineProvider`)
        and for the legs of unsnapped points and unconnected pairs.
    name
        Provider name reported in matrices.
    """

    def __init__(
        self,
        backend: OsrmBackend,
        *,
        snap_radius_m: float = 200.0,
        block_size: int = 100,
        cache: MatrixCache | None = None,
        fallback: TravelTimeProvider | None = None,
        name: str = "osrm",
    ) -> None:
        if snap_radius_m <= 0:
            raise ValueError("snap_radius_m must be positive")
        if block_size < 1:
            raise ValueError("block_size must be >= 1")
        self.backend = backend
        self.snap_radius_m = snap_radius_m
        self.block_size = block_size
        self.cache = cache
        self.fallback: TravelTimeProvider = fallback or HaversineProvider()
        self._name = name
        self.last_stats = OsrmStats()
        """Figures of the latest :meth:`matrix` call."""

    @classmethod
    def local(
        cls,
        data: str | Path,
        *,
        algorithm: str | None = None,
        snap_radius_m: float = 200.0,
        block_size: int = 250,
        cache: MatrixCache | None = None,
        fallback: TravelTimeProvider | None = None,
    ) -> OsrmProvider:
        """A provider routing in this process on a prepared data set.

        Parameters
        ----------
        data
            Data directory holding one data set, or its base path ``DIR/NAME.osrm``.
        algorithm
            ``"mld"`` or ``"ch"``; detected from the files when ``None``.
        block_size
            Most sources and destinations per table call; larger blocks than over HTTP,
            as in-process calls have no URL or server limits and many-to-many
            searches get cheaper per pair as blocks grow.
        snap_radius_m, cache, fallback
            As for :class:`OsrmProvider`.

        Returns
        -------
        OsrmProvider
            The provider (the data set is loaded on first use).
        """
        return cls(
            LocalOsrm(data, algorithm=algorithm),
            snap_radius_m=snap_radius_m,
            block_size=block_size,
            cache=cache,
            fallback=fallback,
        )

    @classmethod
    def http(
        cls,
        url: str,
        *,
        profile: str = "driving",
        timeout: float = 30.0,
        version: str | None = None,
        snap_radius_m: float = 200.0,
        block_size: int = 100,
        cache: MatrixCache | None = None,
        fallback: TravelTimeProvider | None = None,
    ) -> OsrmProvider:
        """A provider asking an ``osrm-routed`` server.

        Parameters
        ----------
        url
            Base URL of the server, e.g. ``"http://127.0.0.1:5000"``.
        profile, timeout, version
            As for :class:`~solver.travel.osrm_backends.HttpOsrm`.
        snap_radius_m, block_size, cache, fallback
            As for :class:`OsrmProvider`.

        Returns
        -------
        OsrmProvider
            The provider.
        """
        return cls(
            HttpOsrm(url, profile=profile, timeout=timeout, version=version),
            snap_radius_m=snap_radius_m,
            block_size=block_size,
            cache=cache,
            fallback=fallback,
        )

    @property
    def name(self) -> str:
        """Name reported in matrices made from OSRM figures."""
        return self._name

    def matrix(self, locations: Sequence[Location]) -> TravelMatrix:
        """The road travel matrix between ``locations``, or the fallback's if OSRM fails.

        Parameters
        ----------
        locations
            Points, in matrix order.

        Returns
        -------
        TravelMatrix
            Whole seconds and metres. ``provider`` is this provider's name, or the
            fallback's name with a note saying why OSRM was not used.
        """
        n = len(locations)
        if n == 0:
            empty = np.zeros((0, 0), dtype=np.int64)
            return TravelMatrix(durations=empty, distances=empty.copy(), provider=self.name)
        keys = [point_key(p) for p in locations]
        unique = list(dict.fromkeys(keys))
        position = {k: i for i, k in enumerate(unique)}
        idx = np.fromiter((position[k] for k in keys), dtype=np.int64, count=n)
        try:
            durations, distances, snaps, stats = self._unique_matrix(unique)
        except OsrmError as exc:
            self.last_stats = OsrmStats(points=len(unique), fell_back=True)
            fallback = self.fallback.matrix(locations)
            note = (
                f"OSRM ({self.backend.description}) failed: {exc}; "
                f"used {fallback.provider} estimates instead"
            )
            return TravelMatrix(
                durations=fallback.durations,
                distances=fallback.distances,
                provider=fallback.provider,
                unsnapped=fallback.unsnapped,
                notes=(*fallback.notes, note),
            )
        self.last_stats = stats
        notes = []
        if stats.cache_error:
            notes.append(f"travel cache unavailable ({stats.cache_error}); went on without it")
        full_d = durations[np.ix_(idx, idx)]
        full_m = distances[np.ix_(idx, idx)]
        np.fill_diagonal(full_d, 0)
        np.fill_diagonal(full_m, 0)
        return self._finish(locations, full_d, full_m, snaps[idx], notes)

    def _finish(
        self,
        locations: Sequence[Location],
        durations: IntMatrix,
        distances: IntMatrix,
        snaps: npt.NDArray[np.float64],
        notes: list[str],
    ) -> TravelMatrix:
        unsnapped = np.flatnonzero(snaps > self.snap_radius_m)
        no_route = durations == NO_ROUTE
        no_route[unsnapped, :] = False
        no_route[:, unsnapped] = False
        patch = no_route.copy()
        patch[unsnapped, :] = True
        patch[:, unsnapped] = True
        np.fill_diagonal(patch, False)
        if patch.any():
            straight = self.fallback.matrix(locations)
            durations = np.where(patch, straight.durations, durations)
            distances = np.where(patch, straight.distances, distances)
            if unsnapped.size:
                shown = ", ".join(map(str, unsnapped[:10].tolist()))
                more = "..." if unsnapped.size > 10 else ""
                notes.append(
                    f"{unsnapped.size} point(s) lie more than {self.snap_radius_m:g} m from a "
                    f"road (indices {shown}{more}); {straight.provider} estimates used "
                    "for their legs"
                )
            if no_route.any():
                notes.append(
                    f"{int(no_route.sum())} pair(s) have no road route; "
                    f"{straight.provider} estimates used"
                )
        return TravelMatrix(
            durations=durations.astype(np.int64),
            distances=distances.astype(np.int64),
            provider=self.name,
            unsnapped=frozenset(int(i) for i in unsnapped),
            notes=tuple(notes),
        )

    def _unique_matrix(
        self, keys: list[str]
    ) -> tuple[IntMatrix, IntMatrix, npt.NDArray[np.float64], OsrmStats]:
        """Figures between distinct points: cache first, then OSRM for the rest."""
        n = len(keys)
        points = [key_location(k) for k in keys]
        version = self.backend.version(points[0])
        cache = GuardedCache(self.cache, version)
        cached, snap_list = cache.get(keys)
        durations, distances, known = cached.durations, cached.distances, cached.known
        snaps = np.asarray([np.nan if s is None else s for s in snap_list], dtype=np.float64)
        np.fill_diagonal(known, True)
        np.fill_diagonal(durations, 0)
        np.fill_diagonal(distances, 0)
        from_cache = int(known.sum()) - n
        requests = requested = 0
        for rows, cols in missing_blocks(~known, self.block_size):
            result = self._ask(points, rows, cols)
            requests += 1
            requested += rows.size * cols.size
            block_d = _whole(result.durations)
            block_m = _whole(result.distances)
            grid = np.ix_(rows, cols)
            durations[grid] = block_d
            distances[grid] = block_m
            known[grid] = True
            snaps[rows] = result.source_snaps
            snaps[cols] = result.destination_snaps
            snapped = _snap_map(keys, cols, result.destination_snaps)
            snapped.update(_snap_map(keys, rows, result.source_snaps))
            cache.put([keys[i] for i in rows], [keys[j] for j in cols], block_d, block_m, snapped)
        unknown = np.flatnonzero(np.isnan(snaps))
        for start in range(0, unknown.size, self.block_size):
            part = unknown[start : start + self.block_size]
            result = self._ask(points, part, part[:1])
            requests += 1
            requested += part.size
            snaps[part] = result.source_snaps
            cache.put([], [], None, None, _snap_map(keys, part, result.source_snaps))
        stats = OsrmStats(
            points=n,
            pairs_from_cache=from_cache,
            pairs_requested=requested,
            table_requests=requests,
            cache_error=cache.error,
        )
        return durations, distances, snaps, stats

    def _ask(self, points: list[Location], rows: IndexArray, cols: IndexArray) -> TableResult:
        """One table request for ``points[rows] x points[cols]`` (shared points sent once)."""
        involved = list(dict.fromkeys([*rows.tolist(), *cols.tolist()]))
        local = {p: i for i, p in enumerate(involved)}
        return self.backend.table(
            [points[p] for p in involved],
            [local[int(r)] for r in rows],
            [local[int(c)] for c in cols],
        )


def _whole(values: npt.NDArray[np.float64]) -> IntMatrix:
    """Round to whole units; ``nan`` (no route) becomes :data:`NO_ROUTE`."""
    return np.where(np.isnan(values), NO_ROUTE, np.rint(np.nan_to_num(values))).astype(np.int64)


def _snap_map(
    keys: list[str], rows: IndexArray, metres: npt.NDArray[np.float64]
) -> dict[str, float]:
    return {keys[int(i)]: float(m) for i, m in zip(rows, metres, strict=True)}
