"""Sites and assets: where the equipment stands and what it is (dispatchers, admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.crud import Doc, add_list_route, add_record_routes, master_data
from api.openapi import problem_responses
from api.schemas.common import CustomerQuery, Id, KindQuery, RegionQuery
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


add_list_route(
    router,
    "sites",
    SiteRecord,
    site_data.list_sites,
    Doc(
        "List sites",
        "Sites ordered by id, filtered by customer code, region code (exactly), active flag\n"
        "and a text in name or address (404 for an unknown customer or region).",
        problem_responses(404, d404="No such customer or region"),
    ),
    customer=("customer_code", CustomerQuery),
    region=("region_code", RegionQuery),
)
add_record_routes(
    router,
    master_data(
        "site",
        site_data,
        (SiteRecord, SiteCreate, SitePatch),
        Doc("One site", "A site by id."),
        Doc(
            "Add a site",
            "Add a site of an active customer (its region by default).",
            problem_responses(404, d404="No such customer or region"),
        ),
        Doc(
            "Change a site",
            "Change the given fields; ``active: false`` is refused like a deactivation.",
            problem_responses(409, d409=_SITE_IN_USE),
        ),
        Doc(
            "Deactivate a site",
            "Mark the site inactive (refused while it has open tickets).",
            problem_responses(409, d409=_SITE_IN_USE),
        ),
    ),
)
add_list_route(
    router,
    "assets",
    AssetRecord,
    asset_data.list_assets,
    Doc(
        "List assets",
        "Assets ordered by id, filtered by site (404 when unknown), equipment type, active\n"
        "flag and a text in model or serial.",
        problem_responses(404, d404="No such site"),
    ),
    site=("site_id", Annotated[Id | None, Query(description="Site id")]),
    equipment_type=("equipment_type", KindQuery),
)
add_record_routes(
    router,
    master_data(
        "asset",
        asset_data,
        (AssetRecord, AssetCreate, AssetPatch),
        Doc("One asset", "An asset by id."),
        Doc(
            "Add an asset",
            "Add an asset at an active site.",
            problem_responses(404, 409, d404="No such site", d409="Model and serial taken"),
        ),
        Doc(
            "Change an asset",
            "Change the given fields.",
            problem_responses(409, d409="Model and serial taken"),
        ),
        Doc("Deactivate", "Mark the asset inactive."),
    ),
)
