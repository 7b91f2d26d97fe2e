"""The tickets of a planning problem: their windows, engineer rules, SLA deadline and pins.

A ticket open for planning (or dispatched, en route: then pinned to its engineer) is in
the problem when it has an appointment window left that day; one whose appointment has
passed is offered a new slot (``WINDOW_PASSED``), one that cannot be served that day is
skipped with why. A ticket on site is not for the solver, but a plan depends on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dispatch.models import Customer, CustomerTier, EngineerRuleKind, Ticket, TicketStatus
from dispatch.planning.crew import Crew
from dispatch.planning.inputs import PINNED, PLANNABLE, DayAxis, PlanningOptions
from dispatch.planning.snapshot import ticket_digest
from dispatch.tickets.assignment import assigned_engineers
from dispatch.tickets.pinning import required_with_pin
from dispatch.tickets.service_windows import WINDOW_PASSED, new_slot, service_windows
from solver import Location, Pin, Tier, TimeWindow
from solver import Ticket as SolverTicket

EngineerCodes = frozenset[str]


@dataclass
class Demand:
    """The tickets' side of a problem (filled ticket by ticket, in id order)."""

    tickets: list[SolverTicket] = field(default_factory=list)
    """The solver's tickets, by number."""
    ticket_ids: dict[str, int] = field(default_factory=dict)
    """Number -> database id of the tickets in the problem."""
    pins: list[Pin] = field(default_factory=list)
    """Dispatched and en-route tickets fixed to their engineer (en route: first visit)."""
    skipped: dict[int, str] = field(default_factory=dict)
    """Ticket id -> why it is not in the problem."""
    rebook: dict[int, Mapping[str, Any]] = field(default_factory=dict)
    """Ticket id -> the new slot offered (its appointment has passed)."""
    snapshot: dict[str, str] = field(default_factory=dict)
    """``ticket:<number>`` -> digest, for the tickets in the problem and those on site."""


def load_tickets(session: Session, regions: list[int]) -> Sequence[Ticket]:
    """The tickets of ``regions`` open for planning, pinned or on site, by id."""
    return session.scalars(
        select(Ticket)
        .where(
            Ticket.region_id.in_(regions),
            Ticket.status.in_(PLANNABLE | PINNED | {TicketStatus.ON_SITE.value}),
        )
        .options(
            selectinload(Ticket.windows),
            selectinload(Ticket.engineer_rules),
            selectinload(Ticket.site),
        )
        .order_by(Ticket.id)
    ).all()


def build_demand(
    *,
    session: Session,
    tickets: Sequence[Ticket],
    axis: DayAxis,
    crew: Crew,
    options: PlanningOptions,
) -> Demand:
    """The solver's view of ``tickets`` on ``axis.day``, for the engineers of ``crew``."""
    customers = {
        c.id: c
        for c in session.scalars(
            select(Customer).where(Customer.id.in_({t.customer_id for t in tickets} or {-1}))
        )
    }
    owners = assigned_engineers(
        session=session, ticket_ids=[t.id for t in tickets if t.status in PINNED]
    )
    earliest = max(axis.now_s or 0, 0)
    demand = Demand()
    for t in tickets:
        if t.status == TicketStatus.ON_SITE.value:
            # not for the solver (the engineer is busy there), but a plan depends on it
            demand.snapshot[f"ticket:{t.number}"] = ticket_digest(t)
            continue
        windows, why = service_windows(
            t, axis.day, axis.zone, axis.origin, earliest=earliest, committed=t.status in PINNED
        )
        if why == WINDOW_PASSED:
            demand.rebook[t.id] = new_slot(t, axis.day, axis.zone, axis.origin, earliest=earliest)
            continue
        if why is not None:
            demand.skipped[t.id] = why
            continue
        demand.snapshot[f"ticket:{t.number}"] = ticket_digest(t)
        customer = customers.get(t.customer_id)
        demand.tickets.append(solver_ticket(t, windows, crew.codes, customer, axis, options))
        demand.ticket_ids[t.number] = t.id
        pin = _pin(t, owners, crew)
        if pin is not None:
            demand.pins.append(pin)
    return demand


def solver_ticket(
    t: Ticket,
    windows: Sequence[TimeWindow],
    codes: Mapping[int, str],
    customer: Customer | None,
    axis: DayAxis,
    options: PlanningOptions,
) -> SolverTicket:
    """The solver's ticket: place, work, tier, ``windows``, SLA deadline, engineer rules."""
    preferred, required, excluded = engineer_rules(t, codes, customer)
    deadline = None
    if t.response_due is not None and t.responded_at is None:
        deadline = axis.seconds(t.response_due)
    return SolverTicket(
        id=t.number,
        location=Location(t.site.lat, t.site.lon),
        duration=t.estimated_minutes * 60,
        skill=t.required_skill,
        min_level=t.min_level,
        tier=Tier(t.priority),
        windows=tuple(windows),
        sla_deadline=deadline,
        sla_hard=options.sla_hard,
        preferred_engineers=preferred,
        required_engineers=required,
        excluded_engineers=excluded,
        parts_demand=t.parts_demand,
    )


def engineer_rules(
    t: Ticket, codes: Mapping[int, str], customer: Customer | None
) -> tuple[EngineerCodes, EngineerCodes, EngineerCodes]:
    """The ticket's preferred, required and excluded engineers (codes).

    A required engineer not in the problem stays required (as ``#<id>``: nobody can take
    the ticket); a pinned ticket requires its engineer; a VIP customer's dedicated
    engineer is preferred.
    """
    rules = {
        k: {
            codes[r.engineer_id]
            for r in t.engineer_rules
            if r.kind == k.value and r.engineer_id in codes
        }
        for k in EngineerRuleKind
    }
    required_rows = [r for r in t.engineer_rules if r.kind == EngineerRuleKind.REQUIRED.value]
    required = rules[EngineerRuleKind.REQUIRED] | {
        f"#{r.engineer_id}" for r in required_rows if r.engineer_id not in codes
    }
    required = required_with_pin(t, codes, required)
    preferred = set(rules[EngineerRuleKind.PREFERRED])
    vip = customer is not None and customer.tier == CustomerTier.VIP.value
    dedicated = customer.dedicated_engineer_id if customer is not None and vip else None
    if dedicated is not None and dedicated in codes:
        preferred.add(codes[dedicated])
    return frozenset(preferred), frozenset(required), frozenset(rules[EngineerRuleKind.EXCLUDED])


def _pin(t: Ticket, owners: Mapping[int, int | None], crew: Crew) -> Pin | None:
    """A dispatched or en-route ticket's pin to the engineer it is assigned to (one owner
    at a time), when that engineer is in the problem; en route: their first visit."""
    if t.status not in PINNED:
        return None
    owner = owners.get(t.id)
    code = crew.codes.get(owner) if owner is not None else None
    if code is None or code not in crew.engineer_ids:
        return None
    position = 0 if t.status == TicketStatus.EN_ROUTE.value else None
    return Pin(ticket_id=t.number, engineer_id=code, position=position)
