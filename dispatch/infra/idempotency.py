"""``Idempotency-Key``: a retried request gets the first answer instead of acting twice.

The API edge looks a key up before doing the work (:func:`replay`) and stores the answer
in the same transaction as the work (:func:`remember`), so the answer exists exactly when
the work was committed. Two concurrent requests with one key collide on the unique
``(user_id, key)`` constraint; the loser rolls back and replays the winner's answer.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.errors import InvalidInput
from dispatch.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


def fingerprint(method: str, path: str, body: bytes) -> str:
    """The digest that tells whether a retry is the same request."""
    h = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), body):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


def check_key(key: str) -> str:
    """Validate a client's key (1..200 visible ASCII characters).

    Raises
    ------
    InvalidInput
        An empty, too long or non-printable key (field ``Idempotency-Key``).
    """
    if not key or len(key) > MAX_KEY_LENGTH or not all(33 <= ord(c) <= 126 for c in key):
        raise InvalidInput(
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} visible ASCII characters", field=HEADER
        )
    return key


def replay(
    *, session: Session, user_id: int, key: str, request_fingerprint: str
) -> IdempotencyRecord | None:
    """The stored answer for ``key``, if this user sent it before.

    Raises
    ------
    InvalidInput
        The key was used before for a different request (field ``Idempotency-Key``).
    """
    record = session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == check_key(key)
        )
    )
    if record is not None and record.fingerprint != request_fingerprint:
        raise InvalidInput(
            f"this {HEADER} was already used for a different request; use a new key",
            field=HEADER,
        )
    return record


def remember(
    *,
    session: Session,
    user_id: int,
    key: str,
    request_fingerprint: str,
    status_code: int,
    response: dict[str, Any],
) -> None:
    """Store the answer to a request sent with ``key`` (the caller commits with the work)."""
    session.add(
        IdempotencyRecord(
            user_id=user_id,
            key=check_key(key),
            fingerprint=request_fingerprint,
            status_code=status_code,
            response=response,
        )
    )
