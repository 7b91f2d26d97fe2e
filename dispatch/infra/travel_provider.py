"""The travel-time provider the settings choose, with road matrices cached where possible."""

from __future__ import annotations

import redis

from dispatch.infra.settings import Settings
from solver import (
    InMemoryMatrixCache,
    MatrixCache,
    TravelTimeProvider,
    parse_spec,
    provider_from_spec,
)


def travel_provider(settings: Settings, client: redis.Redis | None) -> TravelTimeProvider:
    """Build the provider ``settings.travel`` names.

    ``haversine`` and ``geodesic`` use the straight-line model of the settings;
    ``osrm:DATA_DIR`` routes in-process and ``http(s)://...`` asks an ``osrm-routed``
    server; both cache pairs in Redis when it is configured (else in memory) and fall back
    to straight lines, saying so in the matrix, when OSRM fails. The spec is read by the
    solver's one parser (:func:`solver.parse_spec`).
    """
    cache: MatrixCache | None = None
    if parse_spec(settings.travel).road:
        if client is not None:
            from dispatch.infra.travel_cache import RedisMatrixCache

            cache = RedisMatrixCache(client)
        else:
            cache = InMemoryMatrixCache()
    return provider_from_spec(
        settings.travel, speed_kmh=settings.speed_kmh, circuity=settings.circuity, cache=cache
    )
