"""Engineers' last known positions: Redis GEO with a TTL, or an in-memory store.

The mobile app pings positions; an in-day re-plan starts each engineer from the last
fresh one. Each ping expires after ``settings.location_ttl_seconds``.

Redis GEO indexes latitudes within about +/-85.05 degrees only (Web Mercator): a position
nearer a pole is kept (``get``) but left out of the proximity index. The Redis store raises
:class:`~dispatch.errors.ServiceUnavailable` while Redis is unavailable.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

import redis

from dispatch.infra import keys
from dispatch.infra.day_clock import utc_text
from dispatch.infra.redis_conn import redis_required, redis_text

logger = logging.getLogger(__name__)

GEO_MAX_LAT = 85.05112878
"""The largest latitude Redis GEO accepts (GEOADD refuses beyond it)."""


@dataclass(frozen=True)
class Position:
    """An engineer's last known position."""

    lat: float
    lon: float
    at: dt.datetime


class PositionStore(Protocol):
    """Where positions are kept."""

    def record(
        self, engineer_id: int, position: Position, *, accuracy_m: float | None = None
    ) -> None:
        """Store the newest position of an engineer."""
        ...

    def get(self, engineer_id: int) -> Position | None:
        """The engineer's fresh position, if any."""
        ...

    def all_positions(self) -> dict[int, Position]:
        """Every engineer's fresh position."""
        ...

    def near(self, lat: float, lon: float, radius_m: float) -> list[tuple[int, float]]:
        """Engineers within ``radius_m`` of a point, nearest first, with distances (m)."""
        ...


class RedisPositionStore:
    """A GEO set for proximity plus one expiring hash per engineer (the TTL)."""

    def __init__(self, client: redis.Redis, ttl_seconds: int) -> None:
        self._client = client
        self._ttl = ttl_seconds

    def record(
        self, engineer_id: int, position: Position, *, accuracy_m: float | None = None
    ) -> None:
        """GEOADD plus a hash with time and accuracy that expires after the TTL.

        A latitude beyond :data:`GEO_MAX_LAT` is kept in the hash only (and the engineer's
        older entry leaves the GEO index): Redis GEO cannot index it.

        Raises
        ------
        ServiceUnavailable
            Redis is unavailable.
        """
        meta_key = keys.engineer_position_meta(engineer_id)
        pipe = self._client.pipeline()
        if abs(position.lat) <= GEO_MAX_LAT:
            pipe.geoadd(keys.engineer_positions(), (position.lon, position.lat, str(engineer_id)))
        else:
            logger.warning(
                "engineer %s at latitude %s: beyond Redis GEO's range, kept out of the "
                "proximity index",
                engineer_id,
                position.lat,
            )
            pipe.zrem(keys.engineer_positions(), str(engineer_id))
        pipe.hset(
            meta_key,
            mapping={
                "lat": position.lat,
                "lon": position.lon,
                "at": utc_text(position.at),
                "accuracy_m": "" if accuracy_m is None else accuracy_m,
            },
        )
        pipe.expire(meta_key, self._ttl)
        with redis_required("positions"):
            pipe.execute()

    def _decode(self, raw: dict[Any, Any]) -> Position | None:
        if not raw:
            return None
        get = {redis_text(k): redis_text(v) for k, v in raw.items()}
        return Position(float(get["lat"]), float(get["lon"]), dt.datetime.fromisoformat(get["at"]))

    def get(self, engineer_id: int) -> Position | None:
        """The engineer's position while its hash lives."""
        with redis_required("positions"):
            raw: Any = self._client.hgetall(keys.engineer_position_meta(engineer_id))
        return self._decode(raw)

    def all_positions(self) -> dict[int, Position]:
        """Fresh positions; members whose hash expired are pruned from the GEO set."""
        with redis_required("positions"):
            members: Any = self._client.zrange(keys.engineer_positions(), 0, -1)
        result: dict[int, Position] = {}
        stale: list[Any] = []
        for member in members:
            engineer_id = int(member)
            position = self.get(engineer_id)
            if position is None:
                stale.append(member)
            else:
                result[engineer_id] = position
        if stale:
            with redis_required("positions"):
                self._client.zrem(keys.engineer_positions(), *stale)
        return result

    def near(self, lat: float, lon: float, radius_m: float) -> list[tuple[int, float]]:
        """GEOSEARCH by radius, fresh positions only."""
        with redis_required("positions"):
            found: Any = self._client.geosearch(
                keys.engineer_positions(),
                longitude=lon,
                latitude=lat,
                radius=radius_m,
                unit="m",
                withdist=True,
                sort="ASC",
            )
        fresh = self.all_positions()
        return [(int(m), float(d)) for m, d in found if int(m) in fresh]


class MemoryPositionStore:
    """Positions in this process (embedded mode), with the same TTL."""

    def __init__(self, ttl_seconds: int) -> None:
        self._ttl = ttl_seconds
        self._items: dict[int, tuple[float, Position]] = {}
        self._lock = threading.Lock()

    def record(
        self, engineer_id: int, position: Position, *, accuracy_m: float | None = None
    ) -> None:
        """Store the position with its expiry."""
        with self._lock:
            self._items[engineer_id] = (time.monotonic() + self._ttl, position)

    def get(self, engineer_id: int) -> Position | None:
        """The position until it expires."""
        with self._lock:
            item = self._items.get(engineer_id)
            if item is None or item[0] < time.monotonic():
                self._items.pop(engineer_id, None)
                return None
            return item[1]

    def all_positions(self) -> dict[int, Position]:
        """Every unexpired position."""
        with self._lock:
            ids = list(self._items)
        return {i: p for i in ids if (p := self.get(i)) is not None}

    def near(self, lat: float, lon: float, radius_m: float) -> list[tuple[int, float]]:
        """Engineers within the radius by geodesic distance, nearest first."""
        from geopy.distance import geodesic

        found = [
            (i, float(geodesic((lat, lon), (p.lat, p.lon)).meters))
            for i, p in self.all_positions().items()
        ]
        return sorted((x for x in found if x[1] <= radius_m), key=lambda x: x[1])
