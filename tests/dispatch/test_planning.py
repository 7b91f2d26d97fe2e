"""The planning seam: rows -> solver problem -> plan rows."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from dispatch.demo.org import load_demo
from dispatch.models import (
    Engineer,
    EngineerRuleKind,
    Plan,
    PlanStatus,
    Region,
    SiteVisit,
    Ticket,
    TicketEngineerRule,
    TicketStatus,
    Visit,
)
from dispatch.planning import problem as planning
from solver.check.validate import validate
from solver.greedy import greedy

DAY = dt.date(2026, 11, 24)  # a Tuesday
ZONE = ZoneInfo("Asia/Shanghai")


def _load(database) -> int:
    with database.session() as session:
        load_demo(session=session, seed=3, day=DAY, engineers=8, tickets=40)
        return session.scalar(select(Region.id).where(Region.code == "HQ"))


def test_problem_mirrors_the_rows(database):
    hq = _load(database)
    with database.session() as session:
        pi = planning.build_problem(session=session, region_id=hq, day=DAY)
        problem = pi.problem
        engineers = session.scalars(select(Engineer).order_by(Engineer.code)).all()
        # the last demo engineer's certification has lapsed: never dispatched
        assert {e.id for e in problem.engineers} == {
            e.code for e in engineers if e.certified_on(DAY)
        }
        plannable = session.scalars(
            select(Ticket).where(Ticket.status.in_(planning.PLANNABLE))
        ).all()
        assert {t.id for t in problem.tickets} == {t.number for t in plannable}
        assert pi.origin == dt.datetime(2026, 11, 23, 16, 0, tzinfo=dt.UTC)  # midnight in Shanghai
        e1 = next(e for e in problem.engineers if e.id == "E001")
        row = next(e for e in engineers if e.code == "E001")
        shift = row.shift_on(DAY)
        assert (e1.shift.start, e1.shift.end) == (shift.start_minute * 60, shift.end_minute * 60)
        assert e1.breaks[0].duration == shift.break_minutes * 60
        assert dict(e1.skills) == {s.skill: s.level for s in row.skills}
        assert e1.max_work_seconds == row.max_work_minutes_per_day * 60
        for t in plannable:
            st = next(x for x in problem.tickets if x.id == t.number)
            w = t.windows[0]
            assert st.windows[0].start == max(int((w.start - pi.origin).total_seconds()), 7 * 3600)
            assert st.duration == t.estimated_minutes * 60 and int(st.tier) == t.priority
            assert st.skill == t.required_skill and st.min_level == t.min_level


def test_solution_round_trips_into_plan_rows(database):
    hq = _load(database)
    with database.session() as session:
        pi = planning.build_problem(session=session, region_id=hq, day=DAY)
        solution = greedy(pi.problem)
        assert validate(pi.problem, solution) == []
        plan = Plan(
            region_id=hq,
            plan_date=DAY,
            horizon_start=pi.origin,
            horizon_end=pi.origin + dt.timedelta(days=1),
            status=PlanStatus.SUCCEEDED.value,
        )
        session.add(plan)
        planning.apply_solution(session=session, plan=plan, planning=pi, solution=solution)
        plan_id = plan.id
    with database.session() as session:
        plan = session.get(Plan, plan_id)
        assert len(plan.visits) == sum(len(r.visits) for r in solution.routes)
        assert len(plan.unassigned) == len(solution.unassigned)
        first_route = next(r for r in solution.routes if r.visits)
        v0 = first_route.visits[0]
        row = next(v for v in plan.visits if v.ticket.number == v0.ticket_id)
        assert row.engineer.code == first_route.engineer_id and row.sequence == 0
        assert row.planned_start == pi.origin + dt.timedelta(seconds=v0.start)
        assert plan.kpis["served"] == solution.kpis.served and plan.inputs_hash == pi.inputs_hash
        for u in plan.unassigned:
            assert u.reasons, "every unassigned ticket says why"


def test_rules_vip_and_access_hours(database):
    hq = _load(database)
    with database.session() as session:
        ticket = session.scalars(
            select(Ticket).where(Ticket.status == TicketStatus.TRIAGED.value)
        ).first()
        e2 = session.scalar(select(Engineer).where(Engineer.code == "E002"))
        e3 = session.scalar(select(Engineer).where(Engineer.code == "E003"))
        ticket.engineer_rules = [
            TicketEngineerRule(engineer_id=e2.id, kind=EngineerRuleKind.REQUIRED.value),
            TicketEngineerRule(engineer_id=e3.id, kind=EngineerRuleKind.EXCLUDED.value),
        ]
        closed = session.scalars(
            select(Ticket).where(
                Ticket.status == TicketStatus.TRIAGED.value, Ticket.site_id != ticket.site_id
            )
        ).first()
        closed.site.access_hours = {"mon": ["08:00", "18:00"]}  # closed on Tuesdays
        number, closed_number = ticket.number, closed.number
    with database.session() as session:
        pi = planning.build_problem(session=session, region_id=hq, day=DAY)
        st = next(t for t in pi.problem.tickets if t.id == number)
        assert st.required_engineers == frozenset({"E002"}) and st.excluded_engineers == frozenset(
            {"E003"}
        )
        assert closed_number not in {t.id for t in pi.problem.tickets}
        assert (
            "site closed"
            in pi.skipped[session.scalar(select(Ticket.id).where(Ticket.number == closed_number))]
        )


def test_in_day_replan_pins_and_starts_from_positions(database):
    hq = _load(database)
    now = dt.datetime.combine(DAY, dt.time(11, 0), ZONE)
    with database.session() as session:
        pi = planning.build_problem(session=session, region_id=hq, day=DAY)
        solution = greedy(pi.problem)
        plan = Plan(
            region_id=hq,
            plan_date=DAY,
            horizon_start=pi.origin,
            horizon_end=pi.origin + dt.timedelta(days=1),
            status=PlanStatus.PUBLISHED.value,
            published_at=now,
        )
        session.add(plan)
        planning.apply_solution(session=session, plan=plan, planning=pi, solution=solution)
        session.flush()
        route = next(r for r in solution.routes if len(r.visits) >= 3)
        code = route.engineer_id
        engineer = session.scalar(select(Engineer).where(Engineer.code == code))
        first, second = (
            session.scalar(select(Ticket).where(Ticket.number == v.ticket_id))
            for v in route.visits[:2]
        )
        first.status = TicketStatus.ON_SITE.value
        session.add(
            SiteVisit(
                ticket_id=first.id,
                engineer_id=engineer.id,
                checked_in_at=now - dt.timedelta(minutes=10),
                check_in_lat=first.site.lat,
                check_in_lon=first.site.lon,
                check_in_distance_m=5.0,
            )
        )
        second.status = TicketStatus.DISPATCHED.value
        other = next(r for r in solution.routes if r.visits and r.engineer_id != code)
        other_id = session.scalar(select(Engineer.id).where(Engineer.code == other.engineer_id))
        numbers = (first.number, second.number)
    with database.session() as session:
        position = planning.Position(31.3, 121.5, now - dt.timedelta(minutes=5))
        old = planning.Position(31.1, 121.3, now - dt.timedelta(hours=3))
        pi = planning.build_problem(
            session=session,
            region_id=hq,
            day=DAY,
            now=now,
            positions={other_id: position, engineer.id: old},
        )
        ids = {t.id for t in pi.problem.tickets}
        assert numbers[0] not in ids, "the on-site job is not re-planned"
        assert numbers[1] in ids and any(
            p.ticket_id == numbers[1] and p.engineer_id == code for p in pi.problem.pins
        )
        me = next(e for e in pi.problem.engineers if e.id == code)
        assert (me.start.lat, me.start.lon) == (first.site.lat, first.site.lon), (
            "free at the site of the job in hand"
        )
        assert me.shift.start >= pi.seconds(now)
        moved = next(e for e in pi.problem.engineers if e.id == other.engineer_id)
        assert (moved.start.lat, moved.start.lon) == (31.3, 121.5)
        assert pi.problem.previous_assignment[numbers[1]] == code
        solution = greedy(pi.problem)
        assert validate(pi.problem, solution) == []
        plan = Plan(
            region_id=hq,
            plan_date=DAY,
            horizon_start=pi.origin,
            horizon_end=pi.origin + dt.timedelta(days=1),
            status=PlanStatus.SUCCEEDED.value,
        )
        session.add(plan)
        planning.apply_solution(session=session, plan=plan, planning=pi, solution=solution)
        session.flush()
        kept = session.scalar(
            select(Visit).where(Visit.plan_id == plan.id, Visit.ticket_id == first.id)
        )
        assert kept.pinned and kept.sequence == 0 and kept.engineer_id == engineer.id
        assert solution.assignment()[numbers[1]] == code, (
            "a dispatched ticket stays with its engineer"
        )
