"""Sites: where a customer's equipment stands (address, position, region, access hours)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.errors import InUse, InvalidInput
from dispatch.infra.paging import Page, paginate, text_filter
from dispatch.infra.rows import get_row
from dispatch.masterdata.common import (
    active_region,
    check_lat_lon,
    check_text,
    check_unique,
    find_by_code,
    minutes_of,
    open_ticket_count,
    reference,
    require,
    write_audited,
)
from dispatch.models import Customer, Region, Site, Ticket

ENTITY = "site"
_PLAIN = ("code", "name", "address", "lat", "lon", "access_hours", "active")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def list_sites(
    *,
    session: Session,
    customer_code: str | None = None,
    region_code: str | None = None,
    active: bool | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Page[Site]:
    """Sites ordered by id, optionally of one customer (code), one region (code, exactly),
    by active flag and with a text in name or address.

    Raises
    ------
    NotFound
        Unknown customer or region (naming ``customer``/``region``).
    """
    query = select(Site).order_by(Site.id)
    if customer_code is not None:
        customer = find_by_code(session, Customer.code, customer_code.upper(), "customer")
        query = query.where(Site.customer_id == customer.id)
    if region_code is not None:
        region = find_by_code(session, Region.code, region_code, "region")
        query = query.where(Site.region_id == region.id)
    if active is not None:
        query = query.where(Site.active.is_(active))
    query = text_filter(query, q, Site.name, Site.address)
    return paginate(session, query, limit=limit, offset=offset)


def get_site(*, session: Session, site_id: int) -> Site:
    """The site with ``site_id`` (:class:`~dispatch.errors.NotFound` when none)."""
    return get_row(session, Site, site_id, ENTITY)


def check_access_hours(hours: Any, field: str = "access_hours") -> dict[str, list[str]] | None:
    """``{"mon": ["08:00", "18:00"], ...}`` checked (a missing day is closed; ``None``:
    always open).

    Raises
    ------
    InvalidInput
        Unknown day, not two ``HH:MM`` times, or closing before opening.
    """
    if hours is None:
        return None
    if not isinstance(hours, Mapping):
        raise InvalidInput(f"{field} must map days (mon..sun) to [open, close]", field=field)
    checked: dict[str, list[str]] = {}
    for day, span in hours.items():
        where = f"{field}.{day}"
        if day not in _DAYS:
            raise InvalidInput(f"unknown day {day!r}; days: {', '.join(_DAYS)}", field=where)
        if not isinstance(span, list | tuple) or len(span) != 2:
            raise InvalidInput(f"{where} must be [open, close] as HH:MM", field=where)
        opens, closes = (minutes_of(str(t), where) for t in span)
        if closes <= opens:
            raise InvalidInput(f"{where} closes before it opens", field=where)
        checked[day] = [str(span[0]), str(span[1])]
    return checked


def _values(session: Session, fields: Mapping[str, Any], site: Site | None) -> dict[str, Any]:
    values = {name: fields[name] for name in _PLAIN if name in fields}
    if values.get("code") is not None:
        values["code"] = check_text(values["code"], "code", max_length=32)
        check_unique(
            session, Site.code, values["code"], field="code", kind=ENTITY,
            exclude_id=site.id if site is not None else None,
        )  # fmt: skip
    if "name" in values:
        values["name"] = check_text(values["name"], "name", max_length=200)
    if "address" in values:
        values["address"] = check_text(values["address"], "address", max_length=2000)
    for name in ("lat", "lon"):
        if name in values and values[name] is None:
            raise InvalidInput(f"{name} must not be null", field=name)
    check_lat_lon(values, "lat", "lon")
    if "access_hours" in values:
        values["access_hours"] = check_access_hours(values["access_hours"])
    customer = reference(
        session, Customer, fields, by_id="customer_id", by_code="customer",
        code_column=Customer.code,
    )  # fmt: skip
    if customer is not None:
        if not customer.active:
            raise InvalidInput(f"customer {customer.code} is inactive", field="customer_id")
        values["customer_id"] = customer.id
    region = active_region(session, fields)
    if region is not None:
        values["region_id"] = region.id
    return values


def create_site(*, session: Session, actor_id: int | None, fields: Mapping[str, Any]) -> Site:
    """Add a site: ``customer`` (code) or ``customer_id``, ``name``, ``address``, ``lat``,
    ``lon``, ``region``/``region_id`` (default: the customer's), ``access_hours``.

    Raises
    ------
    InvalidInput
        A missing or bad field (named), an inactive customer or region.
    NotFound
        Unknown customer or region.
    """
    require(fields, "name", "address", "lat", "lon")
    if fields.get("customer_id") is None and fields.get("customer") is None:
        raise InvalidInput("customer (code) or customer_id is required", field="customer_id")
    values = _values(session, fields, None)
    if "region_id" not in values:
        customer = session.get(Customer, values["customer_id"])
        assert customer is not None
        values["region_id"] = customer.region_id
    values.setdefault("active", True)
    site = Site()
    write_audited(
        session=session, row=site, values=values, actor_id=actor_id, entity=ENTITY,
        action="created",
    )  # fmt: skip
    return site


def _check_unused(session: Session, site: Site) -> None:
    count = open_ticket_count(session, Ticket.site_id == site.id)
    if count:
        raise InUse(
            f"site {site.id} has {count} open ticket(s); close or cancel them first",
            entity=ENTITY,
            field="active",
            open_tickets=count,
        )


def update_site(
    *, session: Session, actor_id: int | None, site_id: int, fields: Mapping[str, Any]
) -> Site:
    """Change the given fields of a site (``active=False`` deactivates).

    Raises
    ------
    NotFound
        No such site, or unknown customer or region.
    InvalidInput
        A bad field.
    InUse
        ``site_in_use`` when deactivating with open tickets.
    """
    site = get_site(session=session, site_id=site_id)
    values = _values(session, fields, site)
    if values.get("active") is False and site.active:
        _check_unused(session, site)
    write_audited(
        session=session, row=site, values=values, actor_id=actor_id, entity=ENTITY,
        action="updated",
    )  # fmt: skip
    return site


def deactivate_site(*, session: Session, actor_id: int | None, site_id: int) -> Site:
    """Mark a site inactive.

    Raises
    ------
    NotFound
        No such site.
    InUse
        ``site_in_use``: it has open tickets.
    """
    site = get_site(session=session, site_id=site_id)
    if site.active:
        _check_unused(session, site)
    write_audited(
        session=session, row=site, values={"active": False}, actor_id=actor_id,
        entity=ENTITY, action="deactivated",
    )  # fmt: skip
    return site
