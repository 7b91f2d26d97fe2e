"""Sites and assets: where the equipment stands and what it is (dispatchers, admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.crud import Doc, MasterData, Services, add_record_routes
from api.deps import DispatcherUser, SessionDep
from api.openapi import problem_responses
from api.schemas.common import (
    CustomerQuery,
    Id,
    KindQuery,
    Limit,
    Offset,
    Paged,
    RegionQuery,
    TextQuery,
    paged,
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

_SITE_IN_USE = "`site_in_use`: open tickets remain"


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
    return paged(page, SiteRecord)


add_record_routes(
    router,
    MasterData(
        kind="site",
        record=SiteRecord,
        create_body=SiteCreate,
        patch_body=SitePatch,
        services=Services(
            site_data.get_site,
            site_data.create_site,
            site_data.update_site,
            site_data.deactivate_site,
        ),
        one=Doc("One site", "A site by id."),
        create=Doc(
            "Add a site",
            "Add a site of an active customer (its region by default).",
            problem_responses(404, d404="No such customer or region"),
        ),
        update=Doc(
            "Change a site",
            "Change the given fields; ``active: false`` is refused like a deactivation.",
            problem_responses(409, d409=_SITE_IN_USE),
        ),
        deactivate=Doc(
            "Deactivate a site",
            "Mark the site inactive (refused while it has open tickets).",
            problem_responses(409, d409=_SITE_IN_USE),
        ),
    ),
)


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
    return paged(page, AssetRecord)


add_record_routes(
    router,
    MasterData(
        kind="asset",
        record=AssetRecord,
        create_body=AssetCreate,
        patch_body=AssetPatch,
        services=Services(
            asset_data.get_asset,
            asset_data.create_asset,
            asset_data.update_asset,
            asset_data.deactivate_asset,
        ),
        one=Doc("One asset", "An asset by id."),
        create=Doc(
            "Add an asset",
            "Add an asset at an active site.",
            problem_responses(404, 409, d404="No such site", d409="Model and serial taken"),
        ),
        update=Doc(
            "Change an asset",
            "Change the given fields.",
            problem_responses(409, d409="Model and serial taken"),
        ),
        deactivate=Doc("Deactivate", "Mark the asset inactive."),
    ),
)
