"""SLA tracking: tickets at risk and in breach, with due instants and margins."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import DispatcherUser, RuntimeDep, SessionDep
from api.schemas.common import Limit, Offset, RegionQuery, instant_query
from api.schemas.sla import SlaItemOut, SlaListOut
from api.validation import MAX_RANGE_DAYS, check_since
from dispatch.models import SlaState
from dispatch.reporting.sla_lists import sla_list

router = APIRouter(prefix="/api/v1/sla", tags=["SLA tracking"])


def _out(
    state: SlaState,
    session: SessionDep,
    runtime: RuntimeDep,
    region: str | None,
    since: dt.datetime | None,
    limit: int,
    offset: int,
) -> SlaListOut:
    now = runtime.clock()
    items = sla_list(session=session, state=state, now=now, region_code=region, since=since)
    page = items[offset : offset + limit]
    return SlaListOut(
        as_of=now,
        items=[SlaItemOut.model_validate(i) for i in page],
        total=len(items),
        limit=limit,
        offset=offset,
    )


@router.get("/at-risk", response_model=SlaListOut, summary="Tickets at risk of missing their SLA")
def at_risk(
    session: SessionDep,
    runtime: RuntimeDep,
    _user: DispatcherUser,
    region: RegionQuery = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> SlaListOut:
    """Open tickets whose planned arrival (or, unplanned, now + a typical response) or
    expected finish passes a due instant; least margin first; paged (``total`` counts all)."""
    return _out(SlaState.AT_RISK, session, runtime, region, None, limit, offset)


@router.get("/breaches", response_model=SlaListOut, summary="Tickets that missed their SLA")
def breaches(
    session: SessionDep,
    runtime: RuntimeDep,
    _user: DispatcherUser,
    region: RegionQuery = None,
    since: Annotated[
        dt.datetime | None,
        Query(
            description="Also list tickets resolved since this instant that breached "
            f"(at most {MAX_RANGE_DAYS} days ago)"
        ),
        instant_query,
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> SlaListOut:
    """Open tickets past a due instant unmet (and, with ``since``, resolved ones that were
    late); most overdue first; paged (``total`` counts all)."""
    if since is not None:
        check_since(since, now=runtime.clock())
    return _out(SlaState.BREACHED, session, runtime, region, since, limit, offset)
