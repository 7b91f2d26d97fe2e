"""The engineer's side: today's jobs, position pings, check-in and check-out."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from dispatch.errors import InvalidInput, NotFound, PermissionDenied
from dispatch.models import Engineer, Plan, PlanStatus, Ticket, User, Visit


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
    """The engineer's visits in the published plans of ``day``, in route order."""
    return list(
        session.scalars(
            select(Visit)
            .join(Plan, Visit.plan_id == Plan.id)
            .where(
                Visit.engineer_id == engineer_id,
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
            )
            .order_by(Visit.sequence)
        ).all()
    )


def assigned_visit(*, session: Session, engineer_id: int, ticket_id: int) -> Visit:
    """The engineer's visit for ``ticket_id`` in a published plan (newest first).

    Raises
    ------
    NotFound
        No such ticket.
    PermissionDenied
        The ticket is not assigned to this engineer.
    """
    if session.get(Ticket, ticket_id) is None:
        raise NotFound(f"no ticket {ticket_id}")
    visit = session.scalar(
        select(Visit)
        .join(Plan, Visit.plan_id == Plan.id)
        .where(Visit.ticket_id == ticket_id, Plan.status == PlanStatus.PUBLISHED.value)
        .order_by(Plan.published_at.desc())
        .limit(1)
    )
    if visit is None or visit.engineer_id != engineer_id:
        raise PermissionDenied("this ticket is not assigned to you")
    return visit


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
