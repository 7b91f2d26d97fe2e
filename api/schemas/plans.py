"""Optimisation runs and plans."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ConfigDict, Field

from api.schemas.common import ApiModel, Day, PlannedVisitBase, Text


class RunOptionsIn(ApiModel):
    """Options of an optimisation run."""

    model_config = ConfigDict(extra="forbid")

    replan_from_now: bool = Field(
        default=False,
        description="In-day re-plan: engineers start now from their last known positions",
    )
    sla_hard: bool = Field(default=False, description="SLA deadlines as hard rules (default: soft)")
    seed: int = Field(
        default=0, ge=0, le=2**31 - 1, description="Random seed (same inputs + seed -> same plan)"
    )
    iterations: int | None = Field(
        default=None, ge=0, le=10_000_000, description="Search iterations (reproducible runs)"
    )


class OptimizationIn(ApiModel):
    """Request an optimisation run for a region and day."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"region": "SH-E", "date": "2026-11-24", "time_budget_seconds": 10}]
        },
    )

    region: Text = Field(min_length=1, max_length=32, description="Region code")
    date: Day = Field(description="Service day in the region's time zone, within a year of today")
    time_budget_seconds: float = Field(default=10.0, gt=0, le=600)
    options: RunOptionsIn = Field(default_factory=RunOptionsIn)


class OptimizationOut(ApiModel):
    """A run's state."""

    id: int
    region_id: int
    plan_date: dt.date
    status: str = Field(examples=["running"])
    progress: float = Field(ge=0, le=1)
    attempts: int
    time_budget_seconds: float
    error: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    plan_url: str | None = None


class VisitOut(PlannedVisitBase):
    """One planned visit."""

    travel_seconds: int
    lateness_seconds: int
    pinned: bool
    lat: float
    lon: float
    site_name: str


class RouteOut(ApiModel):
    """An engineer's day in the plan."""

    engineer_id: int
    engineer_code: str
    engineer_name: str
    visits: list[VisitOut]
    travel_seconds: int
    service_seconds: int


class UnassignedOut(ApiModel):
    """A ticket the plan leaves out, with the solver's reasons and suggested fix."""

    ticket_id: int
    ticket_number: str
    priority: int
    reasons: list[str] = Field(examples=[["UNREACHABLE_IN_WINDOW"]])
    suggestion: dict[str, Any] | None = Field(
        default=None,
        examples=[
            {
                "kind": "WINDOW_LATER",
                "engineer": "E012",
                "amount": 1500,
                "message": "fits with E012 if the window opens 25 min later",
            }
        ],
    )


class DiffEntry(ApiModel):
    """One ticket that the plan places differently from the published plan."""

    ticket_id: int
    ticket_number: str
    change: str = Field(examples=["moved"], description="added, dropped or moved")
    from_engineer: str | None = None
    to_engineer: str | None = None
    from_start: dt.datetime | None = None
    to_start: dt.datetime | None = None


class PlanDiff(ApiModel):
    """Changes against the published plan of the same region and day."""

    against_plan_id: int | None
    added: int
    dropped: int
    moved: int
    entries: list[DiffEntry]


class PlanOut(ApiModel):
    """A plan with routes, ETAs, unassigned tickets with reasons, KPIs and the diff."""

    id: int
    region_id: int
    region_code: str
    plan_date: dt.date
    status: str
    kpis: dict[str, Any] | None
    notes: list[str]
    inputs_hash: str | None
    solver_status: str | None
    solver_seconds: float | None
    published_at: dt.datetime | None
    routes: list[RouteOut]
    routes_total: int = Field(
        default=0, description="Routes in the plan (``routes`` may be a page of them)"
    )
    unassigned: list[UnassignedOut]
    diff: PlanDiff | None


class PlanSummaryOut(ApiModel):
    """A plan in a list."""

    id: int
    region_id: int
    plan_date: dt.date
    status: str
    kpis: dict[str, Any] | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    published_at: dt.datetime | None


class DispatchNowOut(ApiModel):
    """Where an emergency went, and the re-optimisation queued after it."""

    plan_id: int = Field(description="The new published plan")
    ticket_id: int
    ticket_number: str
    ticket_status: str = Field(examples=["dispatched"])
    engineer_id: int
    engineer_code: str
    sequence: int
    planned_arrival: dt.datetime
    planned_start: dt.datetime
    added_travel_seconds: int
    displaced_ticket_ids: list[int] = Field(
        description="Lower-priority tickets taken out of the route to make room (back in the pool)"
    )
    diverted_ticket_ids: list[int] = Field(
        default_factory=list,
        description=(
            "Of those, the visit whose engineer was called off on the way to it (the SLA "
            "policy's `divert` says which tiers an emergency may interrupt)"
        ),
    )
    insertion_ms: float
    reoptimization_id: int = Field(description="The queued run; poll /optimizations/{id}")
