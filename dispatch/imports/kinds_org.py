"""Regions, customers, sites and assets files."""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping
from functools import partial
from typing import Any, ClassVar

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from dispatch.imports import cells as c
from dispatch.imports.spec import Context, Kind, Parser, Row, Stored, Values, opt, req
from dispatch.models import Asset, Customer, CustomerTier, Engineer, Region, RegionKind, Site

_CUSTOMER_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]*$")
"""As ``dispatch/masterdata/customers.py`` checks it: plain letters and digits."""
_code = req(partial(c.text, max_length=32))
_name = req(partial(c.text, max_length=200))
_opt200 = opt(partial(c.text, max_length=200))
_email = opt(partial(c.text, max_length=320))
_phone = opt(partial(c.text, max_length=64))


def _codes(session: Session, model: Any) -> dict[int, str]:
    return {i: code for i, code in session.execute(select(model.id, model.code)) if code}


def _upper_code(cell: str) -> str:
    code = c.text(cell, max_length=16)
    if not _CUSTOMER_CODE.fullmatch(code):
        raise c.CellError(
            f"{code!r} must be letters A-Z, digits, '-' or '_' (it is part of ticket numbers)"
        )
    return code


def _skill_name(cell: str) -> str:
    name = c.text(cell, max_length=64)
    if not c.skills(f"{name}:1"):
        raise c.CellError("a skill name is required")
    return name


class Regions(Kind):
    """``regions.csv``: the tree of regions; a region without a parent is headquarters."""

    entity = "region"
    parsers: ClassVar[Mapping[str, Parser]] = {
        "code": _code,
        "name": _name,
        "parent": opt(partial(c.text, max_length=32)),
        "timezone": opt(c.zone, "UTC"),
        "manager_name": _opt200,
        "manager_email": _email,
    }
    references = (("parent", "regions"),)
    model = Region

    def check(self, values: Values) -> list[tuple[str, str]]:
        """A region cannot be its own parent."""
        if values["parent"] == values["code"]:
            return [("parent", "a region cannot be its own parent")]
        return []

    def load(self, session: Session) -> dict[Hashable, Stored]:
        """Stored regions by code."""
        codes = _codes(session, Region)
        rows = session.execute(
            select(
                Region.id,
                Region.code,
                Region.name,
                Region.parent_id,
                Region.timezone,
                Region.manager_name,
                Region.manager_email,
            )
        )
        return {
            r.code: Stored(
                r.id,
                {
                    "code": r.code,
                    "name": r.name,
                    "parent": codes.get(r.parent_id) if r.parent_id else None,
                    "timezone": r.timezone,
                    "manager_name": r.manager_name,
                    "manager_email": r.manager_email,
                },
            )
            for r in rows
        }

    def write(
        self, session: Session, creates: list[Row], updates: list[tuple[int, Row]], ctx: Context
    ) -> list[tuple[Row, str, str]]:
        """Store regions in waves, parents before children, then link the parents."""
        ids = ctx.ids.setdefault(self.name, {})
        pending = list(creates)
        while pending:
            ready = [r for r in pending if r.values["parent"] in (None, *ids)]
            if not ready:
                return [(r, "parent", "the parents form a cycle") for r in pending]
            result = session.execute(
                insert(Region).returning(Region.id, Region.code),
                [self._with_parent(r.values, ids) for r in ready],
            )
            ids.update({code: new_id for new_id, code in result.all()})
            pending = [r for r in pending if r not in ready]
        if updates:
            session.execute(
                update(Region),
                [{"id": i, **self._with_parent(r.values, ids)} for i, r in updates],
            )
        return []

    def _with_parent(self, values: Values, ids: dict[Hashable, int]) -> dict[str, Any]:
        parent = values["parent"]
        return {
            **{k: values[k] for k in ("code", "name", "timezone", "manager_name", "manager_email")},
            "parent_id": None if parent is None else ids[parent],
            "kind": (RegionKind.HQ if parent is None else RegionKind.REGION).value,
        }


class Customers(Kind):
    """``customers.csv``: customers, with a dedicated engineer for VIPs."""

    entity = "customer"
    parsers: ClassVar[Mapping[str, Parser]] = {
        "code": req(_upper_code),
        "name": _name,
        "tier": opt(partial(c.choice, options=[t.value for t in CustomerTier]), "standard"),
        "region": _code,
        "contact_name": _opt200,
        "contact_phone": _phone,
        "contact_email": _email,
        "dedicated_engineer": opt(partial(c.text, max_length=32)),
    }
    references = (("region", "regions"), ("dedicated_engineer", "engineers"))
    model = Customer

    def load(self, session: Session) -> dict[Hashable, Stored]:
        """Stored customers by code."""
        regions, engineers = _codes(session, Region), _codes(session, Engineer)
        stored = {}
        for r in session.execute(select(Customer.__table__)):
            stored[r.code] = Stored(
                r.id,
                {
                    "code": r.code,
                    "name": r.name,
                    "tier": r.tier,
                    "region": regions[r.region_id],
                    "contact_name": r.contact_name,
                    "contact_phone": r.contact_phone,
                    "contact_email": r.contact_email,
                    "dedicated_engineer": engineers.get(r.dedicated_engineer_id or 0),
                },
            )
        return stored

    def db_values(self, values: Values, ctx: Context) -> dict[str, Any]:
        """Customer columns, stamped with the import's instant."""
        return {**super().db_values(values, ctx), "created_at": ctx.at}


class Sites(Kind):
    """``sites.csv``: the places where customers' equipment stands."""

    entity = "site"
    parsers: ClassVar[Mapping[str, Parser]] = {
        "code": _code,
        "customer": req(_upper_code),
        "name": _name,
        "address": opt(partial(c.text, max_length=2000), ""),
        "lat": req(partial(c.number, low=-90, high=90)),
        "lon": req(partial(c.number, low=-180, high=180)),
        "region": _code,
    }
    references = (("customer", "customers"), ("region", "regions"))
    model = Site

    def load(self, session: Session) -> dict[Hashable, Stored]:
        """Stored sites with a code, by code."""
        regions, customers = _codes(session, Region), _codes(session, Customer)
        rows = session.execute(
            select(
                Site.id,
                Site.code,
                Site.customer_id,
                Site.name,
                Site.address,
                Site.lat,
                Site.lon,
                Site.region_id,
            ).where(Site.code.is_not(None))
        )
        return {
            r.code: Stored(
                r.id,
                {
                    "code": r.code,
                    "customer": customers[r.customer_id],
                    "name": r.name,
                    "address": r.address,
                    "lat": r.lat,
                    "lon": r.lon,
                    "region": regions[r.region_id],
                },
            )
            for r in rows
        }


class Assets(Kind):
    """``assets.csv``: equipment at sites, by serial number."""

    entity = "asset"
    key_columns = ("serial",)
    parsers: ClassVar[Mapping[str, Parser]] = {
        "serial": req(partial(c.text, max_length=200)),
        "site": _code,
        "equipment_type": req(_skill_name),
        "model": _name,
        "install_date": opt(c.date),
        "warranty_end": opt(c.date),
    }
    references = (("site", "sites"),)
    model = Asset

    def check(self, values: Values) -> list[tuple[str, str]]:
        """The warranty cannot end before the installation."""
        start, end = values["install_date"], values["warranty_end"]
        if start is not None and end is not None and end < start:
            return [("warranty_end", "the warranty ends before the installation date")]
        return []

    def load(self, session: Session) -> dict[Hashable, Stored]:
        """Stored assets by serial (at sites with a code)."""
        sites = _codes(session, Site)
        stored: dict[Hashable, Stored] = {}
        for r in session.execute(select(Asset.__table__).order_by(Asset.id)):
            if r.site_id in sites and r.serial not in stored:
                stored[r.serial] = Stored(
                    r.id,
                    {
                        "serial": r.serial,
                        "site": sites[r.site_id],
                        "equipment_type": r.equipment_type,
                        "model": r.model,
                        "install_date": r.install_date,
                        "warranty_end": r.warranty_end,
                    },
                )
        return stored
