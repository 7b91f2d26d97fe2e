"""ORM models. Import from here so every table is registered on ``Base.metadata``."""

from dispatch.models.base import Base, utcnow
from dispatch.models.enums import (
    AbsenceReason,
    Channel,
    CustomerTier,
    Employment,
    EngineerLevel,
    EngineerRuleKind,
    PlanStatus,
    RegionKind,
    Role,
    SlaState,
    TicketKind,
    TicketStatus,
    VisitOutcome,
)
from dispatch.models.idempotency import IdempotencyRecord
from dispatch.models.master import AuditEntry, EngineerAbsence
from dispatch.models.org import Asset, Customer, Region, Site
from dispatch.models.outbox import OutboxEvent
from dispatch.models.people import Engineer, EngineerShift, EngineerSkill, User
from dispatch.models.plans import Plan, PlanUnassigned, SiteVisit, Visit
from dispatch.models.tickets import Ticket, TicketEngineerRule, TicketEvent, TicketWindow
from dispatch.models.workflow import FollowUpVisit, HoldKind, Survey, TicketHold

__all__ = [
    "AbsenceReason",
    "Asset",
    "AuditEntry",
    "Base",
    "Channel",
    "Customer",
    "CustomerTier",
    "Employment",
    "Engineer",
    "EngineerAbsence",
    "EngineerLevel",
    "EngineerRuleKind",
    "EngineerShift",
    "EngineerSkill",
    "FollowUpVisit",
    "HoldKind",
    "IdempotencyRecord",
    "OutboxEvent",
    "Plan",
    "PlanStatus",
    "PlanUnassigned",
    "Region",
    "RegionKind",
    "Role",
    "Site",
    "SiteVisit",
    "SlaState",
    "Survey",
    "Ticket",
    "TicketEngineerRule",
    "TicketEvent",
    "TicketHold",
    "TicketKind",
    "TicketStatus",
    "TicketWindow",
    "User",
    "Visit",
    "VisitOutcome",
    "utcnow",
]
