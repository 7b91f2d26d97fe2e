"""Enumerations stored as strings (with CHECK constraints) in the database."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint


class Role(StrEnum):
    """What a user may do."""

    ADMIN = "admin"
    DISPATCHER = "dispatcher"
    ENGINEER = "engineer"


class EngineerLevel(StrEnum):
    """Seniority: junior (basic), mid (3+ years, certified), senior (support, training)."""

    JUNIOR = "junior"
    MID = "mid"
    SENIOR = "senior"


class Employment(StrEnum):
    """Employees or an outsourced provider's staff (contractors cost money per job)."""

    EMPLOYEE = "employee"
    CONTRACTOR = "contractor"


class CustomerTier(StrEnum):
    """Standard or VIP (dedicated engineer, priority parts)."""

    STANDARD = "standard"
    VIP = "vip"


class RegionKind(StrEnum):
    """Headquarters at the top, regional service centres below."""

    HQ = "hq"
    REGION = "region"


class TicketKind(StrEnum):
    """Kinds of work."""

    INSTALLATION = "installation"
    REPAIR = "repair"
    PREVENTIVE_MAINTENANCE = "preventive_maintenance"
    INSPECTION = "inspection"
    UPGRADE = "upgrade"
    COMPLAINT = "complaint"
    DECOMMISSIONING = "decommissioning"


TICKET_KIND_CODES: dict[TicketKind, str] = {
    TicketKind.INSTALLATION: "INS",
    TicketKind.REPAIR: "REP",
    TicketKind.PREVENTIVE_MAINTENANCE: "PM",
    TicketKind.INSPECTION: "INSP",
    TicketKind.UPGRADE: "UPG",
    TicketKind.COMPLAINT: "CMP",
    TicketKind.DECOMMISSIONING: "DEC",
}
"""Service-type codes used in work-order numbers."""


class Channel(StrEnum):
    """How a request arrived."""

    PHONE = "phone"
    WEB = "web"
    APP = "app"
    SERVICE_POINT = "service_point"


class TicketStatus(StrEnum):
    """States of a work order's life cycle."""

    NEW = "new"
    TRIAGED = "triaged"
    RESOLVED_REMOTELY = "resolved_remotely"
    SCHEDULED = "scheduled"
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    ON_SITE = "on_site"
    COMPLETED = "completed"
    NEEDS_FOLLOW_UP = "needs_follow_up"
    AWAITING_ACCEPTANCE = "awaiting_acceptance"
    CLOSED = "closed"
    ON_HOLD_CUSTOMER = "on_hold_customer"
    ON_HOLD_PARTS = "on_hold_parts"
    CANCELLED = "cancelled"
    REOPENED = "reopened"


class SlaState(StrEnum):
    """Where a ticket stands against its service level."""

    OK = "ok"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    MET = "met"


class EngineerRuleKind(StrEnum):
    """How a ticket names an engineer: soft preference or hard rule."""

    PREFERRED = "preferred"
    REQUIRED = "required"
    EXCLUDED = "excluded"


class PlanStatus(StrEnum):
    """An optimisation run and the plan it produced."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"


class VisitOutcome(StrEnum):
    """What an engineer reports at check-out."""

    FIXED = "fixed"
    NEEDS_FOLLOW_UP = "needs_follow_up"
    NO_ACCESS = "no_access"


def enum_check(column: str, enum: type[StrEnum], name: str | None = None) -> CheckConstraint:
    """A CHECK constraint that ``column`` holds one of ``enum``'s values."""
    values = ", ".join(f"'{member.value}'" for member in enum)
    return CheckConstraint(f"{column} IN ({values})", name=name or f"{column}_valid")


class AbsenceReason(StrEnum):
    """Why an engineer is away (the optimiser plans nobody inside an absence)."""

    SICK = "sick"
    LEAVE = "leave"
    TRAINING = "training"
    OTHER = "other"
