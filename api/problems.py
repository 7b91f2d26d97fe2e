"""Errors as RFC 9457 ``application/problem+json``; the one place statuses are chosen.

Every domain error class maps to one HTTP status here. Anything unknown is logged once with
its traceback and answered with a bare 500 (no internals leak); the error stops there, so
the server keeps the client's connection open for its next request.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dispatch import errors

logger = logging.getLogger("api.errors")

PROBLEM_JSON = "application/problem+json"

STATUS_BY_ERROR: dict[type[errors.DispatchError], int] = {
    errors.NotFound: 404,
    errors.InvalidInput: 422,
    errors.TransitionNotAllowed: 409,
    errors.StalePlan: 409,
    errors.Conflict: 409,
    errors.AuthenticationFailed: 401,
    errors.PermissionDenied: 403,
    errors.ServiceUnavailable: 503,
    errors.TooManyAttempts: 429,
}

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Content Too Large",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def status_for(error: errors.DispatchError) -> int:
    """The HTTP status of a domain error (most specific class wins)."""
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


def problem(
    status: int,
    detail: str,
    *,
    type_: str = "about:blank",
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem+json response."""
    body: dict[str, Any] = {"type": type_, "title": _TITLES.get(status, "Error"), "status": status}
    body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    return ".".join(parts)


def install_problem_handlers(app: FastAPI) -> None:
    """Register the exception handlers on ``app``."""

    @app.exception_handler(errors.DispatchError)
    async def _domain(request: Request, exc: errors.DispatchError) -> JSONResponse:
        status = status_for(exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        if isinstance(exc, errors.TooManyAttempts):
            headers = {"Retry-After": str(exc.retry_after)}
        return problem(
            status,
            exc.message,
            type_=f"/problems/{exc.code}",
            instance=request.url.path,
            headers=headers,
            field=exc.field,
            code=exc.code,
            **{k: v for k, v in exc.details.items() if k not in {"type", "title", "status"}},
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        issues = [
            {
                "field": _field_path(e.get("loc", ())),
                "message": e.get("msg", ""),
                "type": e.get("type"),
            }
            for e in exc.errors()
        ]
        first = issues[0] if issues else {"field": None, "message": "invalid request"}
        return problem(
            422,
            f"{first['field']}: {first['message']}" if first["field"] else str(first["message"]),
            type_="/problems/validation",
            instance=request.url.path,
            field=first["field"],
            code="validation_error",
            errors=issues,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(
            exc.status_code,
            str(exc.detail),
            instance=request.url.path,
            headers=dict(exc.headers) if exc.headers else None,
        )

    app.add_middleware(UnhandledErrors)


class UnhandledErrors:
    """Answer any error no handler took as a logged 500 problem, and let it go no further.

    Starlette's outermost error middleware would answer too, but then re-raise the error
    to the server, which logs it a second time and closes the keep-alive connection.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app; on an unhandled error, log it and answer 500 if nothing was sent."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_tracked)
        except Exception as exc:
            if started:  # too late to answer: the server ends the response
                logger.exception("error after the response started on %s", scope["path"])
                return
            if isinstance(exc, StarletteHTTPException):
                response = problem(exc.status_code, str(exc.detail), instance=scope["path"])
            else:
                logger.exception("unhandled error on %s %s", scope["method"], scope["path"])
                response = problem(
                    500, "internal error; it has been logged", instance=scope["path"]
                )
            await response(scope, receive, send)
