"""Regions: the organisation's tree (headquarters at the root), each with its time zone."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch.errors import InUse, InvalidInput
from dispatch.infra.paging import Page, paginate, text_filter
from dispatch.infra.rows import get_row
from dispatch.masterdata.common import (
    check_text,
    check_timezone,
    check_unique,
    find_by_code,
    reference,
    require,
    write_audited,
)
from dispatch.models import Customer, Engineer, Region, RegionKind, Site
from dispatch.org.regions import region_ids

ENTITY = "region"
_PLAIN = ("code", "name", "timezone", "manager_name", "manager_email", "active")


def list_regions(
    *,
    session: Session,
    parent_code: str | None = None,
    active: bool | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Page[Region]:
    """Regions ordered by code, optionally the children of ``parent_code``, by active flag
    and by a text in code or name.

    Raises
    ------
    NotFound
        Unknown parent region (``field="parent"``).
    """
    query = select(Region).order_by(Region.code)
    if parent_code is not None:
        parent = find_by_code(session, Region.code, parent_code, "parent")
        query = query.where(Region.parent_id == parent.id)
    if active is not None:
        query = query.where(Region.active.is_(active))
    query = text_filter(query, q, Region.code, Region.name)
    return paginate(session, query, limit=limit, offset=offset)


def get_region(*, session: Session, region_id: int) -> Region:
    """The region with ``region_id`` (:class:`~dispatch.errors.NotFound` when none)."""
    return get_row(session, Region, region_id, ENTITY)


def _values(session: Session, fields: Mapping[str, Any], region: Region | None) -> dict[str, Any]:
    """The checked column values of ``fields`` (parent resolved, kind derived from it)."""
    values = {name: fields[name] for name in _PLAIN if name in fields}
    if "code" in values:
        values["code"] = check_text(values["code"], "code", max_length=32)
        check_unique(
            session, Region.code, values["code"], field="code", kind=ENTITY,
            exclude_id=region.id if region is not None else None,
        )  # fmt: skip
    if "name" in values:
        values["name"] = check_text(values["name"], "name", max_length=200)
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


def create_region(*, session: Session, actor_id: int | None, fields: Mapping[str, Any]) -> Region:
    """Add a region: ``code``, ``name``, ``timezone`` (IANA), ``parent`` (code) or
    ``parent_id`` (none: a headquarters), ``manager_name``, ``manager_email``.

    Raises
    ------
    InvalidInput
        A missing or bad field (named).
    NotFound
        Unknown parent.
    Conflict
        The code is taken.
    """
    require(fields, "code", "name", "timezone")
    values = _values(session, {"parent_id": None, **fields}, None)
    values.setdefault("active", True)
    region = Region()
    write_audited(
        session=session, row=region, values=values, actor_id=actor_id, entity=ENTITY,
        action="created",
    )  # fmt: skip
    return region


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


def update_region(
    *, session: Session, actor_id: int | None, region_id: int, fields: Mapping[str, Any]
) -> Region:
    """Change the given fields of a region (``active=False`` deactivates, see
    :func:`deactivate_region`).

    Raises
    ------
    NotFound
        No such region, or unknown parent.
    InvalidInput
        A bad field, or a parent below the region itself.
    Conflict
        The code is taken; ``region_in_use`` when deactivating a region still in use.
    """
    region = get_region(session=session, region_id=region_id)
    values = _values(session, fields, region)
    if values.get("active") is False and region.active:
        _check_unused(session, region)
    write_audited(
        session=session, row=region, values=values, actor_id=actor_id, entity=ENTITY,
        action="updated",
    )  # fmt: skip
    return region


def deactivate_region(*, session: Session, actor_id: int | None, region_id: int) -> Region:
    """Mark a region inactive.

    Raises
    ------
    NotFound
        No such region.
    InUse
        ``region_in_use``: active engineers, customers, sites or child regions remain.
    """
    region = get_region(session=session, region_id=region_id)
    if region.active:
        _check_unused(session, region)
    write_audited(
        session=session, row=region, values={"active": False}, actor_id=actor_id,
        entity=ENTITY, action="deactivated",
    )  # fmt: skip
    return region
