"""Key performance indicators for a period and region (dispatchers and admins)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import DispatcherUser, SessionDep
from api.schemas.kpis import ComplianceOut, KpiOut, PercentilesOut, RateOut, UtilisationOut
from dispatch.kpis import Rate, compute_kpis, local_period

router = APIRouter(prefix="/api/v1/kpis", tags=["kpis"])


def _rate(rate: Rate) -> RateOut:
    return RateOut(numerator=rate.numerator, denominator=rate.denominator, value=rate.value)


@router.get("", response_model=KpiOut, summary="KPIs of a period")
def kpis(
    session: SessionDep,
    _user: DispatcherUser,
    from_: Annotated[dt.date, Query(alias="from", description="First day (inclusive)")],
    to: Annotated[dt.date, Query(description="Last day (inclusive)")],
    region: Annotated[
        str | None, Query(description="Region code (days in its time zone); default: all, UTC")
    ] = None,
) -> KpiOut:
    """SLA compliance per tier, response p50/p90, first-time fix, repeats, CSAT, complaints,
    utilisation and travel per job, from stored data."""
    start, end = local_period(session=session, first_day=from_, last_day=to, region_code=region)
    report = compute_kpis(session=session, start=start, end=end, region_code=region)
    u = report.utilisation
    return KpiOut(
        start=report.start,
        end=report.end,
        region_code=report.region_code,
        tickets=report.tickets,
        sla_compliance={
            tier: ComplianceOut(response=_rate(c.response), resolution=_rate(c.resolution))
            for tier, c in report.sla_compliance.items()
        },
        response_time=PercentilesOut(**dataclasses.asdict(report.response_time)),
        emergency_response_time=PercentilesOut(
            **dataclasses.asdict(report.emergency_response_time)
        ),
        first_time_fix=_rate(report.first_time_fix),
        repeat_failures=_rate(report.repeat_failures),
        csat=_rate(report.csat),
        complaint_rate=_rate(report.complaint_rate),
        utilisation=UtilisationOut(
            on_site_minutes=u.on_site_minutes,
            travel_minutes=u.travel_minutes,
            shift_minutes=u.shift_minutes,
            jobs=u.jobs,
            value=u.value,
            travel_minutes_per_job=u.travel_minutes_per_job,
        ),
    )
