"""Work orders: creating (validated, numbered, due instants computed), listing and reading."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dispatch.errors import Conflict, InvalidInput, NotFound
from dispatch.infra.day_clock import utc_text
from dispatch.infra.events import EventKind, emit
from dispatch.infra.paging import Page, paginate
from dispatch.models import (
    Asset,
    Channel,
    Customer,
    Engineer,
    EngineerRuleKind,
    EngineerSkill,
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
from dispatch.sla.clocks import recompute_due, region_calendar
from dispatch.sla.policy import SlaPolicy, session_policy
from dispatch.tickets.assignment import assigned_engineer_id, tickets_assigned_to
from dispatch.tickets.filters import TicketFilters, apply_filters
from dispatch.tickets.history import lock_ticket, record_event
from dispatch.tickets.numbering import next_ticket_number

_SKILL = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


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


def _choice(value: str, allowed: type[TicketKind] | type[Channel], name: str) -> str:
    try:
        return allowed(value).value
    except ValueError as exc:
        options = ", ".join(m.value for m in allowed)
        raise InvalidInput(f"{name} must be one of {options}", field=name) from exc


def _aware(value: dt.datetime, name: str) -> dt.datetime:
    if value.tzinfo is None:
        raise InvalidInput(f"{name} must carry a time zone", field=name)
    return value


def _check_numbers(draft: TicketDraft) -> None:
    if not 1 <= draft.priority <= 4:
        raise InvalidInput("priority must be 1 (emergency) .. 4 (planned)", field="priority")
    if not 1 <= draft.estimated_minutes <= 1440:
        raise InvalidInput("estimated_minutes must be 1..1440", field="estimated_minutes")
    if not 1 <= draft.min_level <= 3:
        raise InvalidInput("min_level must be 1..3", field="min_level")
    if draft.parts_demand < 0:
        raise InvalidInput("parts_demand must be >= 0", field="parts_demand")


def _check_skill(session: Session, skill: str) -> str:
    if not _SKILL.match(skill):
        raise InvalidInput(
            "required_skill must be a lower-case name like 'elevator'", field="required_skill"
        )
    known = sorted(set(session.scalars(select(EngineerSkill.skill).distinct())))
    if skill not in known:
        raise InvalidInput(
            f"no engineer has skill {skill!r}; known skills: {', '.join(known) or 'none'}",
            field="required_skill",
        )
    return skill


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


def _rules(session: Session, draft: TicketDraft) -> list[TicketEngineerRule]:
    rules: list[TicketEngineerRule] = []
    seen: set[int] = set()
    for i, (engineer_id, kind) in enumerate(draft.engineer_rules):
        where = f"engineer_rules.{i}"
        try:
            kind = EngineerRuleKind(kind).value
        except ValueError as exc:
            raise InvalidInput(
                "kind must be preferred, required or excluded", field=f"{where}.kind"
            ) from exc
        if session.get(Engineer, engineer_id) is None:
            raise NotFound(f"no engineer {engineer_id}", field=f"{where}.engineer_id")
        if engineer_id in seen:
            raise InvalidInput(
                f"engineer {engineer_id} is named twice", field=f"{where}.engineer_id"
            )
        seen.add(engineer_id)
        rules.append(TicketEngineerRule(engineer_id=engineer_id, kind=kind))
    return rules


def _windows(draft: TicketDraft) -> list[TicketWindow]:
    windows = []
    for i, (start, end) in enumerate(draft.windows):
        _aware(start, f"windows.{i}.start")
        _aware(end, f"windows.{i}.end")
        if end <= start:
            raise InvalidInput("a window must end after it starts", field=f"windows.{i}.end")
        windows.append(TicketWindow(start=start, end=end))
    return windows


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
    at = _aware(at or utcnow(), "reported_at").astimezone(dt.UTC)
    kind = _choice(draft.kind, TicketKind, "kind")
    channel = _choice(draft.channel, Channel, "channel")
    _check_numbers(draft)
    customer, site, asset = _place(session, draft)
    skill = draft.required_skill or (asset.equipment_type if asset is not None else None)
    if skill is None:
        raise InvalidInput(
            "required_skill is needed when no asset is given", field="required_skill"
        )
    skill = skill if any_skill else _check_skill(session, skill)
    windows = _windows(draft)
    rules = _rules(session, draft)
    fault_started = (
        _aware(draft.fault_started_at, "fault_started_at") if draft.fault_started_at else None
    )
    if fault_started is not None and fault_started > at:
        raise InvalidInput("the fault cannot start after it was reported", field="fault_started_at")
    region = site.region
    policy = session_policy(session, policy)
    zone = region_calendar(region, policy).zone
    number = next_ticket_number(
        session=session,
        customer_code=customer.code,
        kind=TicketKind(kind),
        day=at.astimezone(zone).date(),
    )
    ticket = Ticket(
        number=number,
        kind=kind,
        channel=channel,
        customer=customer,
        site=site,
        asset=asset,
        region=region,
        symptoms=draft.symptoms,
        fault_codes=[c.strip() for c in draft.fault_codes if c.strip()],
        priority=draft.priority,
        required_skill=skill,
        min_level=draft.min_level,
        estimated_minutes=draft.estimated_minutes,
        parts_demand=draft.parts_demand,
        remote_resolvable=draft.remote_resolvable,
        status=TicketStatus.NEW.value,
        sla_state=SlaState.OK.value,
        reported_at=at,
        fault_started_at=fault_started,
        created_at=at,
        updated_at=at,
    )
    ticket.windows = windows
    ticket.engineer_rules = rules
    session.add(ticket)
    session.flush()
    recompute_due(session=session, ticket=ticket, at=at, policy=policy, start=at)
    record_event(
        session=session,
        ticket=ticket,
        kind="created",
        at=at,
        actor=actor,
        to_status=TicketStatus.NEW.value,
        after={
            "number": number,
            "priority": ticket.priority,
            "response_due": ticket.response_due,
            "resolution_due": ticket.resolution_due,
        },
    )
    emit(
        session,
        EventKind.TICKET_CREATED,
        {
            "ticket_id": ticket.id,
            "number": number,
            "region_id": ticket.region_id,
            "priority": ticket.priority,
            "at": utc_text(at),
        },
    )
    return ticket


def region_ids(*, session: Session, code: str) -> list[int]:
    """The region with ``code`` and every region below it (headquarters: all).

    Raises
    ------
    NotFound
        No region has ``code`` (``field="region"``).
    """
    regions = list(session.scalars(select(Region)))
    root = next((r for r in regions if r.code == code), None)
    if root is None:
        raise NotFound(f"no region {code!r}", field="region")
    found = [root.id]
    frontier = [root.id]
    while frontier:
        frontier = [r.id for r in regions if r.parent_id in frontier]
        found.extend(frontier)
    return found


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


_REBOOKABLE = frozenset(
    {
        TicketStatus.NEW.value,
        TicketStatus.TRIAGED.value,
        TicketStatus.SCHEDULED.value,
        TicketStatus.NEEDS_FOLLOW_UP.value,
        TicketStatus.ON_HOLD_CUSTOMER.value,
        TicketStatus.ON_HOLD_PARTS.value,
        TicketStatus.REOPENED.value,
    }
)
"""Statuses in which a ticket's appointment may still change (not handed to its engineer)."""


def rebook_ticket(
    *,
    session: Session,
    ticket: Ticket,
    windows: Sequence[tuple[dt.datetime, dt.datetime]],
    actor: User | None,
    at: dt.datetime,
    reason: str | None = None,
) -> Ticket:
    """Replace ``ticket``'s appointment windows (e.g. the customer accepted a new slot).

    The change is recorded in the ticket's history (``kind="rebooked"``, the windows before
    and after). The SLA due instants do not depend on the windows and are kept. A plan that
    placed the ticket becomes stale (the windows are part of what a plan saw).

    Parameters
    ----------
    session
        Open session; the caller commits.
    ticket
        The ticket to re-book.
    windows
        The new appointment slots ``(start, end)`` (aware); empty: any time.
    actor
        Who made the change (``None``: the system).
    at
        When the change was made (aware).
    reason
        Why (shown in the history), e.g. ``WINDOW_PASSED``.

    Raises
    ------
    InvalidInput
        A window without a time zone or not ending after it starts (``windows.N.end``).
    Conflict
        The ticket is handed to its engineer, on site or finished (field ``status``).
    """
    lock_ticket(session=session, ticket=ticket)
    if ticket.status not in _REBOOKABLE:
        raise Conflict(
            f"ticket {ticket.number} is {ticket.status}: its appointment can no longer change",
            field="status",
        )
    rows = _windows(TicketDraft(0, 0, ticket.kind, ticket.priority, 1, windows=windows))
    before = [[w.start, w.end] for w in sorted(ticket.windows, key=lambda w: w.start)]
    ticket.windows = rows
    ticket.updated_at = _aware(at, "at")
    record_event(
        session=session,
        ticket=ticket,
        kind="rebooked",
        at=at,
        actor=actor,
        reason=reason,
        before={"windows": before},
        after={"windows": [[w.start, w.end] for w in rows]},
    )
    session.flush()
    return ticket
