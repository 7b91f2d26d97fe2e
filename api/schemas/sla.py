"""SLA tracking lists."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from api.schemas.common import ApiModel


class SlaItemOut(ApiModel):
    """A ticket at risk of missing, or having missed, a service-level target."""

    ticket_id: int
    ticket_number: str
    priority: int
    status: str
    region_code: str
    sla_state: str = Field(examples=["at_risk"])
    target: str = Field(examples=["response"], description="response or resolution")
    due_at: dt.datetime
    predicted: dt.datetime | None = Field(
        description="Planned arrival (response) or expected finish (resolution)"
    )
    planned_arrival: dt.datetime | None
    margin_minutes: float = Field(description="Due minus predicted; negative when late")


class SlaListOut(ApiModel):
    """Tickets on an SLA list, least margin first: one page of them."""

    as_of: dt.datetime
    items: list[SlaItemOut]
    total: int = Field(description="Tickets on the list, all pages")
    limit: int
    offset: int
