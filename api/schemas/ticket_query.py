"""The query parameters of the ticket list (``GET /tickets``), as one dependency."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator

from api.schemas.common import CodeQuery, DayQuery, Limit, Offset, RegionQuery, no_nul
from dispatch.models import SlaState, TicketStatus
from dispatch.tickets.filters import DEFAULT_SORT, SORT_FIELDS


@dataclass(frozen=True)
class TicketListQuery:
    """What ``GET /tickets`` was asked for (``from_`` is the ``from`` parameter)."""

    status: TicketStatus | None
    tier: int | None
    region: str | None
    sla_state: SlaState | None
    from_: dt.date | None
    to: dt.date | None
    customer: str | None
    engineer: str | None
    q: str | None
    sort: str | None
    limit: int
    offset: int


def ticket_list_query(
    status_: Annotated[TicketStatus | None, Query(alias="status")] = None,
    tier: Annotated[int | None, Query(ge=1, le=4, description="Priority tier 1..4")] = None,
    region: RegionQuery = None,
    sla_state: SlaState | None = None,
    from_: Annotated[
        DayQuery, Query(alias="from", description="Reported on or after this local day")
    ] = None,
    to: Annotated[DayQuery, Query(description="Reported on or before this local day")] = None,
    customer: CodeQuery = None,
    engineer: Annotated[
        str | None,
        Query(max_length=32, description="Engineer code: the tickets assigned to them now"),
        AfterValidator(no_nul),
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=100,
            description="Free text: start of the number or external reference, or any "
            "part of the symptoms (case-insensitive)",
        ),
        AfterValidator(no_nul),
    ] = None,
    sort: Annotated[
        str | None,
        Query(
            max_length=200,
            description=f"Comma-separated fields, '-' for descending, of: "
            f"{', '.join(SORT_FIELDS)}; default {DEFAULT_SORT}",
            examples=["priority,-reported_at"],
        ),
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> TicketListQuery:
    """The ticket list's query parameters (a FastAPI dependency)."""
    return TicketListQuery(
        status=status_, tier=tier, region=region, sla_state=sla_state, from_=from_, to=to,
        customer=customer, engineer=engineer, q=q, sort=sort, limit=limit, offset=offset,
    )  # fmt: skip
