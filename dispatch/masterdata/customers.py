"""Customers: who owns the equipment (standard or VIP with a dedicated engineer)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.errors import InUse, InvalidInput
from dispatch.masterdata.common import (
    active_region,
    check_code_and_name,
    open_ticket_count,
    reference,
)
from dispatch.masterdata.entity import Records, Reference
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
    """The checked column values of ``fields`` (a creation's tier defaults to standard)."""
    values = {name: fields[name] for name in _PLAIN if name in fields}
    check_code_and_name(
        session, values, customer, code_column=Customer.code, code_length=16, kind=ENTITY,
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


def _check_unused(session: Session, customer: Customer) -> None:
    count = open_ticket_count(session, Ticket.customer_id == customer.id)
    if count:
        raise InUse(
            f"customer {customer.code} has {count} open ticket(s); close or cancel them first",
            entity=ENTITY,
            field="active",
            open_tickets=count,
        )


CUSTOMERS = Records(
    Customer,
    ENTITY,
    _values,
    ("code", "name"),
    Reference("region", "region_id", "region"),
    _check_unused,
)
"""A customer's fields: ``code`` (upper-cased), ``name``, ``tier``, ``region`` (code) or
``region_id``, contacts, ``dedicated_engineer`` (code) or ``dedicated_engineer_id``;
``customer_in_use`` refuses to deactivate one with open tickets."""
get_customer = CUSTOMERS.get
create_customer = CUSTOMERS.create
update_customer = CUSTOMERS.update
deactivate_customer = CUSTOMERS.deactivate
