"""Work orders: creating (validated, numbered, due instants computed), listing and reading."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dispatch.errors import InvalidInput, NotFound
from dispatch.infra.day_clock import utc_text
from dispatch.infra.events import EventKind
from dispatch.infra.paging import Page, paginate
from dispatch.models import (
    Asset,
    Channel,
    Customer,
    Region,
    Role,
    Site,
    SlaState,
    Ticket,
    TicketEngineerRule,
    TicketEvent,
    TicketKind,
    TicketStatus,
    TicketWindow,
    User,
    utcnow,
)
from dispatch.org import regions as region_tree
from dispatch.sla.clocks import recompute_due, region_calendar
from dispatch.sla.policy import SlaPolicy, session_policy
from dispatch.tickets.assignment import assigned_engineer_id, tickets_assigned_to
from dispatch.tickets.checks import (
    aware,
    check_numbers,
    check_skill,
    choice,
    engineer_rule_rows,
    window_rows,
)
from dispatch.tickets.filters import TicketFilters, apply_filters
from dispatch.tickets.history import announce, record_event
from dispatch.tickets.numbering import next_ticket_number


@dataclass(frozen=True)
class TicketDraft:
    """What a new work order must (and may) carry.

    ``windows`` are appointment slots ``(start, end)``; ``engineer_rules`` name engineers
    as ``(engineer_id, "preferred" | "required" | "excluded")``.
    """

    customer_id: int
    site_id: int
    kind: str
    priority: int
    estimated_minutes: int
    required_skill: str | None = None
    asset_id: int | None = None
    symptoms: str = ""
    fault_codes: Sequence[str] = ()
    channel: str = Channel.PHONE.value
    min_level: int = 1
    parts_demand: int = 0
    remote_resolvable: bool = False
    fault_started_at: dt.datetime | None = None
    windows: Sequence[tuple[dt.datetime, dt.datetime]] = ()
    engineer_rules: Sequence[tuple[int, str]] = field(default_factory=tuple)


def _place(session: Session, draft: TicketDraft) -> tuple[Customer, Site, Asset | None]:
    customer = session.get(Customer, draft.customer_id)
    if customer is None:
        raise NotFound(f"no customer {draft.customer_id}", field="customer_id")
    site = session.get(Site, draft.site_id)
    if site is None:
        raise NotFound(f"no site {draft.site_id}", field="site_id")
    if site.customer_id != customer.id:
        raise InvalidInput(
            f"site {site.id} belongs to another customer than {customer.code}", field="site_id"
        )
    asset = None
    if draft.asset_id is not None:
        asset = session.get(Asset, draft.asset_id)
        if asset is None:
            raise NotFound(f"no asset {draft.asset_id}", field="asset_id")
        if asset.site_id != site.id:
            raise InvalidInput(f"asset {asset.id} is not at site {site.id}", field="asset_id")
    return customer, site, asset


def create_ticket(
    *,
    session: Session,
    draft: TicketDraft,
    actor: User | None,
    at: dt.datetime | None = None,
    policy: SlaPolicy | None = None,
    any_skill: bool = False,
) -> Ticket:
    """Create a work order from ``draft``: validate, number, compute due instants, record.

    The number is ``{customer}-{kind}-{yyyymmdd}-{seq}`` with the request's local date in
    the site's region. A ``created`` event is recorded and ``ticket.created`` announced.

    Parameters
    ----------
    session
        Open session; the caller commits.
    draft
        The request.
    actor
        Who takes the request (``None``: the system, e.g. an import).
    at
        When the request was reported (aware; default now).
    policy
        The SLA policy (default: the one bound to the session, else the packaged one).
    any_skill
        Accept a skill no engineer has (a generated data set whose few engineers lack it:
        the planner reports the ticket unassignable); default: refused.

    Raises
    ------
    NotFound
        Unknown customer, site, asset or engineer (``field`` names it).
    InvalidInput
        Site not the customer's, asset not at the site, unknown skill, a window not
        ending after it starts, priority outside 1..4, other out-of-range values.
    """
    at = aware(at or utcnow(), "reported_at").astimezone(dt.UTC)
    checked = _checked_draft(session, draft, at, any_skill=any_skill)
    policy = session_policy(session, policy)
    zone = region_calendar(checked.site.region, policy).zone
    number = next_ticket_number(
        session=session,
        customer_code=checked.customer.code,
        kind=TicketKind(checked.kind),
        day=at.astimezone(zone).date(),
    )
    ticket = _new_row(draft, checked, number, at)
    session.add(ticket)
    session.flush()
    recompute_due(session=session, ticket=ticket, at=at, policy=policy, start=at)
    _announce_creation(session, ticket, actor, at)
    return ticket


def _announce_creation(
    session: Session, ticket: Ticket, actor: User | None, at: dt.datetime
) -> None:
    """Record the ``created`` event and emit ``ticket.created``."""
    record_event(
        session=session,
        ticket=ticket,
        kind="created",
        at=at,
        actor=actor,
        to_status=TicketStatus.NEW.value,
        after={
            "number": ticket.number,
            "priority": ticket.priority,
            "response_due": ticket.response_due,
            "resolution_due": ticket.resolution_due,
        },
    )
    announce(
        session,
        EventKind.TICKET_CREATED,
        ticket,
        {"priority": ticket.priority, "at": utc_text(at)},
    )


@dataclass(frozen=True)
class _Checked:
    """A draft's facts after the checks: choices normalised, rows found and built."""

    kind: str
    channel: str
    customer: Customer
    site: Site
    asset: Asset | None
    skill: str
    windows: list[TicketWindow]
    rules: list[TicketEngineerRule]
    fault_started: dt.datetime | None


def _checked_draft(
    session: Session, draft: TicketDraft, at: dt.datetime, *, any_skill: bool = False
) -> _Checked:
    """Check ``draft`` reported at ``at``, in creation's order of checks."""
    kind = choice(draft.kind, TicketKind, "kind")
    channel = choice(draft.channel, Channel, "channel")
    check_numbers(
        priority=draft.priority,
        estimated_minutes=draft.estimated_minutes,
        min_level=draft.min_level,
        parts_demand=draft.parts_demand,
    )
    customer, site, asset = _place(session, draft)
    skill = draft.required_skill or (asset.equipment_type if asset is not None else None)
    if skill is None:
        raise InvalidInput(
            "required_skill is needed when no asset is given", field="required_skill"
        )
    skill = skill if any_skill else check_skill(session, skill)
    windows = window_rows(draft.windows)
    rules = engineer_rule_rows(session, draft.engineer_rules)
    fault_started = (
        aware(draft.fault_started_at, "fault_started_at") if draft.fault_started_at else None
    )
    if fault_started is not None and fault_started > at:
        raise InvalidInput("the fault cannot start after it was reported", field="fault_started_at")
    return _Checked(kind, channel, customer, site, asset, skill, windows, rules, fault_started)


_AS_CHECKED = ("kind", "channel", "customer", "site", "asset")
"""A new ticket's columns that are the draft's facts as checked (normalised, rows found)."""

_AS_DRAFTED = (
    "symptoms",
    "priority",
    "min_level",
    "estimated_minutes",
    "parts_demand",
    "remote_resolvable",
)
"""A new ticket's columns that are the draft's facts as they are."""


def _named(source: object, names: Sequence[str]) -> dict[str, Any]:
    """``source``'s attributes ``names``, by name (columns of the same name)."""
    return {name: getattr(source, name) for name in names}


def _new_row(draft: TicketDraft, checked: _Checked, number: str, at: dt.datetime) -> Ticket:
    """The new ticket's row (status new, SLA ok), not yet added."""
    ticket = Ticket(
        number=number,
        **_named(checked, _AS_CHECKED),
        region=checked.site.region,
        **_named(draft, _AS_DRAFTED),
        fault_codes=[c.strip() for c in draft.fault_codes if c.strip()],
        required_skill=checked.skill,
        status=TicketStatus.NEW.value,
        sla_state=SlaState.OK.value,
        reported_at=at,
        fault_started_at=checked.fault_started,
        created_at=at,
        updated_at=at,
    )
    ticket.windows = checked.windows
    ticket.engineer_rules = checked.rules
    return ticket


def region_ids(*, session: Session, code: str) -> list[int]:
    """The region with ``code`` and every region below it (headquarters: all).

    Raises
    ------
    NotFound
        No region has ``code`` (``field="region"``).
    """
    root = session.scalar(select(Region.id).where(Region.code == code))
    if root is None:
        raise NotFound(f"no region {code!r}", field="region")
    return region_tree.region_ids(session=session, region_id=root)


def list_tickets(
    *,
    session: Session,
    status: TicketStatus | str | None = None,
    tier: int | None = None,
    region_code: str | None = None,
    sla_state: SlaState | str | None = None,
    limit: int = 100,
    offset: int = 0,
    viewer: User | None = None,
    filters: TicketFilters | None = None,
) -> Page[Ticket]:
    """Tickets, most urgent first (priority, then response due, then id), filtered.

    Parameters
    ----------
    viewer
        Who asks: an engineer sees only the tickets assigned to them
        (:mod:`dispatch.tickets.assignment`); ``None`` or a dispatcher sees all.
    tier
        The priority tier 1..4.
    region_code
        A region code; includes the regions below it.
    filters
        Period, customer, engineer, free text and sort order
        (:class:`dispatch.tickets.filters.TicketFilters`).

    Raises
    ------
    InvalidInput
        Unknown status, SLA state or sort field, tier outside 1..4, bad paging.
    NotFound
        Unknown region, customer or engineer.
    """
    query = select(Ticket).options(selectinload(Ticket.region), selectinload(Ticket.customer))
    if status is not None:
        try:
            query = query.where(Ticket.status == TicketStatus(status).value)
        except ValueError as exc:
            raise InvalidInput(f"unknown status {status!r}", field="status") from exc
    if sla_state is not None:
        try:
            query = query.where(Ticket.sla_state == SlaState(sla_state).value)
        except ValueError as exc:
            raise InvalidInput(f"unknown SLA state {sla_state!r}", field="sla_state") from exc
    if tier is not None:
        if not 1 <= tier <= 4:
            raise InvalidInput("tier must be 1..4", field="tier")
        query = query.where(Ticket.priority == tier)
    if region_code is not None:
        query = query.where(Ticket.region_id.in_(region_ids(session=session, code=region_code)))
    if viewer is not None and viewer.role == Role.ENGINEER.value:
        mine = (
            tickets_assigned_to(session=session, engineer_id=viewer.engineer_id)
            if viewer.engineer_id is not None
            else set()
        )
        query = query.where(Ticket.id.in_(sorted(mine) or [-1]))
    query = apply_filters(query, filters or TicketFilters(), session=session)
    return paginate(session, query, limit=limit, offset=offset)


def get_ticket(*, session: Session, ticket_id: int, viewer: User | None = None) -> Ticket:
    """The ticket with ``ticket_id``.

    Parameters
    ----------
    viewer
        Who asks: an engineer may see only a ticket assigned to them
        (:mod:`dispatch.tickets.assignment`); ``None`` or a dispatcher sees any.

    Raises
    ------
    NotFound
        No such ticket, or the viewer is an engineer it is not assigned to (the same
        answer: an engineer does not learn that other tickets exist).
    """
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or not may_see(session=session, ticket=ticket, viewer=viewer):
        raise NotFound(f"no ticket {ticket_id}", field="ticket_id")
    return ticket


def may_see(*, session: Session, ticket: Ticket, viewer: User | None) -> bool:
    """Whether ``viewer`` may see ``ticket``: desk roles (and the system) all, an engineer
    only the tickets assigned to them now."""
    if viewer is None or viewer.role != Role.ENGINEER.value:
        return True
    owner = assigned_engineer_id(session=session, ticket=ticket)
    return viewer.engineer_id is not None and owner == viewer.engineer_id


def ticket_events(*, session: Session, ticket: Ticket) -> list[TicketEvent]:
    """The ticket's history in order (``seq``), with the actors loaded."""
    return list(
        session.scalars(
            select(TicketEvent)
            .options(selectinload(TicketEvent.actor))
            .where(TicketEvent.ticket_id == ticket.id)
            .order_by(TicketEvent.seq)
        )
    )
