"""Assets: equipment at a site (type = the trade it needs, model, serial, warranty)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.errors import Conflict, InvalidInput
from dispatch.infra.paging import Page, paginate, text_filter
from dispatch.infra.rows import get_row
from dispatch.masterdata.common import (
    check_text,
    reference,
    require,
    write_audited,
)
from dispatch.models import Asset, Site

ENTITY = "asset"
_PLAIN = ("equipment_type", "model", "serial", "install_date", "warranty_end", "active")


def list_assets(
    *,
    session: Session,
    site_id: int | None = None,
    equipment_type: str | None = None,
    active: bool | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Page[Asset]:
    """Assets ordered by id, optionally at one site, of one equipment type, by active flag
    and with a text in model or serial.

    Raises
    ------
    NotFound
        Unknown site (``field="site"``).
    """
    query = select(Asset).order_by(Asset.id)
    if site_id is not None:
        get_row(session, Site, site_id, "site")
        query = query.where(Asset.site_id == site_id)
    if equipment_type is not None:
        query = query.where(Asset.equipment_type == equipment_type)
    if active is not None:
        query = query.where(Asset.active.is_(active))
    query = text_filter(query, q, Asset.model, Asset.serial)
    return paginate(session, query, limit=limit, offset=offset)


def get_asset(*, session: Session, asset_id: int) -> Asset:
    """The asset with ``asset_id`` (:class:`~dispatch.errors.NotFound` when none)."""
    return get_row(session, Asset, asset_id, ENTITY)


def _values(session: Session, fields: Mapping[str, Any], asset: Asset | None) -> dict[str, Any]:
    values = {name: fields[name] for name in _PLAIN if name in fields}
    for name, length in (("equipment_type", 64), ("model", 200), ("serial", 200)):
        if name in values:
            values[name] = check_text(values[name], name, max_length=length)
    site = reference(session, Site, fields, by_id="site_id")
    if site is not None:
        if not site.active:
            raise InvalidInput(f"site {site.id} is inactive", field="site_id")
        values["site_id"] = site.id
    merged = {
        name: values.get(name, getattr(asset, name) if asset is not None else None)
        for name in ("model", "serial", "install_date", "warranty_end")
    }
    first, last = merged["install_date"], merged["warranty_end"]
    if first and last and last < first:
        raise InvalidInput("warranty_end is before install_date", field="warranty_end")
    if {"model", "serial"} & set(values):
        duplicate = session.scalar(
            select(Asset.id).where(
                Asset.model == merged["model"],
                Asset.serial == merged["serial"],
                Asset.id != (asset.id if asset is not None else -1),
            )
        )
        if duplicate is not None:
            raise Conflict(
                f"asset {duplicate} already has model {merged['model']!r} and serial "
                f"{merged['serial']!r}",
                field="serial",
                existing_id=duplicate,
            )
    return values


def create_asset(*, session: Session, actor_id: int | None, fields: Mapping[str, Any]) -> Asset:
    """Add an asset: ``site_id``, ``equipment_type``, ``model``, ``serial``,
    ``install_date``, ``warranty_end``.

    Raises
    ------
    InvalidInput
        A missing or bad field (named), an inactive site, a warranty ending before install.
    NotFound
        Unknown site.
    Conflict
        The same model and serial exist.
    """
    require(fields, "site_id", "equipment_type", "model", "serial")
    values = _values(session, fields, None)
    values.setdefault("active", True)
    asset = Asset()
    write_audited(
        session=session, row=asset, values=values, actor_id=actor_id, entity=ENTITY,
        action="created",
    )  # fmt: skip
    return asset


def update_asset(
    *, session: Session, actor_id: int | None, asset_id: int, fields: Mapping[str, Any]
) -> Asset:
    """Change the given fields of an asset.

    Raises
    ------
    NotFound
        No such asset or site.
    InvalidInput
        A bad field.
    Conflict
        The same model and serial exist.
    """
    asset = get_asset(session=session, asset_id=asset_id)
    values = _values(session, fields, asset)
    write_audited(
        session=session, row=asset, values=values, actor_id=actor_id, entity=ENTITY,
        action="updated",
    )  # fmt: skip
    return asset


def deactivate_asset(*, session: Session, actor_id: int | None, asset_id: int) -> Asset:
    """Mark an asset inactive (:class:`~dispatch.errors.NotFound` when none)."""
    asset = get_asset(session=session, asset_id=asset_id)
    write_audited(
        session=session, row=asset, values={"active": False}, actor_id=actor_id,
        entity=ENTITY, action="deactivated",
    )  # fmt: skip
    return asset
