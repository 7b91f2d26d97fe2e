"""Ticket edits at the service level: the pin in the solver problem, snapshots, the history."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from dispatch.demo.org import load_demo
from dispatch.errors import Conflict, InvalidInput
from dispatch.models import (
    Engineer,
    EngineerSkill,
    Region,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from dispatch.planning import problem as planning
from dispatch.planning.snapshot import ticket_digest
from dispatch.tickets.edits import TicketEdit, edit_ticket

DAY = dt.date(2026, 11, 24)
ZONE = ZoneInfo("Asia/Shanghai")
AT = dt.datetime(2026, 11, 24, 8, 0, tzinfo=ZONE)


@pytest.fixture
def hq(database) -> int:
    with database.session() as session:
        load_demo(session=session, seed=3, day=DAY, engineers=8, tickets=40)
        return session.scalar(select(Region.id).where(Region.code == "HQ"))


def _plannable_with_two_engineers(session) -> tuple[Ticket, list[Engineer]]:
    for ticket in session.scalars(
        select(Ticket).where(Ticket.status.in_(planning.PLANNABLE)).order_by(Ticket.id)
    ):
        able = list(
            session.scalars(
                select(Engineer)
                .join(EngineerSkill, EngineerSkill.engineer_id == Engineer.id)
                .where(
                    EngineerSkill.skill == ticket.required_skill,
                    EngineerSkill.level >= ticket.min_level,
                    Engineer.active.is_(True),
                )
                .order_by(Engineer.code)
            )
        )
        if len(able) >= 2 and not ticket.engineer_rules:
            return ticket, able
    raise AssertionError("the demo has a ticket two engineers can serve")


def test_a_pin_becomes_the_only_required_engineer_and_changes_the_digest(database, hq):
    with database.session() as session:
        ticket, able = _plannable_with_two_engineers(session)
        unpinned = ticket_digest(ticket)
        before = planning.build_problem(session=session, region_id=hq, day=DAY)
        assert (
            next(t for t in before.problem.tickets if t.id == ticket.number).required_engineers
            == frozenset()
        )

        result = edit_ticket(
            session=session,
            ticket=ticket,
            edit=TicketEdit(pinned_engineer_id=able[1].id),
            actor=None,
            at=AT,
        )

        assert result.changed == ("pinned_engineer_id",)
        after = planning.build_problem(session=session, region_id=hq, day=DAY)
        solver_ticket = next(t for t in after.problem.tickets if t.id == ticket.number)
        assert solver_ticket.required_engineers == frozenset({able[1].code})
        assert (
            after.snapshot[f"ticket:{ticket.number}"] != before.snapshot[f"ticket:{ticket.number}"]
        )
        # only the pinned ticket's digest changed: others stay as plans recorded them
        others = {k for k in before.snapshot if k != f"ticket:{ticket.number}"}
        assert {k: after.snapshot[k] for k in others} == {k: before.snapshot[k] for k in others}

        edit_ticket(
            session=session,
            ticket=ticket,
            edit=TicketEdit(pinned_engineer_id=None),
            actor=None,
            at=AT,
        )
        assert ticket_digest(ticket) == unpinned


def test_refused_edits_leave_the_ticket_and_history_alone(database, hq):
    with database.session() as session:
        ticket, able = _plannable_with_two_engineers(session)
        events = len(
            session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()
        )
        state = (ticket.priority, ticket.estimated_minutes, ticket.pinned_engineer_id)
        with pytest.raises(InvalidInput) as bad_window:
            edit_ticket(
                session=session,
                ticket=ticket,
                edit=TicketEdit(
                    estimated_minutes=10,
                    windows=[(AT, AT - dt.timedelta(hours=1))],
                ),
                actor=None,
                at=AT,
            )
        assert bad_window.value.field == "windows.0.end"
        with pytest.raises(InvalidInput) as naive:
            edit_ticket(
                session=session,
                ticket=ticket,
                edit=TicketEdit(priority=1),
                actor=None,
                at=AT.replace(tzinfo=None),
            )
        assert naive.value.field == "at"
        with pytest.raises(InvalidInput) as pin_required:
            edit_ticket(
                session=session,
                ticket=ticket,
                edit=TicketEdit(required_engineer_ids=[able[0].id], pinned_engineer_id=able[1].id),
                actor=None,
                at=AT,
            )
        assert pin_required.value.field == "pinned_engineer_id"
        assert (ticket.priority, ticket.estimated_minutes, ticket.pinned_engineer_id) == state
        assert (
            len(
                session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()
            )
            == events
        )


def test_a_skill_change_rechecks_the_pinned_engineer(database, hq):
    with database.session() as session:
        ticket, able = _plannable_with_two_engineers(session)
        pinned = able[0]
        edit_ticket(
            session=session,
            ticket=ticket,
            edit=TicketEdit(pinned_engineer_id=pinned.id),
            actor=None,
            at=AT,
        )
        level = {s.skill: s.level for s in pinned.skills}[ticket.required_skill]
        if level < 3:
            with pytest.raises(InvalidInput) as too_high:
                edit_ticket(
                    session=session,
                    ticket=ticket,
                    edit=TicketEdit(min_level=level + 1),
                    actor=None,
                    at=AT,
                )
            assert too_high.value.field == "min_level"
        other_skill = next(
            (
                s
                for s in session.scalars(select(EngineerSkill.skill).distinct())
                if s not in {k.skill for k in pinned.skills}
            ),
            None,
        )
        if other_skill is not None:
            with pytest.raises(InvalidInput) as lacks:
                edit_ticket(
                    session=session,
                    ticket=ticket,
                    edit=TicketEdit(required_skill=other_skill),
                    actor=None,
                    at=AT,
                )
            assert lacks.value.field == "required_skill"


def test_closed_and_cancelled_tickets_are_not_edited(database, hq):
    with database.session() as session:
        ticket, _ = _plannable_with_two_engineers(session)
        ticket.status = TicketStatus.CANCELLED.value
        with pytest.raises(Conflict) as refused:
            edit_ticket(
                session=session, ticket=ticket, edit=TicketEdit(symptoms="x"), actor=None, at=AT
            )
        assert refused.value.field == "status"
