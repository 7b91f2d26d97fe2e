"""Redis connections, created on demand from a URL (never at import time)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis

from dispatch.errors import ServiceUnavailable


def connect(url: str) -> redis.Redis:
    """A Redis client for ``url`` with sane timeouts (raises nothing until first use)."""
    return redis.Redis.from_url(
        url, socket_timeout=5, socket_connect_timeout=3, health_check_interval=30
    )


def redis_text(value: Any) -> str:
    """A value Redis answered (``bytes`` unless the client decodes) as text.

    Parameters
    ----------
    value
        A key, field, value or id from a Redis reply.

    Returns
    -------
    str
        ``value`` decoded from UTF-8 when it is ``bytes``, else ``str(value)``.
    """
    return value.decode() if isinstance(value, bytes) else str(value)


@contextmanager
def redis_required(what: str) -> Iterator[None]:
    """Turn a Redis failure inside the block into :class:`~dispatch.errors.ServiceUnavailable`.

    Parameters
    ----------
    what
        What needed Redis, for the message (e.g. ``"live events"``).

    Raises
    ------
    ServiceUnavailable
        Redis could not be reached, timed out or refused the command.
    """
    try:
        yield
    except redis.RedisError as exc:
        raise ServiceUnavailable(
            f"{what} are unavailable for now (Redis: {type(exc).__name__}); retry shortly"
        ) from exc
