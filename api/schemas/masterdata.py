"""Master-data schemas: regions, customers, sites, assets and the audit trail.

``...Create`` bodies carry what a new record needs; ``...Patch`` bodies carry only the fields
to change (absent = unchanged). Records are referred to by code (``region``) or id
(``region_id``). Personal data (managers, contacts) is only served to dispatchers and admins.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import (
    ApiModel,
    ClockTime,
    Code,
    Day,
    Email,
    Id,
    Latitude,
    Longitude,
    Name,
    Phone,
    Text,
    patch_of,
)

Tier = Literal["standard", "vip"]
AccessHours = dict[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], list[ClockTime]]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegionCreate(_Body):
    """A new region; without a parent it is a headquarters (a root)."""

    code: Code
    name: Name
    timezone: Text = Field(max_length=64, examples=["Asia/Shanghai"], description="IANA zone")
    parent: Code | None = Field(default=None, description="Parent region's code")
    parent_id: Id | None = None
    manager_name: Name | None = None
    manager_email: Email | None = None
    active: bool = True


@patch_of(RegionCreate)
class RegionPatch(_Body):
    """Fields of a region to change."""


class RegionRecord(ApiModel):
    """A region of the organisation."""

    id: int
    code: str
    name: str
    kind: str = Field(examples=["region"])
    parent_id: int | None
    timezone: str
    manager_name: str | None = None
    manager_email: str | None = None
    active: bool


CustomerCode = Annotated[
    str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", max_length=16, examples=["ACME"])
]
"""A customer's code (letters, digits, ``-``, ``_``; stored upper-case)."""


class CustomerCreate(_Body):
    """A new customer (``code`` is stored upper-case)."""

    code: CustomerCode
    name: Name
    tier: Tier = "standard"
    region: Code | None = Field(default=None, description="Region code (or region_id)")
    region_id: Id | None = None
    contact_name: Name | None = None
    contact_phone: Phone | None = None
    contact_email: Email | None = None
    dedicated_engineer: Code | None = Field(default=None, description="Engineer code (VIPs)")
    dedicated_engineer_id: Id | None = None
    active: bool = True


@patch_of(CustomerCreate)
class CustomerPatch(_Body):
    """Fields of a customer to change (``dedicated_engineer_id: null`` clears it)."""


class CustomerRecord(ApiModel):
    """A customer."""

    id: int
    code: str
    name: str
    tier: str
    region_id: int
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    dedicated_engineer_id: int | None
    active: bool


class SiteCreate(_Body):
    """A new site; its region defaults to the customer's."""

    code: Code | None = Field(default=None, description="The organisation's own site code")
    customer: CustomerCode | None = Field(default=None, description="Customer code")
    customer_id: Id | None = None
    name: Name
    address: Text = Field(min_length=1, max_length=2000)
    lat: Latitude
    lon: Longitude
    region: Code | None = None
    region_id: Id | None = None
    access_hours: AccessHours | None = Field(
        default=None,
        description='Opening hours per day, e.g. {"mon": ["08:00", "18:00"]}; '
        "a missing day is closed; null = always open",
    )
    active: bool = True


@patch_of(SiteCreate)
class SitePatch(_Body):
    """Fields of a site to change."""


class SiteRecord(ApiModel):
    """A site."""

    id: int
    code: str | None
    customer_id: int
    region_id: int
    name: str
    address: str
    lat: float
    lon: float
    access_hours: dict[str, list[str]] | None
    active: bool


Label = Annotated[Text, Field(min_length=1, max_length=200)]


class AssetCreate(_Body):
    """A new asset; ``equipment_type`` is the trade it needs (an engineer skill)."""

    site_id: Id
    equipment_type: Annotated[Text, Field(min_length=1, max_length=64, examples=["elevator"])]
    model: Label
    serial: Label
    install_date: Day | None = None
    warranty_end: Day | None = None
    active: bool = True


@patch_of(AssetCreate)
class AssetPatch(_Body):
    """Fields of an asset to change."""


class AssetRecord(ApiModel):
    """A piece of equipment at a site."""

    id: int
    site_id: int
    equipment_type: str
    model: str
    serial: str
    install_date: dt.date | None
    warranty_end: dt.date | None
    active: bool


class AuditEntryOut(ApiModel):
    """One recorded change: who, when, which record, the changed fields before and after."""

    id: int
    at: dt.datetime
    actor_id: int | None
    entity: str = Field(examples=["engineer"])
    entity_id: int
    action: str = Field(examples=["updated"])
    before: dict[str, Any] | None
    after: dict[str, Any] | None
