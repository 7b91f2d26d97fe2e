"""Road travel times cached in Redis: a :class:`solver.travel.osrm_cache.MatrixCache`.

A 2,000-point matrix holds four million pairs, so pairs are not Redis fields: each
point gets a small integer id per data set version, and each origin's figures are one
binary string with a fixed 8-byte slot per destination id, read and written by byte
ranges (``GETRANGE``/``SETRANGE``). Layout, with ``P`` = :func:`dispatch.infra.keys.travel_matrix_prefix`,
``V`` the data set version and point keys from :func:`solver.travel.osrm_cache.point_key`:

* ``P:V:ids`` - hash: point key -> id, and ``#gen`` -> a random generation token.
* ``P:V:<gen>:row:<origin id>`` - string: at byte ``8 * destination id``, little-endian
  ``int32`` seconds + 2 (0 = unknown, 1 = no road route) then ``int32`` metres.
* ``P:V:snap`` - hash: point key -> metres from the point to its snapped road point.

Rows expire ``ttl_seconds`` after their last write; the id hash and the snap hash are
refreshed on every read and write and live a day longer, so an id always outlives the
rows using it. Should the id hash vanish anyway (eviction), a new generation starts
and the old rows, which nobody can address any more, expire on their own.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import redis
from redis.typing import EncodableT, FieldT

from dispatch.infra import keys
from dispatch.infra.redis_conn import redis_text
from solver import CachedPairs, MatrixCache, PairBlock

_SLOT = 8
_GEN = "#gen"
_ID_MARGIN = 24 * 3600
_CLUSTER_GAP = 64
"""Destination ids closer than this many slots are read in one range."""
_BATCH = 200
"""Origins per Redis pipeline round trip."""

_ASSIGN_IDS = """
local gen = redis.call('HGET', KEYS[1], '#gen')
if not gen then
  gen = ARGV[2]
  redis.call('HSET', KEYS[1], '#gen', gen)
end
local out = {gen}
local n = redis.call('HLEN', KEYS[1]) - 1
for i = 3, #ARGV do
  local id = redis.call('HGET', KEYS[1], ARGV[i])
  if not id then
    id = n
    n = n + 1
    redis.call('HSET', KEYS[1], ARGV[i], id)
  end
  out[#out + 1] = tonumber(id)
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return out
"""

IdArray = npt.NDArray[np.int64]


def _ids_key(version: str) -> str:
    return f"{keys.travel_matrix_prefix()}:{version}:ids"


def _row_key(version: str, gen: str, origin_id: int) -> str:
    return f"{keys.travel_matrix_prefix()}:{version}:{gen}:row:{origin_id}"


def _snap_key(version: str) -> str:
    return f"{keys.travel_matrix_prefix()}:{version}:snap"


def _spans(ids: IdArray, *, gap: int) -> list[tuple[int, int, IdArray]]:
    """Group ``ids`` (>= 0) into ``(first id, last id, positions in ids)`` spans."""
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    breaks = np.flatnonzero(np.diff(sorted_ids) > gap) + 1
    spans = []
    for part in np.split(np.arange(sorted_ids.size), breaks):
        if part.size:
            spans.append((int(sorted_ids[part[0]]), int(sorted_ids[part[-1]]), order[part]))
    return spans


class RedisMatrixCache(MatrixCache):
    """A :class:`~solver.travel.osrm_cache.MatrixCache` in Redis, shared by workers and restarts.

    Parameters
    ----------
    client
        A ``redis.Redis`` client returning bytes (``decode_responses=False``).
    ttl_seconds
        Lifetime of a row of figures after its last write.
    """

    def __init__(self, client: redis.Redis, *, ttl_seconds: int = 30 * 24 * 3600) -> None:
        if ttl_seconds < 1:
            raise ValueError("ttl_seconds must be >= 1")
        if client.connection_pool.connection_kwargs.get("decode_responses"):
            raise ValueError("the travel cache needs a client with decode_responses=False")
        self.client = client
        self.ttl_seconds = ttl_seconds
        self._assign = client.register_script(_ASSIGN_IDS)

    def _get_pairs(
        self, version: str, origins: Sequence[str], destinations: Sequence[str]
    ) -> CachedPairs:
        out = CachedPairs.empty(len(origins), len(destinations))
        points = list(dict.fromkeys([*origins, *destinations]))
        raw = self.client.hmget(_ids_key(version), [_GEN, *points])
        if raw[0] is None:
            return out
        gen = redis_text(raw[0])
        id_of = {p: int(v) for p, v in zip(points, raw[1:], strict=True) if v is not None}
        self.client.expire(_ids_key(version), self.ttl_seconds + _ID_MARGIN)
        dest_ids = np.asarray([id_of.get(d, -1) for d in destinations], dtype=np.int64)
        cols = np.flatnonzero(dest_ids >= 0)
        rows = [(r, id_of[o]) for r, o in enumerate(origins) if o in id_of]
        if cols.size == 0 or not rows:
            return out
        spans = [
            (lo, hi, cols[pos], dest_ids[cols[pos]] - lo)
            for lo, hi, pos in _spans(dest_ids[cols], gap=_CLUSTER_GAP)
        ]
        for start in range(0, len(rows), _BATCH):
            batch = rows[start : start + _BATCH]
            pipe = self.client.pipeline(transaction=False)
            for _, origin_id in batch:
                key = _row_key(version, gen, origin_id)
                for lo, hi, _, _ in spans:
                    pipe.getrange(key, lo * _SLOT, (hi + 1) * _SLOT - 1)
            answers: list[Any] = pipe.execute()
            for b, (r, _) in enumerate(batch):
                for s, (lo, hi, out_cols, slots) in enumerate(spans):
                    data = bytes(answers[b * len(spans) + s] or b"")
                    data = data.ljust((hi - lo + 1) * _SLOT, b"\x00")
                    pairs = np.frombuffer(data, dtype="<i4").reshape(-1, 2)[slots]
                    known = pairs[:, 0] != 0
                    out.durations[r, out_cols] = pairs[:, 0].astype(np.int64) - 2
                    out.distances[r, out_cols] = pairs[:, 1]
                    out.known[r, out_cols] = known
        return out

    def _set_pairs(self, version: str, block: PairBlock) -> None:
        origins, destinations = block.origins, block.destinations
        gen, id_of = self._ids(version, [*origins, *destinations])
        dest_ids = np.asarray([id_of[d] for d in destinations], dtype=np.int64)
        order = np.argsort(dest_ids, kind="stable")
        sorted_ids = dest_ids[order]
        runs = np.split(np.arange(order.size), np.flatnonzero(np.diff(sorted_ids) != 1) + 1)
        packed = np.stack([block.durations + 2, block.distances], axis=-1).astype("<i4")[:, order]
        pipe = self.client.pipeline(transaction=False)
        for i, origin in enumerate(origins):
            key = _row_key(version, gen, id_of[origin])
            row = packed[i].tobytes()
            for run in runs:
                a, b = int(run[0]), int(run[-1])
                pipe.setrange(key, int(sorted_ids[a]) * _SLOT, row[a * _SLOT : (b + 1) * _SLOT])
            pipe.expire(key, self.ttl_seconds)
            if (i + 1) % _BATCH == 0:
                pipe.execute()
        pipe.execute()

    def _get_snaps(self, version: str, points: Sequence[str]) -> list[float | None]:
        values = self.client.hmget(_snap_key(version), list(points))
        self.client.expire(_snap_key(version), self.ttl_seconds + _ID_MARGIN)
        out: list[float | None] = []
        for v in values:
            try:
                out.append(None if v is None else float(v))
            except ValueError:
                out.append(None)
        return out

    def _set_snaps(self, version: str, snaps: Mapping[str, float]) -> None:
        if not snaps:
            return
        key = _snap_key(version)
        mapping: dict[FieldT, EncodableT] = {k: repr(float(m)) for k, m in snaps.items()}
        pipe = self.client.pipeline(transaction=False)
        pipe.hset(key, mapping=mapping)
        pipe.expire(key, self.ttl_seconds + _ID_MARGIN)
        pipe.execute()

    def _ids(self, version: str, keys: Sequence[str]) -> tuple[str, dict[str, int]]:
        """The generation and the ids of ``keys``, assigning ids to new keys atomically."""
        unique = list(dict.fromkeys(keys))
        answer = self._assign(
            keys=[_ids_key(version)],
            args=[self.ttl_seconds + _ID_MARGIN, secrets.token_hex(4), *unique],
        )
        gen = redis_text(answer[0])
        return gen, {k: int(i) for k, i in zip(unique, answer[1:], strict=True)}
