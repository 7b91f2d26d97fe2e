"""KPI schemas."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from api.schemas.common import ApiModel


class RateOut(ApiModel):
    """``numerator`` of ``denominator``; ``value`` is null when nothing was counted."""

    numerator: int = Field(examples=[47])
    denominator: int = Field(examples=[50])
    value: float | None = Field(examples=[0.94])


class ComplianceOut(ApiModel):
    """Response and resolution targets met for one priority tier."""

    response: RateOut
    resolution: RateOut


class PercentilesOut(ApiModel):
    """Median and 90th percentile (nearest rank), minutes."""

    count: int = Field(examples=[50])
    p50_minutes: float | None = Field(examples=[74.0])
    p90_minutes: float | None = Field(examples=[131.5])


class UtilisationOut(ApiModel):
    """Working time (on site + travel) over shift time, and travel per job."""

    on_site_minutes: float
    travel_minutes: float
    shift_minutes: float
    jobs: int
    value: float | None = Field(examples=[0.71])
    travel_minutes_per_job: float | None = Field(examples=[22.5])


class KpiOut(ApiModel):
    """The KPIs of a period and region (definitions: ``dispatch.reporting.kpis``)."""

    start: dt.datetime = Field(description="Start of the period (inclusive)")
    end: dt.datetime = Field(description="End of the period (exclusive)")
    region_code: str | None = Field(examples=["SH-E"])
    tickets: int = Field(description="Tickets reported in the period")
    sla_compliance: dict[str, ComplianceOut] = Field(description="Per priority tier P1..P4")
    response_time: PercentilesOut
    emergency_response_time: PercentilesOut
    first_time_fix: RateOut
    repeat_failures: RateOut
    csat: RateOut = Field(description="Share of surveys scoring 4-5")
    complaint_rate: RateOut = Field(description="Complaining customers / customers")
    utilisation: UtilisationOut
