"""Shared schema pieces, and the constrained types every input uses.

Every id, count, text, day and instant a client sends goes through one of these types, so
a value the database cannot hold (an id beyond 32 bits, a NUL character, the year 9999) is
refused as a 422 naming the field instead of failing deep inside as a 500.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Path, Query
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    create_model,
    field_serializer,
)

from dispatch.infra.day_clock import utc_text
from dispatch.infra.paging import Page

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

MAX_ID = 2**31 - 1
"""The largest id a row can have (PostgreSQL ``integer``)."""
MAX_OFFSET = 2**31 - 1
"""The largest page offset."""
EARLIEST_YEAR = 2000
LATEST_YEAR = 2099
"""Days and instants outside these years are refused wherever they are accepted."""


def no_nul(value: str | None) -> str | None:
    """Refuses a text with a NUL character (PostgreSQL cannot store it)."""
    if value is not None and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _sane_day(value: dt.date | None) -> dt.date | None:
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"must be in the years {EARLIEST_YEAR}..{LATEST_YEAR}")
    return value


def _sane_instant(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"must be in the years {EARLIEST_YEAR}..{LATEST_YEAR}")
    return value


Text = Annotated[str, AfterValidator(no_nul)]
"""A string without NUL characters (PostgreSQL refuses them); add a ``max_length``."""
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""The id of a row, in a body."""
Day = Annotated[dt.date, AfterValidator(_sane_day)]
"""A calendar day in a sane range of years (see also ``api.validation``)."""
Instant = Annotated[AwareDatetime, AfterValidator(_sane_instant)]
"""An instant with its UTC offset, in a sane range of years."""

IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="An id (1 .. 2^31-1)")]
"""The id of a row, in a path."""
Limit = Annotated[int, Query(ge=1, le=500, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip")]
QueryText = Annotated[str, AfterValidator(no_nul)]
"""A text in a query, without NUL characters; ``QueryText | None`` with a ``Query(max_length=...)``."""
RegionQuery = Annotated[
    QueryText | None,
    Query(max_length=32, description="Region code (sub-regions included); 404 when unknown"),
]
"""A region filter; an unknown region is a 404 naming ``region``."""
CodeQuery = Annotated[
    QueryText | None,
    Query(max_length=32, description="A code (e.g. a customer's); 404 when unknown"),
]
"""A filter by the code of a row; an unknown code is a 404 naming the parameter."""
DayQuery = Annotated[dt.date | None, AfterValidator(_sane_day)]
"""An optional day in a query."""
instant_query = AfterValidator(_sane_instant)
"""Refuses an instant in a query outside the sane years."""


class ApiModel(BaseModel):
    """Base of every API model: built from ORM objects' attributes; in JSON every instant
    is written in UTC with ``Z`` (:func:`dispatch.infra.day_clock.utc_text`), whatever offset it
    was given or computed in (days stay local days)."""

    model_config = ConfigDict(from_attributes=True)

    @field_serializer("*", mode="wrap", when_used="json")
    def _instants_in_utc(self, value: Any, handler: SerializerFunctionWrapHandler) -> Any:
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return utc_text(value)
        return handler(value)


class PlannedVisitBase(ApiModel):
    """The ticket and planned times of a visit in a route (a plan's visit, an engineer's job)."""

    ticket_id: int
    ticket_number: str
    priority: int
    status: str
    sequence: int
    planned_arrival: dt.datetime
    planned_start: dt.datetime
    planned_end: dt.datetime


class Paged(ApiModel, Generic[T]):
    """A page of items."""

    items: list[T]
    total: int
    limit: int
    offset: int


def paged(page: Page[Any], record: type[M], out: Callable[[Any], M] | None = None) -> Paged[M]:
    """The API page of ``page``: each row as a ``record``.

    Parameters
    ----------
    page
        A page of rows from a service.
    record
        The schema of one row in the answer.
    out
        How a row becomes a ``record`` (``record.model_validate`` unless given).

    Returns
    -------
    Paged
        The rows and the page's total, limit and offset.
    """
    convert = out or record.model_validate
    items = [convert(row) for row in page.items]
    return Paged[record](  # type: ignore[valid-type]
        items=items, total=page.total, limit=page.limit, offset=page.offset
    )


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


Code = Annotated[Text, Field(min_length=1, max_length=32, examples=["SH-01"])]
"""A record's short code (region, customer, engineer), as given or referred to."""
Name = Annotated[Text, Field(min_length=1, max_length=200)]
"""A human name (any script: 上海服务中心 round-trips unchanged)."""
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
ClockTime = Annotated[
    str, Field(pattern=r"^([01][0-9]|2[0-4]):[0-5][0-9]$", examples=["08:00"], description="HH:MM")
]
"""A local time of day ``HH:MM`` (``24:00`` is the end of the day)."""
Email = Annotated[Text, Field(max_length=320, examples=["li.wei@example.com"])]
Phone = Annotated[Text, Field(max_length=64, examples=["+86 21 5555 0100"])]
TextQuery = Annotated[
    QueryText | None,
    Query(max_length=100, description="Text contained in the code or name (any case)"),
]
"""A free-text filter of a list."""
CustomerQuery = Annotated[
    QueryText | None, Query(max_length=16, description="Customer code; 404 when unknown")
]
"""A customer filter (by code)."""
KindQuery = Annotated[
    QueryText | None, Query(max_length=64, description="Equipment type / skill name")
]
"""A filter by equipment type or skill."""


_DOC_ATTRIBUTES = ("title", "description", "examples", "json_schema_extra")


def patch_of(create: type[BaseModel]) -> Callable[[type[M]], type[M]]:
    """A class decorator deriving a ``...Patch`` body from its ``...Create`` body.

    The decorated class (a docstring and its config) gets every field of ``create``, with
    the same type and checks, but optional: absent or ``None`` by default, so
    ``model_dump(exclude_unset=True)`` carries only the fields to change.

    Parameters
    ----------
    create
        The body of a new record.

    Returns
    -------
    Callable
        Makes the ``Patch`` model (a subclass of the decorated class, of the same name).
    """

    def derive(cls: type[M]) -> type[M]:
        fields: dict[str, Any] = {}
        for name, info in create.model_fields.items():
            kind: Any = info.annotation
            if info.metadata:
                kind = Annotated[(kind, *info.metadata)]
            docs = {a: getattr(info, a) for a in _DOC_ATTRIBUTES if getattr(info, a) is not None}
            fields[name] = (kind | None, Field(default=None, **docs))
        return create_model(
            cls.__name__, __base__=cls, __module__=cls.__module__, __doc__=cls.__doc__, **fields
        )

    return derive
