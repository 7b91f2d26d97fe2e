"""Live events as Server-Sent Events, resumable with ``Last-Event-ID``."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from functools import partial
from typing import Annotated

import anyio
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from api.deps import RuntimeDep, SessionDep, SettingsDep, get_current_user
from api.schemas.common import Problem
from dispatch.errors import ServiceUnavailable
from dispatch.events import Event
from dispatch.models import Role, User

router = APIRouter(prefix="/api/v1", tags=["live events"])

EVENT_ID = r"^[0-9]{1,20}(-[0-9]{1,20})?$"
"""The form of an event id (a Redis stream id: milliseconds, sequence)."""
BLOCK_MS = 15_000
"""How long one read waits for events before a keep-alive comment is sent."""


def visible_to(user: User, event: Event) -> bool:
    """Dispatchers and admins see everything; an engineer sees events about themselves."""
    if user.role != Role.ENGINEER.value:
        return True
    data = event.data
    if data.get("engineer_id") == user.engineer_id:
        return True
    engineers = data.get("engineer_ids")
    return isinstance(engineers, list) and user.engineer_id in engineers


def format_event(event: Event) -> str:
    """One SSE message."""
    return f"id: {event.id}\nevent: {event.kind}\ndata: {json.dumps(event.data, default=str)}\n\n"


@router.get(
    "/events",
    summary="Live events (Server-Sent Events)",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "An endless event stream"},
        503: {"model": Problem, "description": "The event stream (Redis) is unavailable"},
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
) -> StreamingResponse:
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

    async def stream() -> AsyncIterator[str]:
        cursor = start
        yield f"retry: 3000\n: connected, resuming after {cursor}\n\n"
        while not await request.is_disconnected():
            try:
                batch = await anyio.to_thread.run_sync(partial(bus.read, cursor, block_ms=BLOCK_MS))
            except ServiceUnavailable:
                return  # the client reconnects with its last id once Redis is back
            if not batch:
                yield ": keep-alive\n\n"
                continue
            for event in batch:
                cursor = event.id
                if visible_to(user, event):
                    yield format_event(event)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
