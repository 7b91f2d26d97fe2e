"""Request hygiene before any route runs: bounded bodies, empty query values as absent.

- :class:`BodyLimit`: a body larger than ``DISPATCH_MAX_BODY_BYTES`` is refused with a 413
  problem, from its ``Content-Length`` when it declares one, else as its bytes stream in.
  Paths given their own limit (uploads: ``DISPATCH_MAX_IMPORT_BYTES`` for ``/api/v1/imports``)
  use it instead.
- :class:`EmptyQueryAsAbsent`: ``?status=`` means the same as no ``status`` at all.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with a 413 problem."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, per_path: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.per_path = per_path or {}

    def _too_large(self, limit: int) -> str:
        return f"the request body is larger than {limit} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length, then count the bytes the app reads."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.per_path.get(scope["path"].rstrip("/"), self.max_bytes)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            response = problem(413, self._too_large(limit), instance=scope["path"])
            await response(scope, receive, send)
            return
        seen = 0

        async def receive_counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, self._too_large(limit))
            return message

        await self.app(scope, receive_counted, send)


class EmptyQueryAsAbsent:
    """Drop query parameters without a value (``?status=`` or ``?status``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Rewrite the query string without its empty parameters."""
        query: bytes = scope.get("query_string", b"") if scope["type"] == "http" else b""
        if query:
            kept = [part for part in query.split(b"&") if part.partition(b"=")[2]]
            if len(kept) != query.count(b"&") + 1:
                scope = dict(scope, query_string=b"&".join(kept))
        await self.app(scope, receive, send)
