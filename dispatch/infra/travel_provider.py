"""The travel-time provider the settings choose, with road matrices cached where possible."""

from __future__ import annotations

import redis

from dispatch.infra.settings import Settings
from solver.travel import TravelTimeProvider
from solver.travel_spec import provider_from_spec


def travel_provider(settings: Settings, client: redis.Redis | None) -> TravelTimeProvider:
    """Build the provider ``settings.travel`` names.

    ``haversine`` and ``geodesic`` use the straight-line model of the settings;
    ``osrm:DATA_DIR`` routes in-process and ``http(s)://...`` asks an ``osrm-routed``
    server; both cache pairs in Redis when it is configured (else in memory) and fall back
    to straight lines, saying so in the matrix, when OSRM fails.
    """
    spec = settings.travel.strip()
    if spec.startswith(("osrm:", "http://", "https://")):
        from solver.osrm import OsrmProvider
        from solver.osrm_cache import InMemoryMatrixCache, MatrixCache
        from solver.travel import HaversineProvider

        cache: MatrixCache
        if client is not None:
            from dispatch.infra.travel_cache import RedisMatrixCache

            cache = RedisMatrixCache(client)
        else:
            cache = InMemoryMatrixCache()
        fallback = HaversineProvider(speed_kmh=settings.speed_kmh, circuity=settings.circuity)
        if spec.startswith("osrm:"):
            return OsrmProvider.local(spec.removeprefix("osrm:"), cache=cache, fallback=fallback)
        return OsrmProvider.http(spec, cache=cache, fallback=fallback)
    return provider_from_spec(spec, speed_kmh=settings.speed_kmh, circuity=settings.circuity)
