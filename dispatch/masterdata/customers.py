"""Customers: who owns the equipment (standard or VIP with a dedicated engineer)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.errors import InvalidInput
from dispatch.masterdata.common import active_region, coded_values, reference
from dispatch.masterdata.entity import Records, no_open_tickets
from dispatch.models import Customer, CustomerTier, Engineer, Region, Ticket
from dispatch.org.listing import Listing, by_code, equals

ENTITY = "customer"
_PLAIN = ("code", "name", "tier", "contact_name", "contact_phone", "contact_email", "active")
_TIERS = {t.value for t in CustomerTier}
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]*$")
"""Customer codes go into work-order numbers: plain letters and digits."""


list_customers: Listing[Customer] = Listing(
    select(Customer).order_by(Customer.code),
    {
        "region_code": by_code(Region.code, "region", Customer.region_id),
        "tier": equals(Customer.tier),
    },
    Customer.active,
    (Customer.code, Customer.name),
)
"""Customers ordered by code, optionally of one region (``region_code``, exactly), ``tier``
and active flag, and with a text in code or name (an unknown region: ``NotFound`` naming
``region``)."""


def _spelling(code: str) -> str:
    """A customer code upper-cased, refused unless plain letters, digits, '-' or '_'."""
    code = code.upper()
    if not _CODE.fullmatch(code):
        raise InvalidInput("code must be letters A-Z, digits, '-' or '_'", field="code")
    return code


def _values(
    session: Session, fields: Mapping[str, Any], customer: Customer | None
) -> dict[str, Any]:
    """The checked column values of ``fields`` (a creation needs a code, a name and a region;
    its tier defaults to standard)."""
    values = coded_values(
        session, fields, customer, _PLAIN, code_column=Customer.code, code_length=16,
        kind=ENTITY, required=("code", "name"), reference=("region", "region_id", "region"),
        spelling=_spelling,
    )  # fmt: skip
    if "tier" in values and values["tier"] not in _TIERS:
        raise InvalidInput(f"tier must be one of {sorted(_TIERS)}", field="tier")
    region = active_region(session, fields)
    if region is not None:
        values["region_id"] = region.id
    if {"dedicated_engineer", "dedicated_engineer_id"} & set(fields):
        engineer = reference(
            session, Engineer, fields, by_id="dedicated_engineer_id",
            by_code="dedicated_engineer", code_column=Engineer.code,
        )  # fmt: skip
        values["dedicated_engineer_id"] = engineer.id if engineer is not None else None
    if customer is None:
        values.setdefault("tier", CustomerTier.STANDARD.value)
    return values


CUSTOMERS = Records(Customer, ENTITY, _values, no_open_tickets(Ticket.customer_id, ENTITY, "code"))
"""A customer's fields: ``code`` (upper-cased), ``name``, ``tier``, ``region`` (code) or
``region_id``, contacts, ``dedicated_engineer`` (code) or ``dedicated_engineer_id``;
``customer_in_use`` refuses to deactivate one with open tickets."""
get_customer = CUSTOMERS.get
create_customer = CUSTOMERS.create
update_customer = CUSTOMERS.update
deactivate_customer = CUSTOMERS.deactivate
