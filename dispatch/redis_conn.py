"""Redis connections, created on demand from a URL (never at import time)."""

from __future__ import annotations

import redis


def connect(url: str) -> redis.Redis:
    """A Redis client for ``url`` with sane timeouts (raises nothing until first use)."""
    return redis.Redis.from_url(
        url, socket_timeout=5, socket_connect_timeout=3, health_check_interval=30
    )
