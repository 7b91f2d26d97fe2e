"""Admission control: no more API requests in flight per process than it has connections.

FastAPI runs each sync dependency (the session, the current user) and the handler as
separate hops on anyio's worker threads (40 per process), and a request keeps its session's
connection across the hops. When a burst brings more requests at once than the process has
database connections, the newcomers' threads block waiting for a connection while the
requests holding the connections wait for a free thread to run their next hop: nothing
moves until the pool's time-out, and every waiter fails with a 500.

:class:`Admission` lets at most ``limit`` API requests in at once; the others wait in the
event loop, where waiting costs no thread. With ``limit`` no larger than the connections
and the threads, every admitted request can always get both. A request that waits longer
than ``wait_seconds`` is answered 503 with ``Retry-After``, so a phone retries instead of
hanging. The event stream (long-lived, and it gives its connection back before it streams)
and everything outside ``/api/`` (health, metrics, the console's files) are not counted.
"""

from __future__ import annotations

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send

from api.problems import problem

API_PREFIX = "/api/"
EVENT_STREAM = "/api/v1/events"
RETRY_AFTER_SECONDS = 1


class Admission:
    """At most ``limit`` API requests in flight; the rest wait, up to ``wait_seconds``.

    Parameters
    ----------
    app
        The ASGI application behind this middleware.
    limit
        Requests admitted at once (at least 1).
    wait_seconds
        How long a request may wait for admission before it is answered 503.
    """

    def __init__(self, app: ASGIApp, limit: int, wait_seconds: float) -> None:
        if limit < 1:
            raise ValueError(f"admission limit must be at least 1, got {limit}")
        self.app = app
        self.limit = limit
        self.wait_seconds = wait_seconds
        self._slots: anyio.Semaphore | None = None

    def _counted(self, scope: Scope) -> bool:
        if scope["type"] != "http":
            return False
        path: str = scope["path"]
        return path.startswith(API_PREFIX) and path.rstrip("/") != EVENT_STREAM

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request once a slot is free, or answer 503 after ``wait_seconds``."""
        if not self._counted(scope):
            await self.app(scope, receive, send)
            return
        if self._slots is None:  # made in the event loop that serves the requests
            self._slots = anyio.Semaphore(self.limit)
        slots = self._slots
        admitted = False
        with anyio.move_on_after(self.wait_seconds):
            await slots.acquire()  # cancel-safe: a cancelled wait holds no slot
            admitted = True
        if not admitted:
            response = problem(
                503,
                f"the service is busy ({self.limit} requests in flight); retry shortly",
                instance=scope["path"],
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
            await response(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            slots.release()
