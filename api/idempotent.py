"""Run a state-changing endpoint at most once per ``Idempotency-Key``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dispatch.errors import DispatchError
from dispatch.infra import idempotency
from dispatch.models import IdempotencyRecord

REPLAYED_HEADER = "Idempotent-Replayed"


def _replayed(record: IdempotencyRecord) -> JSONResponse:
    return JSONResponse(
        record.response, status_code=record.status_code, headers={REPLAYED_HEADER: "true"}
    )


def run_once(
    *,
    request: Request,
    session: Session,
    user_id: int,
    key: str | None,
    body: BaseModel,
    work: Callable[[], BaseModel],
) -> tuple[JSONResponse, bool]:
    """Do ``work`` and commit, or replay the answer stored for ``key``.

    Parameters
    ----------
    request
        The request (method and path go into the fingerprint).
    session
        The request's session; committed here together with the stored answer.
    user_id
        Keys are per user.
    key
        The ``Idempotency-Key`` header, if sent.
    body
        The parsed request body (its JSON goes into the fingerprint).
    work
        Does the work in ``session`` and returns the answer.

    Returns
    -------
    tuple
        The response and whether it is a replay (then nothing was done now).

    Raises
    ------
    InvalidInput
        A malformed key, or a key reused for a different request.
    """
    once = _Once(
        session=session,
        user_id=user_id,
        key=key,
        fingerprint=idempotency.fingerprint(
            request.method, request.url.path, body.model_dump_json().encode()
        ),
    )
    if (record := once.stored()) is not None:
        return _replayed(record), True
    try:
        payload = work().model_dump(mode="json")
    except DispatchError:
        # A concurrent twin may have done the work while this one waited on a lock.
        if (answer := once.twin_answered()) is None:
            raise
        return answer, True
    return once.commit(payload)


@dataclass(frozen=True)
class _Once:
    """One request's key and fingerprint, and its stored answer (none without a key)."""

    session: Session
    user_id: int
    key: str | None
    fingerprint: str

    def stored(self) -> IdempotencyRecord | None:
        """The answer stored for the key (``None`` without a key or answer)."""
        if self.key is None:
            return None
        return idempotency.replay(
            session=self.session,
            user_id=self.user_id,
            key=self.key,
            request_fingerprint=self.fingerprint,
        )

    def twin_answered(self) -> JSONResponse | None:
        """After a clash with a concurrent twin: its stored answer, if it committed one."""
        if self.key is None:
            return None
        self.session.rollback()
        record = self.stored()
        return _replayed(record) if record is not None else None

    def commit(self, payload: Any) -> tuple[JSONResponse, bool]:
        """Commit the work with the answer stored for the key; the response and whether
        it is a replay (a twin with the same key committed first: its answer)."""
        if self.key is None:
            self.session.commit()
            return JSONResponse(payload), False
        idempotency.remember(
            session=self.session,
            user_id=self.user_id,
            key=self.key,
            request_fingerprint=self.fingerprint,
            status_code=200,
            response=payload,
        )
        try:
            self.session.commit()
        except IntegrityError:
            # A concurrent request with the same key committed first: answer as it did.
            if (answer := self.twin_answered()) is None:
                raise
            return answer, True
        return JSONResponse(payload), False
