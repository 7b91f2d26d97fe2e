"""Throttling log-ins: so many failures per user name and per client address, then wait.

Each log-in attempt is counted *before* the password is checked (so a burst of parallel
guesses cannot all pass the check) in a sliding window per user name and per address;
a success takes its own attempt back and clears the user name's count. When either count
has reached its limit the attempt is refused with :class:`~dispatch.errors.TooManyAttempts`
(``retry_after`` seconds until the oldest counted attempt leaves the window) without
looking at the password. The counts live in Redis when configured (sorted sets of
attempt instants, key names in :mod:`dispatch.infra.keys`, updated atomically by one script),
else in this process; a Redis error falls back to the process's counts rather than
letting guesses through unthrottled. Instants come from the caller's clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
import secrets
import threading
from collections import deque
from dataclasses import dataclass
from typing import Protocol

import redis
from sqlalchemy.orm import Session

from dispatch.errors import TooManyAttempts
from dispatch.infra import keys
from dispatch.models import User
from dispatch.org.users import authenticate

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``attempts`` failed log-ins per ``window_seconds`` for one key."""

    key: str
    attempts: int
    window_seconds: int


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    """The throttle's limits (from settings)."""

    per_user: int = 5
    per_address: int = 20
    window_seconds: int = 15 * 60

    def limits(self, username: str, address: str | None) -> list[Limit]:
        """The limits one attempt counts against (the user name is case-folded and hashed)."""
        name = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
        out = [Limit(keys.login_failures_user(name), self.per_user, self.window_seconds)]
        if address:
            out.append(
                Limit(keys.login_failures_address(address), self.per_address, self.window_seconds)
            )
        return out


class AttemptStore(Protocol):
    """Where attempts are counted."""

    def take(self, limits: list[Limit], now: float, token: str) -> float:
        """Count an attempt under every limit; 0, or seconds to wait when one is reached
        (then nothing is counted)."""

    def give_back(self, limits: list[Limit], token: str, *, clear_first: bool) -> None:
        """Take the attempt ``token`` back (a success); ``clear_first`` clears the first key."""


class MemoryAttemptStore:
    """Attempts counted in this process (the fallback without Redis)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._attempts: dict[str, deque[tuple[float, str]]] = {}

    def _prune(self, key: str, window: int, now: float) -> deque[tuple[float, str]]:
        attempts = self._attempts.setdefault(key, deque())
        while attempts and attempts[0][0] <= now - window:
            attempts.popleft()
        return attempts

    def take(self, limits: list[Limit], now: float, token: str) -> float:
        """Count an attempt under every limit; 0, or seconds to wait."""
        with self._lock:
            if len(self._attempts) > 10_000:  # forget keys whose attempts all expired
                window = max(limit.window_seconds for limit in limits)
                for key in [
                    k for k, v in self._attempts.items() if not v or v[-1][0] <= now - window
                ]:
                    del self._attempts[key]
            wait = 0.0
            for limit in limits:
                attempts = self._prune(limit.key, limit.window_seconds, now)
                if len(attempts) >= limit.attempts:
                    wait = max(wait, attempts[0][0] + limit.window_seconds - now)
            if wait > 0:
                return wait
            for limit in limits:
                self._attempts[limit.key].append((now, token))
            return 0.0

    def give_back(self, limits: list[Limit], token: str, *, clear_first: bool) -> None:
        """Take the attempt back; ``clear_first`` forgets the first key's attempts."""
        with self._lock:
            for i, limit in enumerate(limits):
                attempts = self._attempts.get(limit.key)
                if attempts is None:
                    continue
                if i == 0 and clear_first:
                    attempts.clear()
                else:
                    kept = [a for a in attempts if a[1] != token]
                    attempts.clear()
                    attempts.extend(kept)


_TAKE = """
local wait = 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 + (i - 1) * 2])
  local window = tonumber(ARGV[3 + (i - 1) * 2])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', tonumber(ARGV[1]) - window)
  if redis.call('ZCARD', key) >= limit then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    local w = tonumber(oldest[2]) + window - tonumber(ARGV[1])
    if w > wait then wait = w end
  end
end
if wait > 0 then return tostring(wait) end
for i, key in ipairs(KEYS) do
  local window = tonumber(ARGV[3 + (i - 1) * 2])
  redis.call('ZADD', key, ARGV[1], ARGV[#ARGV])
  redis.call('EXPIRE', key, window)
end
return '0'
"""


class RedisAttemptStore:
    """Attempts counted in Redis: sorted sets of attempt instants, one script per attempt."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client
        self._take = client.register_script(_TAKE)

    def take(self, limits: list[Limit], now: float, token: str) -> float:
        """Count an attempt under every limit; 0, or seconds to wait."""
        args: list[str | float | int] = [now]
        for limit in limits:
            args += [limit.attempts, limit.window_seconds]
        args.append(token)
        result = self._take(keys=[limit.key for limit in limits], args=args)
        return float(result.decode() if isinstance(result, bytes) else result)

    def give_back(self, limits: list[Limit], token: str, *, clear_first: bool) -> None:
        """Take the attempt back; ``clear_first`` deletes the first key."""
        pipe = self._client.pipeline()
        for i, limit in enumerate(limits):
            if i == 0 and clear_first:
                pipe.delete(limit.key)
            else:
                pipe.zrem(limit.key, token)
        pipe.execute()


class LoginThrottle:
    """Counts log-in attempts in Redis (when given) or in this process.

    Parameters
    ----------
    policy
        The limits.
    client
        Redis; ``None`` counts in this process only.
    """

    def __init__(self, policy: LoginPolicy, client: redis.Redis | None = None) -> None:
        self.policy = policy
        self._memory = MemoryAttemptStore()
        self._redis = RedisAttemptStore(client) if client is not None else None

    def _store(self) -> AttemptStore:
        return self._redis if self._redis is not None else self._memory

    def take(self, limits: list[Limit], now: dt.datetime) -> str:
        """Count an attempt; its token, to give it back on success.

        Raises
        ------
        TooManyAttempts
            A limit is reached; ``retry_after`` says how long to wait (whole seconds).
        """
        token = secrets.token_hex(8)
        instant = now.timestamp()
        try:
            wait = self._store().take(limits, instant, token)
        except redis.RedisError:
            logger.warning("login throttle: Redis unavailable, counting in this process")
            wait = self._memory.take(limits, instant, token)
        if wait > 0:
            raise TooManyAttempts(
                "too many failed log-ins; try again later",
                field="username",
                retry_after=max(1, math.ceil(wait)),
            )
        return token

    def succeeded(self, limits: list[Limit], token: str) -> None:
        """A log-in succeeded: its attempt does not count, the user name starts afresh."""
        for store in (self._redis, self._memory):
            if store is None:
                continue
            try:
                store.give_back(limits, token, clear_first=True)
            except redis.RedisError:
                logger.warning("login throttle: Redis unavailable, could not clear a count")


def log_in(
    *,
    session: Session,
    throttle: LoginThrottle,
    username: str,
    password: str,
    address: str | None,
    now: dt.datetime,
) -> User:
    """Check credentials under the throttle.

    Parameters
    ----------
    session
        Open session (read only).
    throttle
        The process's throttle.
    username, password
        The credentials.
    address
        The client's address (``None``: counted per user name only).
    now
        The current instant.

    Raises
    ------
    TooManyAttempts
        Too many failures for the user name or the address within the window; the
        password was not checked.
    AuthenticationFailed
        Wrong credentials (counted).
    """
    limits = throttle.policy.limits(username, address)
    token = throttle.take(limits, now)
    user = authenticate(session=session, username=username, password=password)
    throttle.succeeded(limits, token)  # a failure raised above: its attempt stays counted
    return user
