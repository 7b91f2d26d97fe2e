"""Customer satisfaction surveys: one score 1-5 per closed ticket."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.errors import Conflict, InvalidInput, TransitionNotAllowed
from dispatch.models import Survey, Ticket, TicketStatus, User, utcnow
from dispatch.tickets.history import record_event

MIN_SCORE = 1
MAX_SCORE = 5


def record_survey(
    *,
    session: Session,
    ticket: Ticket,
    score: int,
    actor: User | None,
    comment: str | None = None,
    at: dt.datetime | None = None,
) -> Survey:
    """Record the customer's score for ``ticket`` (and a ``survey`` event).

    Raises
    ------
    InvalidInput
        ``score`` outside 1..5 (``field="score"``) or a naive ``at``.
    TransitionNotAllowed
        The ticket is not closed yet (surveys come after closure).
    Conflict
        The ticket already has a survey.
    """
    if isinstance(score, bool) or not MIN_SCORE <= score <= MAX_SCORE:
        raise InvalidInput(f"score must be {MIN_SCORE}..{MAX_SCORE}", field="score")
    at = at or utcnow()
    if at.tzinfo is None:
        raise InvalidInput("at must be time-zone aware", field="at")
    if ticket.status != TicketStatus.CLOSED.value:
        raise TransitionNotAllowed(
            f"ticket {ticket.number} is {ticket.status}; a survey is taken after closure",
            field="ticket",
            ticket_status=ticket.status,
        )
    if session.scalar(select(Survey.id).where(Survey.ticket_id == ticket.id)) is not None:
        raise Conflict(f"ticket {ticket.number} already has a survey", field="ticket")
    survey = Survey(
        ticket_id=ticket.id,
        score=score,
        comment=comment,
        recorded_at=at,
        recorded_by_id=actor.id if actor is not None else None,
    )
    session.add(survey)
    session.flush()
    record_event(
        session=session, ticket=ticket, kind="survey", at=at, actor=actor, after={"score": score}
    )
    return survey


def survey_for(*, session: Session, ticket: Ticket) -> Survey | None:
    """The ticket's survey, if one was taken."""
    return session.scalar(select(Survey).where(Survey.ticket_id == ticket.id))
