"""Sites: where a customer's equipment stands (address, position, region, access hours)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.errors import InvalidInput
from dispatch.masterdata.common import (
    active_region,
    check_lat_lon,
    check_text,
    coded_values,
    minutes_of,
    reference,
)
from dispatch.masterdata.entity import Records, no_open_tickets
from dispatch.models import Customer, Region, Site, Ticket
from dispatch.org.listing import Listing, by_code

ENTITY = "site"
_PLAIN = ("code", "name", "address", "lat", "lon", "access_hours", "active")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


list_sites: Listing[Site] = Listing(
    select(Site).order_by(Site.id),
    {
        "customer_code": by_code(Customer.code, "customer", Site.customer_id, str.upper),
        "region_code": by_code(Region.code, "region", Site.region_id),
    },
    Site.active,
    (Site.name, Site.address),
)
"""Sites ordered by id, optionally of one customer (``customer_code``), one region
(``region_code``, exactly), by active flag and with a text in name or address (an unknown
customer or region: ``NotFound`` naming ``customer``/``region``)."""


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
    """The checked column values of ``fields`` (a creation needs a customer, a name, an
    address and a position; its region defaults to the customer's)."""
    values = coded_values(
        session, fields, site, _PLAIN, code_column=Site.code, code_length=32, kind=ENTITY,
        required=("name", "address", "lat", "lon"),
        reference=("customer", "customer_id", "customer_id"), nullable_code=True,
    )  # fmt: skip
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
    elif site is None and customer is not None:
        values["region_id"] = customer.region_id
    return values


SITES = Records(Site, ENTITY, _values, no_open_tickets(Ticket.site_id, ENTITY, "id"))
"""A site's fields: ``customer`` (code) or ``customer_id``, ``name``, ``address``,
``lat``, ``lon``, ``region``/``region_id`` (default: the customer's), ``access_hours``;
``site_in_use`` refuses to deactivate one with open tickets."""
get_site = SITES.get
create_site = SITES.create
update_site = SITES.update
deactivate_site = SITES.deactivate
