"""Regions: the organisation's tree (headquarters at the root), each with its time zone."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch.errors import InUse, InvalidInput
from dispatch.masterdata.common import check_timezone, coded_values, reference
from dispatch.masterdata.entity import Records
from dispatch.models import Customer, Engineer, Region, RegionKind, Site
from dispatch.org.listing import Listing, by_code
from dispatch.org.regions import region_ids

ENTITY = "region"
_PLAIN = ("code", "name", "timezone", "manager_name", "manager_email", "active")


list_regions: Listing[Region] = Listing(
    select(Region).order_by(Region.code),
    {"parent_code": by_code(Region.code, "parent", Region.parent_id)},
    Region.active,
    (Region.code, Region.name),
)
"""Regions ordered by code, optionally the children of ``parent_code``, by active flag and
by a text in code or name (an unknown parent: ``NotFound`` naming ``parent``)."""


def _values(session: Session, fields: Mapping[str, Any], region: Region | None) -> dict[str, Any]:
    """The checked column values of ``fields`` (parent resolved, kind derived from it; a
    creation needs a code, a name and a time zone; without a parent it is a headquarters)."""
    values = coded_values(
        session, fields, region, _PLAIN, code_column=Region.code, code_length=32, kind=ENTITY,
        required=("code", "name", "timezone"),
    )  # fmt: skip
    if region is None:
        fields = {"parent_id": None, **fields}
    if values.get("timezone") is not None:
        values["timezone"] = check_timezone(values["timezone"])
    elif "timezone" in values:
        raise InvalidInput("timezone must not be null", field="timezone")
    if {"parent", "parent_id"} & set(fields):
        parent = reference(
            session, Region, fields, by_id="parent_id", by_code="parent", code_column=Region.code
        )
        below = region_ids(session=session, region_id=region.id) if region is not None else []
        if parent is not None and parent.id in below:
            field = "parent_id" if fields.get("parent_id") is not None else "parent"
            raise InvalidInput("a region cannot sit below itself", field=field)
        values["parent_id"] = parent.id if parent is not None else None
        values["kind"] = (RegionKind.HQ if parent is None else RegionKind.REGION).value
    return values


def _check_unused(session: Session, region: Region) -> None:
    """Refuse to deactivate a region active engineers, customers, sites or regions need."""
    users = {
        "engineers": select(func.count(Engineer.id)).where(
            Engineer.region_id == region.id, Engineer.active.is_(True)
        ),
        "customers": select(func.count(Customer.id)).where(
            Customer.region_id == region.id, Customer.active.is_(True)
        ),
        "sites": select(func.count(Site.id)).where(
            Site.region_id == region.id, Site.active.is_(True)
        ),
        "child regions": select(func.count(Region.id)).where(
            Region.parent_id == region.id, Region.active.is_(True)
        ),
    }
    counts = {kind: int(session.scalar(query) or 0) for kind, query in users.items()}
    remaining = {kind: n for kind, n in counts.items() if n}
    if remaining:
        listed = ", ".join(f"{n} active {kind}" for kind, n in remaining.items())
        raise InUse(
            f"region {region.code!r} still has {listed}; move or deactivate them first",
            entity=ENTITY,
            field="active",
            remaining={k.replace(" ", "_"): n for k, n in remaining.items()},
        )


REGIONS = Records(Region, ENTITY, _values, _check_unused)
"""A region's fields: ``code``, ``name``, ``timezone`` (IANA), ``parent`` (code) or
``parent_id`` (none: a headquarters), ``manager_name``, ``manager_email``;
``region_in_use`` refuses to deactivate one active engineers, customers, sites or child
regions need."""
get_region = REGIONS.get
create_region = REGIONS.create
update_region = REGIONS.update
deactivate_region = REGIONS.deactivate
