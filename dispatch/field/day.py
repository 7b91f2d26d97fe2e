"""The engineer's side: today's jobs, position pings, check-in and check-out."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from dispatch.errors import InvalidInput, NotFound, PermissionDenied
from dispatch.models import Engineer, Plan, PlanStatus, Ticket, TicketEvent, User, Visit
from dispatch.tickets.assignment import assigned_engineer_id, assigned_engineers


def engineer_of(user: User) -> int:
    """The engineer id an engineer user is bound to.

    Raises
    ------
    PermissionDenied
        The user is not bound to an engineer.
    """
    if user.engineer_id is None:
        raise PermissionDenied("only engineer accounts have jobs")
    return user.engineer_id


def jobs_for(*, session: Session, engineer_id: int, day: dt.date) -> list[Visit]:
    """The visits of the published plans of ``day`` whose ticket is assigned to the engineer.

    One owner at a time (:mod:`dispatch.tickets.assignment`): a ticket dispatched by hand to
    another engineer leaves this engineer's day and joins the other's (with the planned
    times of its visit until a plan places it anew). In order of planned start.
    """
    named = select(TicketEvent.id).where(  # the day's tickets an event names with me
        TicketEvent.ticket_id == Visit.ticket_id,
        TicketEvent.after["engineer_id"].as_integer() == engineer_id,
    )
    visits = session.scalars(
        select(Visit)
        .join(Plan, Visit.plan_id == Plan.id)
        .where(
            or_(Visit.engineer_id == engineer_id, named.exists()),
            Plan.plan_date == day,
            Plan.status == PlanStatus.PUBLISHED.value,
        )
        .options(
            # one joined query for the ticket and its site, customer and asset; one more
            # for the windows (the app polls this: keep the round trips few)
            joinedload(Visit.ticket).joinedload(Ticket.site),
            joinedload(Visit.ticket).joinedload(Ticket.customer),
            joinedload(Visit.ticket).joinedload(Ticket.asset),
            joinedload(Visit.ticket).selectinload(Ticket.windows),
            joinedload(Visit.plan),
        )
    ).all()
    owners = assigned_engineers(session=session, ticket_ids={v.ticket_id for v in visits})
    newest: dict[int, Visit] = {}
    for visit in visits:
        if owners.get(visit.ticket_id) != engineer_id:
            continue
        seen = newest.get(visit.ticket_id)
        if seen is None or _published_key(visit) > _published_key(seen):
            newest[visit.ticket_id] = visit
    return sorted(newest.values(), key=lambda v: (v.planned_start, v.sequence, v.ticket_id))


def _published_key(visit: Visit) -> tuple[dt.datetime, int]:
    return (visit.plan.published_at or dt.datetime.min.replace(tzinfo=dt.UTC), visit.plan_id)


def assigned_visit(*, session: Session, engineer_id: int, ticket_id: int) -> Visit | None:
    """The ticket's visit in the newest published plan, when the ticket is assigned to the
    engineer (``None``: assigned to them, but by hand without a planned visit).

    Raises
    ------
    NotFound
        No such ticket.
    PermissionDenied
        The ticket is not assigned to this engineer (:mod:`dispatch.tickets.assignment`).
    """
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(f"no ticket {ticket_id}")
    if assigned_engineer_id(session=session, ticket=ticket) != engineer_id:
        raise PermissionDenied("this ticket is not assigned to you")
    return session.scalar(
        select(Visit)
        .join(Plan, Visit.plan_id == Plan.id)
        .where(Visit.ticket_id == ticket_id, Plan.status == PlanStatus.PUBLISHED.value)
        .order_by(Plan.published_at.desc(), Plan.id.desc())
        .limit(1)
    )


def region_zone(*, session: Session, engineer_id: int) -> str:
    """The time zone of the engineer's region."""
    engineer = session.get(Engineer, engineer_id)
    if engineer is None:
        raise NotFound(f"no engineer {engineer_id}")
    return engineer.region.timezone


def validate_position(lat: float, lon: float) -> None:
    """Refuse coordinates off the globe (naming the field)."""
    if not -90 <= lat <= 90:
        raise InvalidInput("lat must be within [-90, 90]", field="lat")
    if not -180 <= lon <= 180:
        raise InvalidInput("lon must be within [-180, 180]", field="lon")
