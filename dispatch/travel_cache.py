"""Road travel times cached in Redis: a :class:`solver.osrm_cache.MatrixCache`.

Layout (``P`` is :func:`matrix_cache_prefix`, ``V`` the data set version, point keys
from :func:`solver.osrm_cache.point_key`):

* ``P:V:from:<origin>`` - a hash per origin point; field = destination point key,
  value = 8 bytes, little-endian ``int32`` seconds then ``int32`` metres
  (``-1, -1`` for pairs without a road route).
* ``P:V:snap`` - a hash; field = point key, value = metres to the snapped road point.

Every key expires ``ttl_seconds`` after its last write, so versions nobody asks for
any more disappear on their own.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import redis
from redis.typing import EncodableT, FieldT

from solver.osrm_cache import CachedPairs
from solver.travel import IntMatrix

_PAIR = struct.Struct("<ii")
_ZERO = b"\x00" * _PAIR.size
_BATCH = 200
"""Origins per Redis pipeline round trip."""


def matrix_cache_prefix() -> str:
    """Prefix of every Redis key of the travel-time cache.

    Returns
    -------
    str
        ``"dispatch:travel"``.
    """
    return "dispatch:travel"


def _row_key(version: str, origin: str) -> str:
    return f"{matrix_cache_prefix()}:{version}:from:{origin}"


def _snap_key(version: str) -> str:
    return f"{matrix_cache_prefix()}:{version}:snap"


class RedisMatrixCache:
    """A :class:`~solver.osrm_cache.MatrixCache` in Redis, shared by workers and restarts.

    Parameters
    ----------
    client
        A ``redis.Redis`` client (bytes responses, i.e. ``decode_responses=False``).
    ttl_seconds
        Lifetime of each key after its last write.
    """

    def __init__(self, client: redis.Redis, *, ttl_seconds: int = 30 * 24 * 3600) -> None:
        if ttl_seconds < 1:
            raise ValueError("ttl_seconds must be >= 1")
        if client.connection_pool.connection_kwargs.get("decode_responses"):
            raise ValueError("the travel cache needs a client with decode_responses=False")
        self.client = client
        self.ttl_seconds = ttl_seconds

    def get_pairs(
        self, version: str, origins: Sequence[str], destinations: Sequence[str]
    ) -> CachedPairs:
        """Look up every pair of ``origins x destinations``.

        Parameters
        ----------
        version
            Data set version.
        origins, destinations
            Point keys.

        Returns
        -------
        CachedPairs
            Figures and the mask of known pairs.
        """
        out = CachedPairs.empty(len(origins), len(destinations))
        if not origins or not destinations:
            return out
        fields = list(destinations)
        for start in range(0, len(origins), _BATCH):
            pipe = self.client.pipeline(transaction=False)
            for origin in origins[start : start + _BATCH]:
                pipe.hmget(_row_key(version, origin), fields)
            rows: list[list[Any]] = pipe.execute()
            for offset, values in enumerate(rows):
                self._decode_row(out, start + offset, values)
        return out

    @staticmethod
    def _decode_row(out: CachedPairs, row: int, values: list[Any]) -> None:
        known = np.fromiter(
            (isinstance(v, bytes) and len(v) == _PAIR.size for v in values),
            dtype=np.bool_,
            count=len(values),
        )
        if not known.any():
            return
        packed = b"".join(v if ok else _ZERO for v, ok in zip(values, known, strict=True))
        pairs = np.frombuffer(packed, dtype="<i4").reshape(-1, 2)
        out.durations[row, known] = pairs[known, 0]
        out.distances[row, known] = pairs[known, 1]
        out.known[row] = known

    def set_pairs(
        self,
        version: str,
        origins: Sequence[str],
        destinations: Sequence[str],
        durations: IntMatrix,
        distances: IntMatrix,
    ) -> None:
        """Store the block ``origins x destinations``.

        Parameters
        ----------
        version
            Data set version.
        origins, destinations
            Point keys.
        durations, distances
            Seconds and metres, shape ``(len(origins), len(destinations))``.
        """
        shape = (len(origins), len(destinations))
        if durations.shape != shape or distances.shape != shape:
            raise ValueError(f"block figures must have shape {shape}")
        if not origins or not destinations:
            return
        packed = np.stack([durations, distances], axis=-1).astype("<i4")
        pipe = self.client.pipeline(transaction=False)
        for i, origin in enumerate(origins):
            row = packed[i].tobytes()
            size = _PAIR.size
            mapping: dict[FieldT, EncodableT] = {
                d: row[j * size : (j + 1) * size] for j, d in enumerate(destinations)
            }
            key = _row_key(version, origin)
            pipe.hset(key, mapping=mapping)
            pipe.expire(key, self.ttl_seconds)
            if (i + 1) % _BATCH == 0:
                pipe.execute()
        pipe.execute()

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
        if not points:
            return []
        values = self.client.hmget(_snap_key(version), list(points))
        out: list[float | None] = []
        for v in values:
            try:
                out.append(None if v is None else float(v))
            except ValueError:
                out.append(None)
        return out

    def set_snaps(self, version: str, snaps: Mapping[str, float]) -> None:
        """Store snapping distances (m) by point key.

        Parameters
        ----------
        version
            Data set version.
        snaps
            Point key -> metres.
        """
        if not snaps:
            return
        key = _snap_key(version)
        pipe = self.client.pipeline(transaction=False)
        mapping: dict[FieldT, EncodableT] = {k: repr(float(m)) for k, m in snaps.items()}
        pipe.hset(key, mapping=mapping)
        pipe.expire(key, self.ttl_seconds)
        pipe.execute()
