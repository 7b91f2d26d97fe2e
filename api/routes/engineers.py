"""The workforce: engineers with skills and shifts (dispatchers and admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import DispatcherUser, SessionDep
from api.schemas.common import Paged
from api.schemas.engineers import EngineerOut
from dispatch.engineers import get_engineer, list_engineers
from dispatch.models import Engineer

router = APIRouter(prefix="/api/v1/engineers", tags=["engineers"])


def _out(engineer: Engineer) -> EngineerOut:
    out = EngineerOut.model_validate(engineer)
    out.region_code = engineer.region.code
    return out


@router.get("", response_model=Paged[EngineerOut], summary="List engineers")
def engineers(
    session: SessionDep,
    _user: DispatcherUser,
    region: Annotated[str | None, Query(description="Region code, e.g. SH-E")] = None,
    active: bool | None = None,
    skill: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Paged[EngineerOut]:
    """Engineers ordered by code, filtered by region, active flag and skill."""
    page = list_engineers(
        session=session, region_code=region, active=active, skill=skill, limit=limit, offset=offset
    )
    return Paged[EngineerOut](
        items=[_out(e) for e in page.items], total=page.total, limit=page.limit, offset=page.offset
    )


@router.get("/{engineer_id}", response_model=EngineerOut, summary="One engineer")
def engineer(engineer_id: int, session: SessionDep, _user: DispatcherUser) -> EngineerOut:
    """An engineer by id."""
    return _out(get_engineer(session=session, engineer_id=engineer_id))
