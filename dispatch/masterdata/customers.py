"""Customers: who owns the equipment (standard or VIP with a dedicated engineer)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.errors import InUse, InvalidInput
from dispatch.infra.paging import Page, paginate, text_filter
from dispatch.infra.rows import get_row
from dispatch.masterdata.common import (
    active_region,
    check_text,
    check_unique,
    find_by_code,
    open_ticket_count,
    reference,
    require,
    write_audited,
)
from dispatch.models import Customer, CustomerTier, Engineer, Region, Ticket

ENTITY = "customer"
_PLAIN = ("code", "name", "tier", "contact_name", "contact_phone", "contact_email", "active")
_TIERS = {t.value for t in CustomerTier}
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]*$")
"""Customer codes go into work-order numbers: plain letters and digits."""


def list_customers(
    *,
    session: Session,
    region_code: str | None = None,
    tier: str | None = None,
    active: bool | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Page[Customer]:
    """Customers ordered by code, optionally of one region (exactly), tier and active flag,
    and with a text in code or name.

    Raises
    ------
    NotFound
        Unknown region (``field="region"``).
    """
    query = select(Customer).order_by(Customer.code)
    if region_code is not None:
        region = find_by_code(session, Region.code, region_code, "region")
        query = query.where(Customer.region_id == region.id)
    if tier is not None:
        query = query.where(Customer.tier == tier)
    if active is not None:
        query = query.where(Customer.active.is_(active))
    query = text_filter(query, q, Customer.code, Customer.name)
    return paginate(session, query, limit=limit, offset=offset)


def get_customer(*, session: Session, customer_id: int) -> Customer:
    """The customer with ``customer_id`` (:class:`~dispatch.errors.NotFound` when none)."""
    return get_row(session, Customer, customer_id, ENTITY)


def _values(
    session: Session, fields: Mapping[str, Any], customer: Customer | None
) -> dict[str, Any]:
    values = {name: fields[name] for name in _PLAIN if name in fields}
    if "code" in values:
        values["code"] = check_text(values["code"], "code", max_length=16).upper()
        if not _CODE.fullmatch(values["code"]):
            raise InvalidInput("code must be letters A-Z, digits, '-' or '_'", field="code")
        check_unique(
            session, Customer.code, values["code"], field="code", kind=ENTITY,
            exclude_id=customer.id if customer is not None else None,
        )  # fmt: skip
    if "name" in values:
        values["name"] = check_text(values["name"], "name", max_length=200)
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
    return values


def create_customer(
    *, session: Session, actor_id: int | None, fields: Mapping[str, Any]
) -> Customer:
    """Add a customer: ``code`` (upper-cased), ``name``, ``tier``, ``region`` (code) or
    ``region_id``, contacts, ``dedicated_engineer`` (code) or ``dedicated_engineer_id``.

    Raises
    ------
    InvalidInput
        A missing or bad field (named), an inactive region.
    NotFound
        Unknown region or engineer.
    Conflict
        The code is taken.
    """
    require(fields, "code", "name")
    if fields.get("region_id") is None and fields.get("region") is None:
        raise InvalidInput("region (code) or region_id is required", field="region")
    values = _values(session, fields, None)
    values.setdefault("tier", CustomerTier.STANDARD.value)
    values.setdefault("active", True)
    customer = Customer()
    write_audited(
        session=session, row=customer, values=values, actor_id=actor_id, entity=ENTITY,
        action="created",
    )  # fmt: skip
    return customer


def _check_unused(session: Session, customer: Customer) -> None:
    count = open_ticket_count(session, Ticket.customer_id == customer.id)
    if count:
        raise InUse(
            f"customer {customer.code} has {count} open ticket(s); close or cancel them first",
            entity=ENTITY,
            field="active",
            open_tickets=count,
        )


def update_customer(
    *, session: Session, actor_id: int | None, customer_id: int, fields: Mapping[str, Any]
) -> Customer:
    """Change the given fields of a customer (``active=False`` deactivates).

    Raises
    ------
    NotFound
        No such customer, or unknown region or engineer.
    InvalidInput
        A bad field.
    Conflict
        The code is taken; ``customer_in_use`` when deactivating with open tickets.
    """
    customer = get_customer(session=session, customer_id=customer_id)
    values = _values(session, fields, customer)
    if values.get("active") is False and customer.active:
        _check_unused(session, customer)
    write_audited(
        session=session, row=customer, values=values, actor_id=actor_id, entity=ENTITY,
        action="updated",
    )  # fmt: skip
    return customer


def deactivate_customer(*, session: Session, actor_id: int | None, customer_id: int) -> Customer:
    """Mark a customer inactive.

    Raises
    ------
    NotFound
        No such customer.
    InUse
        ``customer_in_use``: it has open tickets.
    """
    customer = get_customer(session=session, customer_id=customer_id)
    if customer.active:
        _check_unused(session, customer)
    write_audited(
        session=session, row=customer, values={"active": False}, actor_id=actor_id,
        entity=ENTITY, action="deactivated",
    )  # fmt: skip
    return customer
