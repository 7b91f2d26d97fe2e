"""Regions and customers: the organisation's tree and who it serves (dispatchers, admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.crud import Doc, MasterData, Services, add_record_routes
from api.deps import DispatcherUser, SessionDep
from api.openapi import problem_responses
from api.schemas.common import Limit, Offset, Paged, RegionQuery, TextQuery, paged
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


@router.get(
    "/regions",
    response_model=Paged[RegionRecord],
    summary="List regions",
    responses=problem_responses(404, d404="No such parent region"),
)
def regions(
    session: SessionDep,
    _user: DispatcherUser,
    parent: Annotated[RegionQuery, Query(description="Children of this region code")] = None,
    active: bool | None = None,
    q: TextQuery = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Paged[RegionRecord]:
    """Regions ordered by code; ``parent`` lists a region's children (404 when unknown)."""
    page = region_data.list_regions(
        session=session, parent_code=parent, active=active, q=q, limit=limit, offset=offset
    )
    return paged(page, RegionRecord)


add_record_routes(
    router,
    MasterData(
        kind="region",
        record=RegionRecord,
        create_body=RegionCreate,
        patch_body=RegionPatch,
        services=Services(
            region_data.get_region,
            region_data.create_region,
            region_data.update_region,
            region_data.deactivate_region,
        ),
        one=Doc("One region", "A region by id."),
        create=Doc(
            "Add a region",
            "Add a region (without a parent: a headquarters); the time zone is an IANA name.",
            problem_responses(404, 409, d404="No such parent region", d409="Code taken"),
        ),
        update=Doc(
            "Change a region",
            _CHANGE,
            problem_responses(409, d409=_D409_REGION),
        ),
        deactivate=Doc(
            "Deactivate a region",
            "Mark the region inactive (its rows stay; nothing new may use it).",
            problem_responses(
                409,
                d409="`region_in_use`: active engineers, customers, sites or sub-regions remain",
            ),
        ),
    ),
)


@router.get("/customers", response_model=Paged[CustomerRecord], summary="List customers")
def customers(
    session: SessionDep,
    _user: DispatcherUser,
    region: RegionQuery = None,
    tier: Tier | None = None,
    active: bool | None = None,
    q: TextQuery = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Paged[CustomerRecord]:
    """Customers ordered by code, filtered by region (exactly that region), tier, active
    flag and a text in code or name."""
    page = customer_data.list_customers(
        session=session, region_code=region, tier=tier, active=active, q=q,
        limit=limit, offset=offset,
    )  # fmt: skip
    return paged(page, CustomerRecord)


add_record_routes(
    router,
    MasterData(
        kind="customer",
        record=CustomerRecord,
        create_body=CustomerCreate,
        patch_body=CustomerPatch,
        services=Services(
            customer_data.get_customer,
            customer_data.create_customer,
            customer_data.update_customer,
            customer_data.deactivate_customer,
        ),
        one=Doc("One customer", "A customer by id (with contacts: dispatchers and admins only)."),
        create=Doc(
            "Add a customer",
            "Add a customer in an active region; VIPs may name a dedicated engineer.",
            problem_responses(404, 409, d404="No such region or engineer", d409="Code taken"),
        ),
        update=Doc("Change a customer", _CHANGE, problem_responses(409, d409=_D409_CUSTOMER)),
        deactivate=Doc(
            "Deactivate a customer",
            "Mark the customer inactive (refused while it has open tickets).",
            problem_responses(409, d409="`customer_in_use`: open tickets remain"),
        ),
    ),
)
