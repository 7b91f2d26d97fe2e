"""Regions and customers: the organisation's tree and who it serves (dispatchers, admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import DispatcherUser, SessionDep
from api.openapi import problem_responses
from api.schemas.common import IdPath, Limit, Offset, Paged, RegionQuery, TextQuery
from api.schemas.masterdata import (
    CustomerCreate,
    CustomerPatch,
    CustomerRecord,
    RegionCreate,
    RegionPatch,
    RegionRecord,
    Tier,
)
from dispatch.infra.paging import Page
from dispatch.masterdata import customers as customer_data
from dispatch.masterdata import regions as region_data
from dispatch.models import Region

router = APIRouter(prefix="/api/v1", tags=["master data"])

_D409_REGION = "Code taken, or `region_in_use` (active engineers, customers, sites, sub-regions)"
_D409_CUSTOMER = "Code taken, or `customer_in_use` (open tickets)"


def _page_regions(page: Page[Region]) -> Paged[RegionRecord]:
    items = [RegionRecord.model_validate(r) for r in page.items]
    return Paged[RegionRecord](items=items, total=page.total, limit=page.limit, offset=page.offset)


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
    return _page_regions(page)


@router.get("/regions/{region_id}", response_model=RegionRecord, summary="One region")
def region(region_id: IdPath, session: SessionDep, _user: DispatcherUser) -> RegionRecord:
    """A region by id."""
    return RegionRecord.model_validate(region_data.get_region(session=session, region_id=region_id))


@router.post(
    "/regions",
    response_model=RegionRecord,
    status_code=status.HTTP_201_CREATED,
    summary="Add a region",
    responses=problem_responses(404, 409, d404="No such parent region", d409="Code taken"),
)
def create_region(body: RegionCreate, session: SessionDep, user: DispatcherUser) -> RegionRecord:
    """Add a region (without a parent: a headquarters); the time zone is an IANA name."""
    fields = body.model_dump(exclude_unset=True)
    row = region_data.create_region(session=session, actor_id=user.id, fields=fields)
    return RegionRecord.model_validate(row)


@router.patch(
    "/regions/{region_id}",
    response_model=RegionRecord,
    summary="Change a region",
    responses=problem_responses(409, d409=_D409_REGION),
)
def update_region(
    region_id: IdPath, body: RegionPatch, session: SessionDep, user: DispatcherUser
) -> RegionRecord:
    """Change the given fields; ``active: false`` is refused like a deactivation."""
    row = region_data.update_region(
        session=session,
        actor_id=user.id,
        region_id=region_id,
        fields=body.model_dump(exclude_unset=True),
    )
    return RegionRecord.model_validate(row)


@router.post(
    "/regions/{region_id}/deactivate",
    response_model=RegionRecord,
    summary="Deactivate a region",
    responses=problem_responses(409, d409="`region_in_use`: active engineers, customers, "
                                "sites or sub-regions remain"),
)  # fmt: skip
def deactivate_region(region_id: IdPath, session: SessionDep, user: DispatcherUser) -> RegionRecord:
    """Mark the region inactive (its rows stay; nothing new may use it)."""
    row = region_data.deactivate_region(session=session, actor_id=user.id, region_id=region_id)
    return RegionRecord.model_validate(row)


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
    items = [CustomerRecord.model_validate(c) for c in page.items]
    return Paged[CustomerRecord](
        items=items, total=page.total, limit=page.limit, offset=page.offset
    )


@router.get("/customers/{customer_id}", response_model=CustomerRecord, summary="One customer")
def customer(customer_id: IdPath, session: SessionDep, _user: DispatcherUser) -> CustomerRecord:
    """A customer by id (with contacts: dispatchers and admins only)."""
    row = customer_data.get_customer(session=session, customer_id=customer_id)
    return CustomerRecord.model_validate(row)


@router.post(
    "/customers",
    response_model=CustomerRecord,
    status_code=status.HTTP_201_CREATED,
    summary="Add a customer",
    responses=problem_responses(404, 409, d404="No such region or engineer", d409="Code taken"),
)
def create_customer(
    body: CustomerCreate, session: SessionDep, user: DispatcherUser
) -> CustomerRecord:
    """Add a customer in an active region; VIPs may name a dedicated engineer."""
    fields = body.model_dump(exclude_unset=True)
    row = customer_data.create_customer(session=session, actor_id=user.id, fields=fields)
    return CustomerRecord.model_validate(row)


@router.patch(
    "/customers/{customer_id}",
    response_model=CustomerRecord,
    summary="Change a customer",
    responses=problem_responses(409, d409=_D409_CUSTOMER),
)
def update_customer(
    customer_id: IdPath, body: CustomerPatch, session: SessionDep, user: DispatcherUser
) -> CustomerRecord:
    """Change the given fields; ``active: false`` is refused like a deactivation."""
    row = customer_data.update_customer(
        session=session,
        actor_id=user.id,
        customer_id=customer_id,
        fields=body.model_dump(exclude_unset=True),
    )
    return CustomerRecord.model_validate(row)


@router.post(
    "/customers/{customer_id}/deactivate",
    response_model=CustomerRecord,
    summary="Deactivate a customer",
    responses=problem_responses(409, d409="`customer_in_use`: open tickets remain"),
)
def deactivate_customer(
    customer_id: IdPath, session: SessionDep, user: DispatcherUser
) -> CustomerRecord:
    """Mark the customer inactive (refused while it has open tickets)."""
    row = customer_data.deactivate_customer(
        session=session, actor_id=user.id, customer_id=customer_id
    )
    return CustomerRecord.model_validate(row)
