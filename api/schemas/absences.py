"""Engineers' absences: the body of a new one and what the API returns."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import ApiModel, Instant, Text


class AbsenceIn(BaseModel):
    """A period an engineer cannot work (instants with their UTC offset)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "start": "2026-11-24T12:00:00+08:00",
                    "end": "2026-11-24T18:00:00+08:00",
                    "reason": "sick",
                    "note": "called in at 11:40",
                }
            ]
        },
    )

    start: Instant
    end: Instant
    reason: Literal["sick", "leave", "training", "other"]
    note: Annotated[Text, Field(max_length=500)] | None = None


class AbsenceOut(ApiModel):
    """An absence (``cancelled_at`` set once cancelled; the row is kept)."""

    id: int
    engineer_id: int
    engineer_code: str = ""
    start: dt.datetime
    end: dt.datetime
    reason: str
    note: str | None
    created_at: dt.datetime
    created_by_id: int | None
    cancelled_at: dt.datetime | None


class AbsenceCreatedOut(AbsenceOut):
    """A new absence and what it did to the published plans."""

    released_ticket_ids: list[int] = Field(
        default_factory=list,
        description="Visits sent back to the pool (reason ENGINEER_ABSENT in the new plan)",
    )
    plan_ids: list[int] = Field(
        default_factory=list, description="The plans published without those visits"
    )
    reoptimization_ids: list[int] = Field(
        default_factory=list, description="In-day re-optimisations queued for those days"
    )
