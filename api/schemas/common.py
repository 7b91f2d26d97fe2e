"""Shared schema pieces."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T")


class ApiModel(BaseModel):
    """Base of response models: built from ORM objects' attributes."""

    model_config = ConfigDict(from_attributes=True)


class Paged(ApiModel, Generic[T]):
    """A page of items."""

    items: list[T]
    total: int
    limit: int
    offset: int


class Problem(BaseModel):
    """An RFC 9457 problem document (``application/problem+json``).

    Besides the standard members it carries ``field`` (the input at fault), ``code`` (the
    error's kind) and facts of the case: ``errors`` (every invalid input), ``changes``
    (what made a plan stale), ``ticket_status`` and ``allowed`` (a refused transition),
    ``reasons`` and ``suggestion`` (an emergency that fits nowhere).
    """

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "/problems/transition_not_allowed",
                    "title": "Conflict",
                    "status": 409,
                    "detail": "cannot arrive a ticket that is triaged; allowed now: schedule",
                    "instance": "/api/v1/tickets/42/transitions",
                    "field": "action",
                    "code": "transition_not_allowed",
                    "ticket_status": "triaged",
                    "allowed": ["schedule", "dispatch"],
                }
            ]
        },
    )

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    field: str | None = None
    code: str | None = None
    errors: list[dict[str, Any]] | None = None
