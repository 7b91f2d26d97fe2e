"""Assets: equipment at a site (type = the trade it needs, model, serial, warranty)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from dispatch.errors import Conflict, InvalidInput
from dispatch.infra.rows import get_row
from dispatch.masterdata.common import check_text, reference, require
from dispatch.masterdata.entity import Records
from dispatch.models import Asset, Site
from dispatch.org.listing import Listing, equals

ENTITY = "asset"
_PLAIN = ("equipment_type", "model", "serial", "install_date", "warranty_end", "active")


def _at_site(session: Session, query: Select[Any], site_id: int) -> Select[Any]:
    """The assets at the site ``site_id`` (:class:`~dispatch.errors.NotFound` naming
    ``site`` when there is none)."""
    get_row(session, Site, site_id, "site")
    return query.where(Asset.site_id == site_id)


list_assets: Listing[Asset] = Listing(
    select(Asset).order_by(Asset.id),
    {"site_id": _at_site, "equipment_type": equals(Asset.equipment_type)},
    Asset.active,
    (Asset.model, Asset.serial),
)
"""Assets ordered by id, optionally at one site (``site_id``), of one equipment type, by
active flag and with a text in model or serial."""


def _values(session: Session, fields: Mapping[str, Any], asset: Asset | None) -> dict[str, Any]:
    """The checked column values of ``fields`` (the warranty and uniqueness checked against
    the asset's other values; a creation needs a site, a type, a model and a serial)."""
    if asset is None:
        require(fields, "site_id", "equipment_type", "model", "serial")
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


ASSETS = Records(Asset, ENTITY, _values)
"""An asset's fields: ``site_id``, ``equipment_type``, ``model``, ``serial``,
``install_date``, ``warranty_end``; the same model and serial twice are a ``Conflict``,
a warranty ending before the installation is refused. Nothing keeps an asset active."""
get_asset = ASSETS.get
create_asset = ASSETS.create
update_asset = ASSETS.update
deactivate_asset = ASSETS.deactivate
