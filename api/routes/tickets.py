"""Work orders: create, list, read, move through the life cycle, survey."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, status
from sqlalchemy.orm import Session

from api.deps import CurrentUser, DispatcherUser, RuntimeDep, SessionDep, SettingsDep
from api.openapi import problem_responses
from api.rows import record_of
from api.schemas.common import (
    IdPath,
    Paged,
    paged,
)
from api.schemas.ticket_query import TicketListQuery, ticket_list_query
from api.schemas.tickets import (
    CustomerOut,
    EventOut,
    OwnerOut,
    SiteOut,
    SurveyIn,
    SurveyOut,
    TicketCreate,
    TicketDetail,
    TicketPatch,
    TicketSummary,
    TransitionIn,
    WindowIn,
    WindowOut,
)
from api.validation import check_instant
from dispatch.models import EngineerRuleKind, Role, Ticket, TicketEvent, TicketStatus, User
from dispatch.reporting.kpis import local_period
from dispatch.sla.policy import SlaPolicy, load_policy
from dispatch.tickets.edits import KEEP, TicketEdit, edit_ticket
from dispatch.tickets.filters import TicketFilters
from dispatch.tickets.lifecycle import (
    allowed_actions,
    assigned_engineer_id,
    transition,
    visit_count,
)
from dispatch.tickets.records import (
    TicketDraft,
    create_ticket,
    get_ticket,
    list_tickets,
    ticket_events,
)
from dispatch.tickets.surveys import record_survey, survey_for

router = APIRouter(prefix="/api/v1/tickets", tags=["tickets"])

_PAUSED = {TicketStatus.ON_HOLD_CUSTOMER.value, TicketStatus.ON_HOLD_PARTS.value}


def get_policy(settings: SettingsDep) -> SlaPolicy:
    """The SLA policy the settings name (cached until the file changes)."""
    return load_policy(settings.sla_policy_file)


PolicyDep = Annotated[SlaPolicy, Depends(get_policy)]


def _codes(ticket: Ticket) -> dict[str, str]:
    """The fields of a ticket's summary read from its region and customer."""
    customer = ticket.customer
    return {
        "region_code": ticket.region.code,
        "customer_code": customer.code,
        "customer_tier": customer.tier,
    }


def _summary(ticket: Ticket) -> TicketSummary:
    return record_of(TicketSummary, ticket, **_codes(ticket))


def _windows(windows: list[WindowIn], *, now: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """Appointment windows as ``(start, end)``; each instant lies within a year of ``now``."""
    for i, window in enumerate(windows):
        check_instant(window.start, now=now, field=f"windows.{i}.start")
        check_instant(window.end, now=now, field=f"windows.{i}.end")
    return [(w.start, w.end) for w in windows]


def _may_see_contact(user: User, assigned: int | None) -> bool:
    if user.role in (Role.ADMIN.value, Role.DISPATCHER.value):
        return True
    return user.engineer_id is not None and user.engineer_id == assigned


def _customer(ticket: Ticket, user: User, assigned: int | None) -> CustomerOut:
    """The ticket's customer; its contacts only for the desk and the assigned engineer."""
    customer = CustomerOut.model_validate(ticket.customer)
    if not _may_see_contact(user, assigned):
        customer.contact_name = customer.contact_phone = customer.contact_email = None
    return customer


def _event(event: TicketEvent) -> EventOut:
    return record_of(
        EventOut,
        event,
        action=(event.after or {}).get("action"),
        actor=event.actor.username if event.actor is not None else None,
    )


def _detail(session: Session, ticket: Ticket, user: User) -> TicketDetail:
    assigned = assigned_engineer_id(session=session, ticket=ticket)
    survey = survey_for(session=session, ticket=ticket)
    return record_of(
        TicketDetail,
        ticket,
        **_codes(ticket),
        fault_codes=list(ticket.fault_codes),
        sla_paused=ticket.status in _PAUSED,
        visit_number=visit_count(session=session, ticket=ticket),
        assigned_engineer_id=assigned,
        customer=_customer(ticket, user, assigned),
        site=SiteOut.model_validate(ticket.site),
        owner=OwnerOut.model_validate(ticket.owner) if ticket.owner is not None else None,
        windows=[WindowOut.model_validate(w) for w in ticket.windows],
        preferred_engineer_ids=sorted(ticket.engineers_by_rule(EngineerRuleKind.PREFERRED)),
        required_engineer_ids=sorted(ticket.engineers_by_rule(EngineerRuleKind.REQUIRED)),
        excluded_engineer_ids=sorted(ticket.engineers_by_rule(EngineerRuleKind.EXCLUDED)),
        events=[_event(e) for e in ticket_events(session=session, ticket=ticket)],
        allowed_actions=allowed_actions(session=session, ticket=ticket, actor=user),
        survey=SurveyOut.model_validate(survey) if survey is not None else None,
    )


@router.post(
    "",
    response_model=TicketDetail,
    status_code=status.HTTP_201_CREATED,
    summary="Create a work order",
    responses=problem_responses(404, d404="No such customer, site, asset or engineer"),
)
def create(
    body: TicketCreate,
    session: SessionDep,
    runtime: RuntimeDep,
    user: DispatcherUser,
    policy: PolicyDep,
) -> TicketDetail:
    """Validate, number and store a request; its due instants come from the SLA policy.
    Appointment windows lie within a year of today."""
    windows = _windows(body.windows, now=runtime.clock())
    draft = TicketDraft(
        **body.model_dump(exclude={"kind", "channel", "windows", "engineer_rules"}),
        kind=body.kind.value,
        channel=body.channel.value,
        windows=windows,
        engineer_rules=[(r.engineer_id, r.kind) for r in body.engineer_rules],
    )
    ticket = create_ticket(
        session=session, draft=draft, actor=user, policy=policy, at=runtime.clock()
    )
    return _detail(session, ticket, user)


@router.get("", response_model=Paged[TicketSummary], summary="List tickets")
def tickets(
    session: SessionDep,
    user: CurrentUser,
    query: Annotated[TicketListQuery, Depends(ticket_list_query)],
) -> Paged[TicketSummary]:
    """Tickets, most urgent first (or as ``sort`` says), filtered by status, tier, region,
    SLA state, the day they were reported (``from``/``to``: local days of the region, else
    of headquarters), customer, engineer and free text; paged.

    An engineer sees only the tickets assigned to them."""
    reported_from = reported_before = None
    if query.from_ is not None:
        reported_from = local_period(
            session=session, first_day=query.from_, last_day=query.from_, region_code=query.region
        )[0]
    if query.to is not None:
        reported_before = local_period(
            session=session, first_day=query.to, last_day=query.to, region_code=query.region
        )[1]
    filters = TicketFilters(
        reported_from=reported_from,
        reported_before=reported_before,
        customer=query.customer,
        engineer=query.engineer,
        text=query.q,
        sort=query.sort,
    )
    page = list_tickets(
        filters=filters, viewer=user, session=session, status=query.status, tier=query.tier,
        region_code=query.region, sla_state=query.sla_state, limit=query.limit,
        offset=query.offset,
    )  # fmt: skip
    return paged(page, TicketSummary, _summary)


@router.get(
    "/{ticket_id}",
    response_model=TicketDetail,
    summary="One ticket",
    responses={404: {"description": "No such ticket, or (engineers) not assigned to you"}},
)
def ticket(ticket_id: IdPath, session: SessionDep, user: CurrentUser) -> TicketDetail:
    """Status, owner, due instants, SLA state, history and the actions the caller may take.

    An engineer sees only a ticket assigned to them; any other answers 404."""
    return _detail(session, get_ticket(session=session, ticket_id=ticket_id, viewer=user), user)


@router.patch(
    "/{ticket_id}",
    response_model=TicketDetail,
    summary="Edit a ticket",
    responses=problem_responses(
        404,
        409,
        d404="No such ticket or engineer",
        d409="Closed or cancelled, or handed to an engineer the new rules forbid",
    ),
)
def edit(
    ticket_id: IdPath,
    body: TicketPatch,
    session: SessionDep,
    runtime: RuntimeDep,
    user: DispatcherUser,
    policy: PolicyDep,
) -> TicketDetail:
    """Change priority, appointment windows, estimated minutes, skill and level, engineer
    rules, the pin and symptoms (see :mod:`dispatch.tickets.edits`).

    A priority change recomputes the SLA due instants; a plan computed before the edit is
    stale; a scheduled ticket whose rules now forbid its engineer goes back to the pool."""
    ticket = get_ticket(session=session, ticket_id=ticket_id)
    windows = _windows(body.windows, now=runtime.clock()) if body.windows is not None else None
    pin = body.pinned_engineer_id if "pinned_engineer_id" in body.model_fields_set else KEEP
    given = body.model_dump(exclude={"windows", "pinned_engineer_id"})
    edit_ticket(
        session=session,
        ticket=ticket,
        edit=TicketEdit(**given, windows=windows, pinned_engineer_id=pin),
        actor=user,
        at=runtime.clock(),
        policy=policy,
    )
    return _detail(session, ticket, user)


@router.post(
    "/{ticket_id}/transitions",
    response_model=TicketDetail,
    summary="Take a life-cycle action",
    responses={
        403: {"description": "The caller's role may not take this action"},
        404: {"description": "No such ticket, or (engineers) not assigned to you"},
        409: {"description": "Not allowed from the current status; `allowed` lists what is"},
    },
)
def take_action(
    ticket_id: IdPath,
    body: TransitionIn,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    policy: PolicyDep,
) -> TicketDetail:
    """Move the ticket (``triage``, ``dispatch``, ``arrive``, ``hold_parts``, ``resume``...).

    ``dispatch`` (or ``schedule``) with ``engineer_id`` makes that engineer the ticket's one
    assignee: it leaves the day of the engineer a plan gave it to and joins theirs."""
    ticket = get_ticket(session=session, ticket_id=ticket_id, viewer=user)
    transition(
        at=runtime.clock(),
        session=session,
        ticket=ticket,
        actor=user,
        policy=policy,
        **body.model_dump(),
    )
    return _detail(session, ticket, user)


@router.post(
    "/{ticket_id}/survey",
    response_model=SurveyOut,
    status_code=status.HTTP_201_CREATED,
    summary="Record the satisfaction survey",
    responses={409: {"description": "Not closed yet, or already surveyed"}},
)
def survey(
    ticket_id: IdPath,
    body: SurveyIn,
    session: SessionDep,
    runtime: RuntimeDep,
    user: DispatcherUser,
) -> SurveyOut:
    """The customer's score 1-5, once, after closure."""
    ticket = get_ticket(session=session, ticket_id=ticket_id)
    recorded = record_survey(
        session=session,
        ticket=ticket,
        score=body.score,
        comment=body.comment,
        actor=user,
        at=runtime.clock(),
    )
    return SurveyOut.model_validate(recorded)
