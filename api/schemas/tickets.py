"""Ticket schemas: creating, reading, transitions and surveys."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from api.schemas.common import ApiModel, Id, Instant, Text
from dispatch.models import Channel, TicketKind


class WindowIn(ApiModel):
    """An appointment slot: service starts within ``[start, end]``."""

    start: Instant = Field(examples=["2026-11-24T09:00:00+08:00"])
    end: Instant = Field(examples=["2026-11-24T12:00:00+08:00"])


class EngineerRuleIn(ApiModel):
    """An engineer the ticket prefers, requires or excludes."""

    engineer_id: Id = Field(examples=[3])
    kind: Literal["preferred", "required", "excluded"] = Field(examples=["preferred"])


class TicketCreate(ApiModel):
    """A new work order."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "customer_id": 1,
                    "site_id": 1,
                    "asset_id": 2,
                    "kind": "repair",
                    "priority": 1,
                    "estimated_minutes": 90,
                    "symptoms": "passenger trapped in car",
                    "fault_codes": ["E42"],
                    "channel": "phone",
                    "windows": [
                        {"start": "2026-11-24T09:00:00+08:00", "end": "2026-11-24T11:00:00+08:00"}
                    ],
                }
            ]
        },
    )

    customer_id: Id
    site_id: Id
    asset_id: Id | None = None
    kind: TicketKind
    priority: int = Field(ge=1, le=4, description="1 = emergency .. 4 = planned")
    estimated_minutes: int = Field(ge=1, le=1440)
    required_skill: Text | None = Field(
        default=None, max_length=64, description="Default: the asset's equipment type"
    )
    symptoms: Text = Field(default="", max_length=5000)
    fault_codes: list[Annotated[Text, Field(max_length=32)]] = Field(
        default_factory=list, max_length=50
    )
    channel: Channel = Channel.PHONE
    min_level: int = Field(default=1, ge=1, le=3)
    parts_demand: int = Field(default=0, ge=0, le=10_000)
    remote_resolvable: bool = False
    fault_started_at: Instant | None = None
    windows: list[WindowIn] = Field(default_factory=list, max_length=20)
    engineer_rules: list[EngineerRuleIn] = Field(default_factory=list, max_length=50)


EngineerIds = Annotated[list[Id], Field(max_length=50)]
"""Engineer ids for one kind of rule (empty: none)."""


class TicketPatch(ApiModel):
    """Changes to a work order; a field left out (or ``null``) stays as it is, except
    ``pinned_engineer_id``, where ``null`` unpins. ``windows`` and each engineer list replace
    what the ticket had."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"priority": 2, "estimated_minutes": 60},
                {
                    "windows": [
                        {"start": "2026-11-24T13:00:00+08:00", "end": "2026-11-24T17:00:00+08:00"}
                    ],
                    "pinned_engineer_id": 3,
                },
                {"excluded_engineer_ids": [4], "pinned_engineer_id": None},
            ]
        },
    )

    priority: int | None = Field(default=None, ge=1, le=4, description="1 = emergency .. 4")
    windows: list[WindowIn] | None = Field(default=None, max_length=20)
    estimated_minutes: int | None = Field(default=None, ge=1, le=1440)
    required_skill: Text | None = Field(default=None, max_length=64)
    min_level: int | None = Field(default=None, ge=1, le=3)
    preferred_engineer_ids: EngineerIds | None = None
    required_engineer_ids: EngineerIds | None = None
    excluded_engineer_ids: EngineerIds | None = None
    pinned_engineer_id: Id | None = Field(
        default=None, description="Only this engineer may serve it; null unpins"
    )
    symptoms: Text | None = Field(default=None, max_length=5000)


class TransitionIn(ApiModel):
    """A life-cycle action; the parameters an action takes are named in its table row."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"action": "triage", "reason": "customer called, lift stuck"},
                {"action": "dispatch", "engineer_id": 3},
                {"action": "need_follow_up", "parts": ["door motor"], "reason": "part ordered"},
                {"action": "handover", "new_owner_id": 7, "reason": "end of shift"},
            ]
        },
    )

    action: Text = Field(min_length=1, max_length=32, examples=["triage"])
    reason: Text | None = Field(default=None, max_length=2000)
    engineer_id: Id | None = None
    parts: list[Annotated[Text, Field(max_length=200)]] | None = Field(default=None, max_length=50)
    new_owner_id: Id | None = None
    priority: int | None = Field(default=None, ge=1, le=4)


class SurveyIn(ApiModel):
    """The customer's satisfaction score after closure."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"score": 5, "comment": "fast and tidy"}]}
    )

    score: int = Field(ge=1, le=5)
    comment: Text | None = Field(default=None, max_length=2000)


class SurveyOut(ApiModel):
    """A recorded survey."""

    id: int
    ticket_id: int
    score: int = Field(examples=[5])
    comment: str | None
    recorded_at: dt.datetime


class CustomerOut(ApiModel):
    """The customer; contact details only for those who need them (else ``null``)."""

    id: int
    code: str = Field(examples=["ACME00"])
    name: str
    tier: str = Field(examples=["vip"])
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None


class SiteOut(ApiModel):
    """Where the work is."""

    id: int
    name: str
    address: str
    lat: float
    lon: float


class OwnerOut(ApiModel):
    """The dispatcher who owns the ticket (first contact, until handed over)."""

    id: int
    username: str


class WindowOut(ApiModel):
    """An appointment slot."""

    start: dt.datetime
    end: dt.datetime


class EventOut(ApiModel):
    """One entry of the ticket's history."""

    seq: int
    at: dt.datetime
    kind: str = Field(examples=["transition"])
    action: str | None = Field(default=None, examples=["dispatch"])
    from_status: str | None
    to_status: str | None
    actor: str | None = Field(description="Username; null for the system")
    reason: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class TicketSummary(ApiModel):
    """A ticket in a list."""

    id: int
    number: str = Field(examples=["ACME00-REP-20261124-0001"])
    kind: str
    status: str = Field(examples=["triaged"])
    priority: int = Field(examples=[1])
    region_code: str
    customer_code: str
    customer_tier: str
    required_skill: str
    reported_at: dt.datetime
    response_due: dt.datetime | None
    resolution_due: dt.datetime | None
    sla_state: str = Field(examples=["at_risk"])
    escalation_level: int
    owner_id: int | None


class TicketDetail(TicketSummary):
    """A ticket with its people, clocks, history and what the caller may do next."""

    channel: str
    symptoms: str
    fault_codes: list[str]
    asset_id: int | None
    min_level: int
    estimated_minutes: int
    fault_started_at: dt.datetime | None
    responded_at: dt.datetime | None
    resolved_at: dt.datetime | None
    sla_paused: bool = Field(description="On hold: the SLA clocks stand still")
    visit_number: int = Field(description="1, or more after follow-ups")
    assigned_engineer_id: int | None
    customer: CustomerOut
    site: SiteOut
    owner: OwnerOut | None
    windows: list[WindowOut]
    preferred_engineer_ids: list[int] = Field(default_factory=list)
    required_engineer_ids: list[int] = Field(default_factory=list)
    excluded_engineer_ids: list[int] = Field(default_factory=list)
    pinned_engineer_id: int | None = Field(
        default=None, description="Pinned by a dispatcher: only this engineer may serve it"
    )
    events: list[EventOut]
    allowed_actions: list[str] = Field(examples=[["dispatch", "hold_customer", "cancel"]])
    survey: SurveyOut | None
