"""An engineer's day minus their absences, and the problem the optimiser gets from it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from dispatch.demo.org import load_demo
from dispatch.models import Engineer, EngineerAbsence, Region
from dispatch.org.availability import available
from dispatch.planning import problem as planning
from solver.greedy import greedy
from solver.problem import Break, TimeWindow

DAY = dt.date(2026, 11, 24)  # a Tuesday
ZONE = ZoneInfo("Asia/Shanghai")
H = 3600
LUNCH = (Break(1800, TimeWindow(12 * H, 13 * H)),)


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(hour, minute), ZONE)


def test_an_absence_over_the_whole_shift_removes_the_engineer():
    assert available(start=8 * H, end=17 * H, breaks=LUNCH, absences=[(-H, 30 * H)]) is None
    assert available(start=8 * H, end=17 * H, breaks=LUNCH, absences=[(8 * H, 17 * H)]) is None


def test_absences_at_the_edges_move_the_shift():
    late_start = available(start=8 * H, end=17 * H, breaks=LUNCH, absences=[(0, 10 * H)])
    assert late_start is not None
    assert (late_start.start, late_start.end, late_start.breaks) == (10 * H, 17 * H, LUNCH)
    early_end = available(start=8 * H, end=17 * H, breaks=LUNCH, absences=[(12 * H, 20 * H)])
    assert early_end is not None
    assert (early_end.start, early_end.end, early_end.breaks) == (8 * H, 12 * H, ())


def test_an_absence_in_the_middle_is_a_break_fixed_at_its_start():
    mid = available(start=8 * H, end=17 * H, breaks=LUNCH, absences=[(14 * H, 15 * H + 1800)])
    assert mid is not None
    assert (mid.start, mid.end) == (8 * H, 17 * H)
    assert mid.breaks == (*LUNCH, Break(5400, TimeWindow(14 * H, 14 * H)))


def test_the_lunch_keeps_clear_of_absences():
    # a long absence over the lunch window replaces the lunch
    long = available(start=8 * H, end=17 * H, breaks=LUNCH, absences=[(11 * H, 14 * H)])
    assert long is not None and long.breaks == (Break(3 * H, TimeWindow(11 * H, 11 * H)),)
    # a short one: the lunch starts after it
    short = available(start=8 * H, end=17 * H, breaks=LUNCH, absences=[(12 * H, 12 * H + 600)])
    assert short is not None
    assert short.breaks == (
        Break(600, TimeWindow(12 * H, 12 * H)),
        Break(1800, TimeWindow(12 * H + 600, 13 * H)),
    )


def _world(database) -> tuple[int, int]:
    with database.session() as session:
        load_demo(session=session, seed=3, day=DAY, engineers=6, tickets=40)
        hq = session.scalar(select(Region.id).where(Region.code == "HQ"))
        engineer = session.scalars(select(Engineer).order_by(Engineer.code)).first()
        assert hq is not None and engineer is not None
        return hq, engineer.id


def _absent(database, engineer_id: int, start: dt.datetime, end: dt.datetime) -> None:
    with database.session() as session:
        session.add(EngineerAbsence(engineer_id=engineer_id, start=start, end=end, reason="sick"))


def test_the_problem_leaves_out_an_engineer_absent_all_day(database):
    hq, engineer_id = _world(database)
    with database.session() as session:
        code = session.get(Engineer, engineer_id).code  # type: ignore[union-attr]
        before = planning.build_problem(session=session, region_id=hq, day=DAY)
    assert code in {e.id for e in before.problem.engineers}

    _absent(database, engineer_id, at(0), at(23, 59))
    with database.session() as session:
        after = planning.build_problem(session=session, region_id=hq, day=DAY)
    assert code not in {e.id for e in after.problem.engineers}
    assert after.snapshot[f"engineer:{code}"] != before.snapshot[f"engineer:{code}"]


def test_no_visit_inside_an_absence_in_a_solved_problem(database):
    hq, engineer_id = _world(database)
    _absent(database, engineer_id, at(10), at(13))
    with database.session() as session:
        code = session.get(Engineer, engineer_id).code  # type: ignore[union-attr]
        pi = planning.build_problem(session=session, region_id=hq, day=DAY)
    engineer = next(e for e in pi.problem.engineers if e.id == code)
    assert Break(3 * H, TimeWindow(10 * H, 10 * H)) in engineer.breaks
    solution = greedy(pi.problem)
    route = solution.route_of(code)
    assert route is not None and route.visits, "the engineer still works around the absence"
    for visit in route.visits:
        assert visit.end <= 10 * H or visit.start >= 13 * H, visit
