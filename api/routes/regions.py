"""Regions and customers: the organisation's tree and who it serves (dispatchers, admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.crud import Doc, add_list_route, add_record_routes, master_data
from api.openapi import problem_responses
from api.schemas.common import RegionQuery
from api.schemas.masterdata import (
    CustomerCreate,
    CustomerPatch,
    CustomerRecord,
    RegionCreate,
    RegionPatch,
    RegionRecord,
    Tier,
)
from dispatch.masterdata import customers as customer_data
from dispatch.masterdata import regions as region_data

router = APIRouter(prefix="/api/v1", tags=["master data"])

_D409_REGION = "Code taken, or `region_in_use` (active engineers, customers, sites, sub-regions)"
_D409_CUSTOMER = "Code taken, or `customer_in_use` (open tickets)"
_CHANGE = "Change the given fields; ``active: false`` is refused like a deactivation."


add_list_route(
    router,
    "regions",
    RegionRecord,
    region_data.list_regions,
    Doc(
        "List regions",
        "Regions ordered by code; ``parent`` lists a region's children (404 when unknown).",
        problem_responses(404, d404="No such parent region"),
    ),
    parent=(
        "parent_code",
        Annotated[RegionQuery, Query(description="Children of this region code")],
    ),
)
add_record_routes(
    router,
    master_data(
        "region",
        region_data,
        (RegionRecord, RegionCreate, RegionPatch),
        Doc("One region", "A region by id."),
        Doc(
            "Add a region",
            "Add a region (without a parent: a headquarters); the time zone is an IANA name.",
            problem_responses(404, 409, d404="No such parent region", d409="Code taken"),
        ),
        Doc("Change a region", _CHANGE, problem_responses(409, d409=_D409_REGION)),
        Doc(
            "Deactivate a region",
            "Mark the region inactive (its rows stay; nothing new may use it).",
            problem_responses(
                409,
                d409="`region_in_use`: active engineers, customers, sites or sub-regions remain",
            ),
        ),
    ),
)
add_list_route(
    router,
    "customers",
    CustomerRecord,
    customer_data.list_customers,
    Doc(
        "List customers",
        "Customers ordered by code, filtered by region (exactly that region), tier, active\n"
        "flag and a text in code or name.",
    ),
    region=("region_code", RegionQuery),
    tier=("tier", Tier | None),
)
add_record_routes(
    router,
    master_data(
        "customer",
        customer_data,
        (CustomerRecord, CustomerCreate, CustomerPatch),
        Doc("One customer", "A customer by id (with contacts: dispatchers and admins only)."),
        Doc(
            "Add a customer",
            "Add a customer in an active region; VIPs may name a dedicated engineer.",
            problem_responses(404, 409, d404="No such region or engineer", d409="Code taken"),
        ),
        Doc("Change a customer", _CHANGE, problem_responses(409, d409=_D409_CUSTOMER)),
        Doc(
            "Deactivate a customer",
            "Mark the customer inactive (refused while it has open tickets).",
            problem_responses(409, d409="`customer_in_use`: open tickets remain"),
        ),
    ),
)
