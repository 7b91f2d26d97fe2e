"""Password hashing (argon2) and signed access tokens (JWT, HS256)."""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from dataclasses import dataclass

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from dispatch.errors import AuthenticationFailed

_ALGORITHM = "HS256"
_MAX_USER_ID = 2**31 - 1
_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
"""argon2id with the OWASP minimum parameters (19 MiB, 2 passes)."""


def hash_password(password: str) -> str:
    """Hash ``password`` with argon2id."""
    return _hasher.hash(password)


@functools.cache
def _dummy_hash() -> str:
    """An argon2id hash of a random secret, with the same cost as real ones (made once)."""
    return _hasher.hash(secrets.token_urlsafe(24))


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``.

    ``None`` (no such user) is checked against a dummy hash of the same cost and is never
    a match: an unknown user name takes as long to refuse as a wrong password, so the
    answer's timing does not tell which user names exist.
    """
    try:
        if password_hash is None:
            _hasher.verify(_dummy_hash(), password)
            return False
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a valid access token says about its bearer."""

    user_id: int
    role: str
    expires_at: dt.datetime


def create_access_token(
    *, user_id: int, role: str, secret: str, minutes: int, now: dt.datetime | None = None
) -> str:
    """Sign a token for ``user_id`` valid for ``minutes``."""
    issued = now or dt.datetime.now(dt.UTC)
    payload = {
        "sub": str(user_id),
        "role": role,
        "iat": int(issued.timestamp()),
        "exp": int((issued + dt.timedelta(minutes=minutes)).timestamp()),
    }
    return jwt.encode(payload, secret, algorithm=_ALGORITHM)


def decode_access_token(token: str, *, secret: str) -> TokenClaims:
    """Verify the signature and expiry of ``token``.

    Raises
    ------
    AuthenticationFailed
        When the token is malformed, forged or expired.
    """
    try:
        payload = jwt.decode(
            token, secret, algorithms=[_ALGORITHM], options={"require": ["exp", "sub"]}
        )
        user_id = int(payload["sub"])
        if not 1 <= user_id <= _MAX_USER_ID:
            raise ValueError("sub out of range")
        return TokenClaims(
            user_id=user_id,
            role=str(payload.get("role", "")),
            expires_at=dt.datetime.fromtimestamp(int(payload["exp"]), dt.UTC),
        )
    except jwt.ExpiredSignatureError as exc:
        raise AuthenticationFailed("access token expired") from exc
    except (jwt.PyJWTError, ValueError, KeyError) as exc:
        raise AuthenticationFailed("invalid access token") from exc
