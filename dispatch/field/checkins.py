"""Check-in and check-out at a ticket's site, from the engineer's phone.

A check-in is checked against the site's position with ``geopy``'s geodesic distance:
further than the configured radius it is still accepted (a phone's fix can be poor, an
entrance far from the pin) but *flagged* for the dispatcher. Both drive the ticket's life
cycle through :func:`dispatch.tickets.lifecycle.transition`, so SLA clocks stop exactly as they
would from the desk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from typing import Any

from geopy.distance import geodesic
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch.errors import Conflict, InvalidInput, PermissionDenied
from dispatch.field.day import assigned_visit, validate_position
from dispatch.infra.day_clock import utc_text
from dispatch.infra.events import EventKind, emit
from dispatch.models import SiteVisit, Ticket, TicketStatus, User, Visit, VisitOutcome, utcnow
from dispatch.tickets.lifecycle import transition

_NOT_YET_DISPATCHED = frozenset(
    {TicketStatus.TRIAGED.value, TicketStatus.SCHEDULED.value, TicketStatus.NEEDS_FOLLOW_UP.value}
)


@dataclass(frozen=True)
class CheckOutReport:
    """What the engineer reports when leaving the site.

    Attributes
    ----------
    outcome
        ``fixed``, ``needs_follow_up`` or ``no_access``.
    notes
        Free text for the record.
    customer_accepted
        The customer signed the work off on the spot (closes a fixed ticket).
    parts
        Parts to order for the follow-up visit.
    """

    outcome: str
    notes: str | None = None
    customer_accepted: bool | None = None
    parts: tuple[str, ...] = ()


def _aware(value: dt.datetime | None, name: str) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        raise InvalidInput(f"{name} must carry a time-zone offset", field=name)
    return value


def open_site_visit(*, session: Session, engineer_id: int, ticket_id: int) -> SiteVisit | None:
    """The engineer's check-in on ``ticket_id`` not yet checked out, if any."""
    return session.scalar(
        select(SiteVisit).where(
            SiteVisit.engineer_id == engineer_id,
            SiteVisit.ticket_id == ticket_id,
            SiteVisit.checked_out_at.is_(None),
        )
    )


def check_in(
    *,
    session: Session,
    user: User,
    ticket_id: int,
    lat: float,
    lon: float,
    device_time: dt.datetime | None,
    radius_m: float,
    now: dt.datetime | None = None,
) -> SiteVisit:
    """Record the engineer's arrival on site: the ticket goes on site (the SLA response).

    A ticket not yet dispatched (scheduled by a published plan) is dispatched to the
    engineer first, by the system.

    Parameters
    ----------
    session
        Open session; the caller commits (live events go out on commit).
    user
        The engineer user checking in.
    ticket_id
        The ticket; it must be assigned to the user's engineer (one owner at a time:
        :mod:`dispatch.tickets.assignment`).
    lat, lon
        The phone's position.
    device_time
        The phone's clock (kept for the record; the server's clock counts).
    radius_m
        Further from the site than this, the check-in is flagged.
    now
        The server's instant (default now).

    Raises
    ------
    PermissionDenied
        The ticket is not assigned to this engineer.
    Conflict
        Already checked in, or the ticket is not in a state to be visited.
    InvalidInput
        Coordinates off the globe, a naive device time.
    """
    validate_position(lat, lon)
    now = _instant(device_time, now)
    if user.engineer_id is None:
        raise PermissionDenied("only engineer accounts check in")
    engineer_id = user.engineer_id
    visit = assigned_visit(session=session, engineer_id=engineer_id, ticket_id=ticket_id)
    ticket = _ticket(session, ticket_id)
    if open_site_visit(session=session, engineer_id=engineer_id, ticket_id=ticket_id):
        raise Conflict(f"already checked in on ticket {ticket.number}", field="ticket_id")
    _arrive(session, ticket, user, engineer_id, now)
    site_visit = _new_site_visit(session, ticket, engineer_id, visit, now)
    _place_check_in(site_visit, ticket, lat, lon, device_time, radius_m=radius_m)
    session.add(site_visit)
    session.flush()
    _announce_check_in(session, site_visit, ticket, now, radius_m=radius_m)
    return site_visit


def _arrive(
    session: Session, ticket: Ticket, user: User, engineer_id: int, now: dt.datetime
) -> None:
    """The ticket goes on site; one not yet dispatched is dispatched to the engineer first."""
    step = partial(transition, session=session, ticket=ticket, at=now)
    if ticket.status in _NOT_YET_DISPATCHED:
        step(action="dispatch", actor=None, reason="engineer checked in", engineer_id=engineer_id)
    step(action="arrive", actor=user)


def _announce_check_in(
    session: Session, site_visit: SiteVisit, ticket: Ticket, now: dt.datetime, *, radius_m: float
) -> None:
    """Emit the check-in's live event, and the flag when it was too far from the site."""
    data = _visit_data(
        site_visit,
        ticket,
        now,
        lat=site_visit.check_in_lat,
        lon=site_visit.check_in_lon,
        distance_m=site_visit.check_in_distance_m,
        flagged=site_visit.flagged,
    )
    emit(session, EventKind.ENGINEER_CHECKED_IN, data)
    if site_visit.flagged:
        emit(session, EventKind.CHECKIN_FLAGGED, {**data, "radius_m": radius_m})


def check_out(
    *,
    session: Session,
    user: User,
    ticket_id: int,
    lat: float | None,
    lon: float | None,
    device_time: dt.datetime | None,
    report: CheckOutReport,
    now: dt.datetime | None = None,
) -> SiteVisit:
    """Record the engineer leaving the site with the outcome of the visit.

    ``fixed`` completes the ticket and asks the customer to accept it (closed at once when
    ``customer_accepted``); ``needs_follow_up`` and ``no_access`` need another visit (a
    follow-up, with the parts to order).

    Raises
    ------
    Conflict
        Not checked in on this ticket.
    InvalidInput
        Unknown outcome, bad coordinates, a naive device time.
    """
    _check_report(report, lat, lon)
    now = _instant(device_time, now)
    engineer_id = user.engineer_id
    site_visit = (
        open_site_visit(session=session, engineer_id=engineer_id, ticket_id=ticket_id)
        if engineer_id is not None
        else None
    )
    if site_visit is None:
        assigned_visit(session=session, engineer_id=engineer_id or -1, ticket_id=ticket_id)
        raise Conflict("not checked in on this ticket: check in first", field="ticket_id")
    ticket = _ticket(session, ticket_id)
    _drive_outcome(session, ticket, user, report, now)
    site_visit.checked_out_at = max(now, site_visit.checked_in_at)
    site_visit.check_out_device_time = device_time
    site_visit.check_out_lat = lat
    site_visit.check_out_lon = lon
    site_visit.outcome = report.outcome
    site_visit.notes = report.notes
    site_visit.customer_accepted = report.customer_accepted
    data = _visit_data(site_visit, ticket, now, outcome=report.outcome, lat=lat, lon=lon)
    emit(session, EventKind.ENGINEER_CHECKED_OUT, data)
    return site_visit


def _instant(device_time: dt.datetime | None, now: dt.datetime | None) -> dt.datetime:
    """The server's instant of a check-in or -out, after checking the phone's clock is aware."""
    _aware(device_time, "device_time")
    return now or utcnow()


def _ticket(session: Session, ticket_id: int) -> Ticket:
    """The ticket of an assigned visit (it exists: the assignment was found)."""
    ticket = session.get(Ticket, ticket_id)
    assert ticket is not None
    return ticket


def _new_site_visit(
    session: Session, ticket: Ticket, engineer_id: int, visit: Visit | None, at: dt.datetime
) -> SiteVisit:
    """The ticket's next site visit by ``engineer_id``, checked in at ``at`` (not yet added)."""
    previous = session.scalar(
        select(func.count()).select_from(SiteVisit).where(SiteVisit.ticket_id == ticket.id)
    )
    return SiteVisit(
        ticket_id=ticket.id,
        engineer_id=engineer_id,
        visit_id=visit.id if visit is not None else None,
        visit_number=int(previous or 0) + 1,
        checked_in_at=at,
    )


def _place_check_in(
    site_visit: SiteVisit,
    ticket: Ticket,
    lat: float,
    lon: float,
    device_time: dt.datetime | None,
    *,
    radius_m: float,
) -> None:
    """Where and when (by the phone) the check-in was; flagged further than ``radius_m``."""
    distance = float(geodesic((lat, lon), (ticket.site.lat, ticket.site.lon)).meters)
    site_visit.check_in_device_time = device_time
    site_visit.check_in_lat = lat
    site_visit.check_in_lon = lon
    site_visit.check_in_distance_m = round(distance, 1)
    site_visit.flagged = distance > radius_m


def _visit_data(
    site_visit: SiteVisit, ticket: Ticket, at: dt.datetime, **facts: Any
) -> dict[str, Any]:
    """The live event of a check-in or -out: who, which ticket, ``facts``, when."""
    return {
        "site_visit_id": site_visit.id,
        "engineer_id": site_visit.engineer_id,
        "ticket_id": ticket.id,
        "number": ticket.number,
        **facts,
        "at": utc_text(at),
    }


def _check_report(report: CheckOutReport, lat: float | None, lon: float | None) -> None:
    """A check-out's outcome is known; its position is both coordinates (on the globe) or none."""
    if report.outcome not in {o.value for o in VisitOutcome}:
        raise InvalidInput(
            f"outcome must be one of {', '.join(o.value for o in VisitOutcome)}", field="outcome"
        )
    if (lat is None) != (lon is None):
        raise InvalidInput(
            "send both lat and lon, or neither", field="lat" if lat is None else "lon"
        )
    if lat is not None and lon is not None:
        validate_position(lat, lon)


def _drive_outcome(
    session: Session, ticket: Ticket, user: User, report: CheckOutReport, now: dt.datetime
) -> None:
    """The life-cycle steps of a check-out's outcome (fixed: complete, ask for acceptance)."""
    step = partial(transition, session=session, ticket=ticket, at=now)
    if report.outcome == VisitOutcome.FIXED.value:
        step(action="complete", actor=user)
        step(action="request_acceptance", actor=None, reason="checked out as fixed")
        if report.customer_accepted:
            step(action="close", actor=None, reason="customer accepted on site")
        return
    why = "could not access the site" if report.outcome == VisitOutcome.NO_ACCESS.value else None
    reason = why or report.notes or "another visit is needed"
    step(action="need_follow_up", actor=user, reason=reason, parts=list(report.parts))
