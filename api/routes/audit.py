"""The audit trail of master-data changes (dispatchers, admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import DispatcherUser, SessionDep
from api.schemas.common import Id, Limit, Offset, Paged
from api.schemas.masterdata import AuditEntryOut
from dispatch.infra.audit import list_audit

router = APIRouter(prefix="/api/v1/audit", tags=["master data"])

EntityQuery = Annotated[
    str | None,
    Query(max_length=32, pattern=r"^[a-z_]+$", description="Kind: region, engineer, site..."),
]


@router.get("", response_model=Paged[AuditEntryOut], summary="The audit trail")
def audit(
    session: SessionDep,
    _user: DispatcherUser,
    entity: EntityQuery = None,
    entity_id: Annotated[Id | None, Query(description="The record's id")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Paged[AuditEntryOut]:
    """Recorded changes, newest first: who (``actor_id``), when, which record, and the
    changed fields before and after."""
    page = list_audit(
        session=session, entity=entity, entity_id=entity_id, limit=limit, offset=offset
    )
    items = [AuditEntryOut.model_validate(e) for e in page.items]
    return Paged[AuditEntryOut](items=items, total=page.total, limit=page.limit, offset=page.offset)
