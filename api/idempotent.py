"""Run a state-changing endpoint at most once per ``Idempotency-Key``."""

from __future__ import annotations

from collections.abc import Callable

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
    fingerprint = idempotency.fingerprint(
        request.method, request.url.path, body.model_dump_json().encode()
    )

    def stored() -> IdempotencyRecord | None:
        assert key is not None
        return idempotency.replay(
            session=session, user_id=user_id, key=key, request_fingerprint=fingerprint
        )

    def twin_answered() -> JSONResponse | None:
        """After a clash with a concurrent twin: its stored answer, if it committed one."""
        session.rollback()
        record = stored()
        return _replayed(record) if record is not None else None

    if key is not None and (record := stored()) is not None:
        return _replayed(record), True
    try:
        payload = work().model_dump(mode="json")
    except DispatchError:
        # A concurrent twin may have done the work while this one waited on a lock.
        if key is None or (answer := twin_answered()) is None:
            raise
        return answer, True
    if key is None:
        session.commit()
        return JSONResponse(payload), False
    idempotency.remember(
        session=session,
        user_id=user_id,
        key=key,
        request_fingerprint=fingerprint,
        status_code=200,
        response=payload,
    )
    try:
        session.commit()
    except IntegrityError:
        # A concurrent request with the same key committed first: answer as it did.
        if (answer := twin_answered()) is None:
            raise
        return answer, True
    return JSONResponse(payload), False
