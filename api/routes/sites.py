"""Sites and assets: where the equipment stands and what it is (dispatchers, admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import DispatcherUser, SessionDep
from api.openapi import problem_responses
from api.schemas.common import (
    CustomerQuery,
    Id,
    IdPath,
    KindQuery,
    Limit,
    Offset,
    Paged,
    RegionQuery,
    TextQuery,
)
from api.schemas.masterdata import (
    AssetCreate,
    AssetPatch,
    AssetRecord,
    SiteCreate,
    SitePatch,
    SiteRecord,
)
from dispatch.masterdata import assets as asset_data
from dispatch.masterdata import sites as site_data

router = APIRouter(prefix="/api/v1", tags=["master data"])


@router.get(
    "/sites",
    response_model=Paged[SiteRecord],
    summary="List sites",
    responses=problem_responses(404, d404="No such customer or region"),
)
def sites(
    session: SessionDep,
    _user: DispatcherUser,
    customer: CustomerQuery = None,
    region: RegionQuery = None,
    active: bool | None = None,
    q: TextQuery = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Paged[SiteRecord]:
    """Sites ordered by id, filtered by customer code, region code (exactly), active flag
    and a text in name or address (404 for an unknown customer or region)."""
    page = site_data.list_sites(
        session=session, customer_code=customer, region_code=region, active=active, q=q,
        limit=limit, offset=offset,
    )  # fmt: skip
    items = [SiteRecord.model_validate(s) for s in page.items]
    return Paged[SiteRecord](items=items, total=page.total, limit=page.limit, offset=page.offset)


@router.get("/sites/{site_id}", response_model=SiteRecord, summary="One site")
def site(site_id: IdPath, session: SessionDep, _user: DispatcherUser) -> SiteRecord:
    """A site by id."""
    return SiteRecord.model_validate(site_data.get_site(session=session, site_id=site_id))


@router.post(
    "/sites",
    response_model=SiteRecord,
    status_code=status.HTTP_201_CREATED,
    summary="Add a site",
    responses=problem_responses(404, d404="No such customer or region"),
)
def create_site(body: SiteCreate, session: SessionDep, user: DispatcherUser) -> SiteRecord:
    """Add a site of an active customer (its region by default)."""
    fields = body.model_dump(exclude_unset=True)
    row = site_data.create_site(session=session, actor_id=user.id, fields=fields)
    return SiteRecord.model_validate(row)


@router.patch(
    "/sites/{site_id}",
    response_model=SiteRecord,
    summary="Change a site",
    responses=problem_responses(409, d409="`site_in_use`: open tickets remain"),
)
def update_site(
    site_id: IdPath, body: SitePatch, session: SessionDep, user: DispatcherUser
) -> SiteRecord:
    """Change the given fields; ``active: false`` is refused like a deactivation."""
    row = site_data.update_site(
        session=session, actor_id=user.id, site_id=site_id,
        fields=body.model_dump(exclude_unset=True),
    )  # fmt: skip
    return SiteRecord.model_validate(row)


@router.post(
    "/sites/{site_id}/deactivate",
    response_model=SiteRecord,
    summary="Deactivate a site",
    responses=problem_responses(409, d409="`site_in_use`: open tickets remain"),
)
def deactivate_site(site_id: IdPath, session: SessionDep, user: DispatcherUser) -> SiteRecord:
    """Mark the site inactive (refused while it has open tickets)."""
    row = site_data.deactivate_site(session=session, actor_id=user.id, site_id=site_id)
    return SiteRecord.model_validate(row)


@router.get(
    "/assets",
    response_model=Paged[AssetRecord],
    summary="List assets",
    responses=problem_responses(404, d404="No such site"),
)
def assets(
    session: SessionDep,
    _user: DispatcherUser,
    site: Annotated[Id | None, Query(description="Site id")] = None,
    equipment_type: KindQuery = None,
    active: bool | None = None,
    q: TextQuery = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Paged[AssetRecord]:
    """Assets ordered by id, filtered by site (404 when unknown), equipment type, active
    flag and a text in model or serial."""
    page = asset_data.list_assets(
        session=session, site_id=site, equipment_type=equipment_type, active=active, q=q,
        limit=limit, offset=offset,
    )  # fmt: skip
    items = [AssetRecord.model_validate(a) for a in page.items]
    return Paged[AssetRecord](items=items, total=page.total, limit=page.limit, offset=page.offset)


@router.get("/assets/{asset_id}", response_model=AssetRecord, summary="One asset")
def asset(asset_id: IdPath, session: SessionDep, _user: DispatcherUser) -> AssetRecord:
    """An asset by id."""
    return AssetRecord.model_validate(asset_data.get_asset(session=session, asset_id=asset_id))


@router.post(
    "/assets",
    response_model=AssetRecord,
    status_code=status.HTTP_201_CREATED,
    summary="Add an asset",
    responses=problem_responses(404, 409, d404="No such site", d409="Model and serial taken"),
)
def create_asset(body: AssetCreate, session: SessionDep, user: DispatcherUser) -> AssetRecord:
    """Add an asset at an active site."""
    fields = body.model_dump(exclude_unset=True)
    row = asset_data.create_asset(session=session, actor_id=user.id, fields=fields)
    return AssetRecord.model_validate(row)


@router.patch(
    "/assets/{asset_id}",
    response_model=AssetRecord,
    summary="Change an asset",
    responses=problem_responses(409, d409="Model and serial taken"),
)
def update_asset(
    asset_id: IdPath, body: AssetPatch, session: SessionDep, user: DispatcherUser
) -> AssetRecord:
    """Change the given fields."""
    row = asset_data.update_asset(
        session=session, actor_id=user.id, asset_id=asset_id,
        fields=body.model_dump(exclude_unset=True),
    )  # fmt: skip
    return AssetRecord.model_validate(row)


@router.post("/assets/{asset_id}/deactivate", response_model=AssetRecord, summary="Deactivate")
def deactivate_asset(asset_id: IdPath, session: SessionDep, user: DispatcherUser) -> AssetRecord:
    """Mark the asset inactive."""
    row = asset_data.deactivate_asset(session=session, actor_id=user.id, asset_id=asset_id)
    return AssetRecord.model_validate(row)
