"""The absence services: validation, overlap, cancel, lists, audit, and the published day."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from dispatch.demo.org import load_demo
from dispatch.errors import Conflict, InvalidInput, NotFound
from dispatch.field.checkins import check_in
from dispatch.field.day import jobs_for
from dispatch.infra.events import EventKind
from dispatch.masterdata import absences, engineers
from dispatch.models import (
    AuditEntry,
    Engineer,
    OutboxEvent,
    Plan,
    PlanStatus,
    Region,
    Ticket,
    TicketStatus,
    User,
    Visit,
)
from dispatch.org.users import create_user
from dispatch.planning.optimization import RunOptions, request_optimization
from dispatch.planning.problem import apply_solution, build_problem
from dispatch.planning.publishing import publish_plan
from solver.greedy import greedy
from solver.solution import Reason

DAY = dt.date(2026, 11, 24)  # a Tuesday
ZONE = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime.combine(DAY, dt.time(7), ZONE)


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), ZONE)


@pytest.fixture
def engineer_id(database) -> int:
    with database.session() as session:
        load_demo(session=session, seed=3, day=DAY, engineers=6, tickets=30)
        first = session.scalars(select(Engineer.id).order_by(Engineer.id)).first()
        assert first is not None
        return first


def create(session, engineer_id: int, start: dt.datetime, end: dt.datetime, **kw):
    return absences.create_absence(
        session=session,
        engineer_id=engineer_id,
        start=start,
        end=end,
        reason=kw.pop("reason", "training"),
        actor=None,
        now=kw.pop("now", NOW),
        **kw,
    )


def test_a_period_must_be_sane_and_the_engineer_known(database, engineer_id):
    with database.session() as session:
        cases = [
            (dict(engineer_id=engineer_id, start=at(12), end=at(10)), InvalidInput, "end"),
            (dict(engineer_id=engineer_id, start=at(12), end=at(12)), InvalidInput, "end"),
            (
                dict(engineer_id=engineer_id, start=at(8), end=at(8) + dt.timedelta(days=367)),
                InvalidInput,
                "end",
            ),
            (
                dict(
                    engineer_id=engineer_id,
                    start=at(8) + dt.timedelta(days=800),
                    end=at(9) + dt.timedelta(days=800),
                ),
                InvalidInput,
                "start",
            ),
            (
                dict(engineer_id=engineer_id, start=at(8), end=at(9), reason="x"),
                InvalidInput,
                "reason",
            ),
            (dict(engineer_id=999_999, start=at(8), end=at(9)), NotFound, "engineer_id"),
        ]
        for kwargs, error, field in cases:
            with pytest.raises(error) as caught:
                create(session, **kwargs)
            assert caught.value.field == field, kwargs
        session.get(Engineer, engineer_id).active = False  # type: ignore[union-attr]
        with pytest.raises(InvalidInput) as inactive:
            create(session, engineer_id, at(8), at(9))
        assert inactive.value.field == "engineer_id"


def test_overlapping_absences_are_refused_adjacent_ones_and_cancelled_ones_not(
    database, engineer_id
):
    with database.session() as session:
        first = create(session, engineer_id, at(8), at(12)).absence
        with pytest.raises(Conflict) as clash:
            create(session, engineer_id, at(11), at(13))
        assert clash.value.field == "start" and clash.value.details["absence_id"] == first.id
        create(session, engineer_id, at(12), at(14))  # adjacent: fine
        absences.cancel_absence(
            session=session, engineer_id=engineer_id, absence_id=first.id, actor=None, now=NOW
        )
        again = create(session, engineer_id, at(9), at(10)).absence
        assert again.id != first.id


def test_cancel_keeps_the_row_records_audit_and_events_once(database, engineer_id):
    with database.session() as session:
        absence = create(session, engineer_id, at(8), at(12)).absence
        later = NOW + dt.timedelta(minutes=3)
        for _ in range(2):
            absences.cancel_absence(
                session=session,
                engineer_id=engineer_id,
                absence_id=absence.id,
                actor=None,
                now=later,
            )
        assert absence.cancelled_at == later
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "absence").order_by(AuditEntry.id)
        ).all()
        assert [(a.entity_id, a.action) for a in audit] == [
            (absence.id, "created"),
            (absence.id, "cancelled"),
        ]
        assert audit[0].after["reason"] == "training"  # type: ignore[index]
        events = session.scalars(
            select(OutboxEvent).where(OutboxEvent.kind == EventKind.ENGINEER_ABSENCE)
        ).all()
        assert [(e.data["action"], e.data["engineer_id"]) for e in events] == [
            ("created", engineer_id),
            ("cancelled", engineer_id),
        ]
        with pytest.raises(NotFound) as wrong:
            absences.cancel_absence(
                session=session,
                engineer_id=engineer_id + 1,
                absence_id=absence.id,
                actor=None,
                now=NOW,
            )
        assert wrong.value.field == "absence_id"


def test_lists_filter_by_period_cancellation_and_region(database, engineer_id):
    with database.session() as session:
        today = create(session, engineer_id, at(8), at(12)).absence
        tomorrow = create(
            session,
            engineer_id,
            at(8, day=DAY + dt.timedelta(days=1)),
            at(9, day=DAY + dt.timedelta(days=1)),
        ).absence
        absences.cancel_absence(
            session=session, engineer_id=engineer_id, absence_id=tomorrow.id, actor=None, now=NOW
        )

        def ids(page) -> list[int]:
            return [a.id for a in page.items]

        assert ids(absences.list_absences(session=session, engineer_id=engineer_id)) == [today.id]
        assert ids(
            absences.list_absences(session=session, engineer_id=engineer_id, include_cancelled=True)
        ) == [today.id, tomorrow.id]
        assert (
            ids(absences.list_absences(session=session, engineer_id=engineer_id, start=at(12)))
            == []
        )
        with pytest.raises(InvalidInput) as backwards:
            absences.list_absences(
                session=session, engineer_id=engineer_id, start=at(12), end=at(8)
            )
        assert backwards.value.field == "to"
        region_id = session.get(Engineer, engineer_id).region_id  # type: ignore[union-attr]
        other = session.scalars(select(Region.id).where(Region.id != region_id)).all()
        assert ids(absences.absence_overview(session=session, region_id=region_id)) == [today.id]
        leaves = [
            r for r in other if not session.scalar(select(Region.id).where(Region.parent_id == r))
        ]
        for region in leaves:
            assert today.id not in ids(absences.absence_overview(session=session, region_id=region))


def _published_day(session) -> Plan:
    """Today's plan of HQ computed at :data:`NOW` with the greedy solver, published."""
    hq = session.scalar(select(Region).where(Region.code == "HQ"))
    run = request_optimization(
        session=session,
        region_code="HQ",
        day=DAY,
        time_budget_seconds=5,
        options=RunOptions(),
        actor=None,
        now=NOW,
    )
    planning = build_problem(session=session, region_id=hq.id, day=DAY, now=NOW)
    run.status, run.started_at = PlanStatus.SUCCEEDED.value, NOW
    apply_solution(session=session, plan=run, planning=planning, solution=greedy(planning.problem))
    session.flush()
    return publish_plan(session=session, plan_id=run.id, actor=None, at=NOW)


def test_an_absence_over_the_published_day_releases_only_what_has_not_started(database):
    with database.session() as session:
        load_demo(session=session, seed=3, day=DAY, engineers=6, tickets=30)
    with database.session() as session:  # rows as stored (e.g. decimals), as a request sees them
        plan = _published_day(session)
        rows = session.execute(
            select(
                Visit.engineer_id, Visit.ticket_id, Visit.planned_start, Visit.planned_end
            ).where(Visit.plan_id == plan.id)
        ).all()
        engineer = max({r[0] for r in rows}, key=lambda e: sum(r[0] == e for r in rows))
        mine = sorted((r for r in rows if r[0] == engineer), key=lambda r: r[2])
        assert len(mine) >= 2
        # the first visit is under way (checked in on site): it stays, even inside the absence
        code = session.get(Engineer, engineer).code  # type: ignore[union-attr]
        user = session.scalar(select(User).where(User.engineer_id == engineer)) or create_user(
            session=session,
            username="field-absent",
            password="field-pass-1",
            role="engineer",
            engineer_code=code,
        )
        site = session.get(Ticket, mine[0][1]).site  # type: ignore[union-attr]
        check_in(
            session=session,
            user=user,
            ticket_id=mine[0][1],
            lat=site.lat,
            lon=site.lon,
            device_time=None,
            radius_m=500,
            now=NOW,
        )

        change = create(session, engineer, NOW, at(23), reason="sick")

        released = set(change.released[0].ticket_ids)
        assert released == {r[1] for r in mine[1:]}
        assert [p.options["replan_from_now"] for p in change.reoptimizations] == [True]
        new = change.released[0].plan
        assert new.status == PlanStatus.PUBLISHED.value
        assert {u.ticket_id: u.reasons for u in new.unassigned if u.ticket_id in released} == {
            t: [Reason.ENGINEER_ABSENT.value] for t in released
        }
        assert [v.ticket_id for v in new.visits if v.engineer_id == engineer] == [mine[0][1]]
        assert session.get(Ticket, mine[0][1]).status == TicketStatus.ON_SITE.value  # type: ignore[union-attr]
        for ticket_id in released:
            assert session.get(Ticket, ticket_id).status == TicketStatus.TRIAGED.value  # type: ignore[union-attr]


def test_a_forced_deactivation_releases_the_published_day_as_an_absence_does(database):
    with database.session() as session:
        load_demo(session=session, seed=3, day=DAY, engineers=6, tickets=30)
    with database.session() as session:
        plan = _published_day(session)
        rows = session.execute(
            select(Visit.engineer_id, Visit.ticket_id).where(Visit.plan_id == plan.id)
        ).all()
        engineer = max({r[0] for r in rows}, key=lambda e: sum(r[0] == e for r in rows))
        mine = {r[1] for r in rows if r[0] == engineer}
        assert mine

        result = engineers.deactivate_engineer(
            session=session, actor=None, engineer_id=engineer, now=NOW, force=True
        )
        done, returned = result.engineer, result.returned_ticket_ids

        assert done.active is False and set(returned) == mine
        assert plan.status == PlanStatus.SUPERSEDED.value
        published = session.scalars(
            select(Plan).where(Plan.plan_date == DAY, Plan.status == PlanStatus.PUBLISHED.value)
        ).all()
        assert len(published) == 1 and published[0].options["source"] == "deactivation"
        new = published[0]
        assert not [v for v in new.visits if v.engineer_id == engineer]
        assert {u.ticket_id: u.reasons for u in new.unassigned if u.ticket_id in mine} == {
            t: [Reason.ENGINEER_ABSENT.value] for t in mine
        }
        assert {v.ticket_id for v in new.visits} == {r[1] for r in rows} - mine
        assert jobs_for(session=session, engineer_id=engineer, day=DAY) == []
        for ticket_id in mine:
            assert session.get(Ticket, ticket_id).status == TicketStatus.TRIAGED.value  # type: ignore[union-attr]
        announced = session.scalars(
            select(OutboxEvent).where(OutboxEvent.kind == EventKind.PLAN_PUBLISHED)
        ).all()
        assert new.id in {e.data["plan_id"] for e in announced}
        # ... and, as after an absence, an in-day re-plan of that day is queued.
        (rerun,) = result.reoptimizations
        assert rerun.status == PlanStatus.QUEUED.value
        assert (rerun.region_id, rerun.plan_date) == (new.region_id, DAY)
        assert rerun.options.get("replan_from_now") is True
