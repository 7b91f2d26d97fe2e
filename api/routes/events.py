"""Live events as Server-Sent Events (``sse-starlette``), resumable with ``Last-Event-ID``.

``sse-starlette`` writes the messages, pings idle streams, ends a stream when its client
disconnects or the server shuts down; this module reads the bus and filters what each user
may see.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from functools import partial
from typing import Annotated

import anyio
from fastapi import APIRouter, Header, Query, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from api.deps import RuntimeDep, SessionDep, SettingsDep, get_current_user
from api.openapi import problem_responses
from dispatch.errors import ServiceUnavailable
from dispatch.infra.bus import Event
from dispatch.models import Role, User

router = APIRouter(prefix="/api/v1", tags=["live events"])

EVENT_ID = r"^[0-9]{1,20}(-[0-9]{1,20})?$"
"""The form of an event id (a Redis stream id: milliseconds, sequence)."""
BLOCK_MS = 4_000
"""How long one read of the bus waits for events (the stream then reads again)."""
PING_SECONDS = 15
"""An idle stream gets a ping comment this often (proxies close silent connections)."""
RETRY_MS = 3_000
"""How long a browser waits before reconnecting a lost stream."""


def visible_to(user: User, event: Event) -> bool:
    """Dispatchers and admins see everything; an engineer sees events about themselves."""
    if user.role != Role.ENGINEER.value:
        return True
    data = event.data
    if data.get("engineer_id") == user.engineer_id:
        return True
    engineers = data.get("engineer_ids")
    return isinstance(engineers, list) and user.engineer_id in engineers


def server_sent(event: Event) -> ServerSentEvent:
    """One SSE message: the event's id, kind and JSON data."""
    return ServerSentEvent(
        data=json.dumps(event.data, default=str), event=event.kind, id=event.id, sep="\n"
    )


@router.get(
    "/events",
    summary="Live events (Server-Sent Events)",
    response_class=EventSourceResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "An endless event stream"},
        **problem_responses(503, d503="The event stream (Redis) is unavailable"),
    },
)
async def events(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    settings: SettingsDep,
    last_event_id: Annotated[
        str | None, Header(alias="Last-Event-ID", max_length=41, pattern=EVENT_ID)
    ] = None,
    last_event_id_query: Annotated[
        str | None, Query(alias="last_event_id", max_length=41, pattern=EVENT_ID)
    ] = None,
    access_token: Annotated[
        str | None, Query(description="Token for EventSource clients", max_length=4096)
    ] = None,
) -> EventSourceResponse:
    """Plan published, ticket status changed, SLA at risk / breached, check-ins (flagged).

    Reconnect with the ``Last-Event-ID`` header (or ``?last_event_id=``) to get what was
    missed. Browsers' ``EventSource`` cannot send headers: pass ``?access_token=``.
    503 while the stream is unavailable (events keep being stored and arrive afterwards);
    a stream that loses Redis ends, and the client reconnects with its last id.
    """
    token = access_token
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:]
    user = get_current_user(session, settings, token)
    session.expunge(user)
    bus = runtime.bus
    newest = bus.last_id()  # ServiceUnavailable (503) while Redis is down
    start = last_event_id or last_event_id_query or newest

    async def stream() -> AsyncIterator[ServerSentEvent]:
        cursor = start
        yield ServerSentEvent(
            comment=f"connected, resuming after {cursor}", retry=RETRY_MS, sep="\n"
        )
        while True:  # ends when the client disconnects (sse-starlette cancels it)
            read = partial(bus.read, cursor, block_ms=BLOCK_MS)
            try:
                batch = await anyio.to_thread.run_sync(read, abandon_on_cancel=True)
            except ServiceUnavailable:
                return  # the client reconnects with its last id once Redis is back
            for event in batch:
                cursor = event.id
                if visible_to(user, event):
                    yield server_sent(event)

    return EventSourceResponse(
        stream(),
        ping=PING_SECONDS,
        sep="\n",
        headers={"Cache-Control": "no-cache"},
    )
