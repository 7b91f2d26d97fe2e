"""Key performance indicators for a period and region (dispatchers and admins)."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import DispatcherUser, RuntimeDep, SessionDep
from api.openapi import problem_responses
from api.schemas.common import Day, RegionQuery
from api.schemas.kpis import ComplianceOut, KpiOut, PercentilesOut, RateOut, UtilisationOut
from api.validation import MAX_RANGE_DAYS, check_period
from dispatch.infra.day_clock import local_day
from dispatch.reporting.kpis import Rate, compute_kpis, local_period, period_zone

router = APIRouter(prefix="/api/v1/kpis", tags=["kpis"])


def _rate(rate: Rate) -> RateOut:
    return RateOut(numerator=rate.numerator, denominator=rate.denominator, value=rate.value)


@router.get(
    "",
    response_model=KpiOut,
    summary="KPIs of a period",
    responses=problem_responses(404, 422),
)
def kpis(
    session: SessionDep,
    runtime: RuntimeDep,
    _user: DispatcherUser,
    from_: Annotated[
        Day | None, Query(alias="from", description="First day (inclusive); default today")
    ] = None,
    to: Annotated[
        Day | None,
        Query(
            description=f"Last day (inclusive; default: the first day); at most "
            f"{MAX_RANGE_DAYS} days in all"
        ),
    ] = None,
    region: RegionQuery = None,
) -> KpiOut:
    """SLA compliance per tier, response p50/p90, first-time fix, repeats, CSAT, complaints,
    utilisation and travel per job, from stored data. Days are the region's local days;
    without a region, all regions over headquarters' local days. Without ``from`` the
    period is ``to``'s day, else today (that zone's today); without ``to`` it is ``from``'s day.

    The period covers at most 92 days within a year of today (else 422 naming ``from`` or
    ``to``)."""
    if from_ is None:
        zone = period_zone(session=session, region_code=region)
        from_ = to or local_day(runtime.clock(), zone)
    to = to or from_
    check_period(from_, to, now=runtime.clock())
    start, end = local_period(session=session, first_day=from_, last_day=to, region_code=region)
    report = compute_kpis(session=session, start=start, end=end, region_code=region)
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
        utilisation=UtilisationOut.model_validate(report.utilisation),
    )
