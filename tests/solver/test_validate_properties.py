"""Property tests: the re-timing against brute force, and the checkers against each other."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from solver.assemble import solution_from_plan
from solver.check.validate import retime_route, validate
from solver.greedy import greedy
from solver.problem import Problem
from tests.solver.linemodel import eng, line_problem, tk

_HORIZON = 400


@st.composite
def problems(draw: st.DrawFn, max_engineers: int = 2, max_tickets: int = 5) -> Problem:
    engineers = []
    for i in range(draw(st.integers(1, max_engineers))):
        s = draw(st.integers(0, 60))
        e = draw(st.integers(s + 50, _HORIZON))
        brk = None
        if draw(st.booleans()):
            ws = draw(st.integers(0, 250))
            brk = (ws, ws + draw(st.integers(0, 40)), draw(st.integers(0, 60)))
        engineers.append(
            eng(
                f"E{i}",
                x=draw(st.integers(0, 60)),
                shift=(s, e),
                brk=brk,
                skills={"hvac": draw(st.integers(1, 3))},
            )
        )
    tickets = []
    for j in range(draw(st.integers(1, max_tickets))):
        windows = []
        if draw(st.integers(0, 3)):
            a = draw(st.integers(0, 300))
            windows.append((a, a + draw(st.integers(0, 60))))
        tickets.append(
            tk(
                f"T{j}",
                draw(st.integers(0, 60)),
                duration=draw(st.integers(0, 40)),
                windows=windows,
                min_level=draw(st.integers(1, 3)),
                tier=draw(st.integers(1, 4)),
            )
        )
    return line_problem(engineers, tickets)


def _brute_feasible(p: Problem, order: list[str]) -> bool:
    """Try every gap and every integer break start (at most one break, no pins)."""
    e = p.engineers[0]
    m = p.travel_matrix().durations
    idx = {t.id: 2 * len(p.engineers) + i for i, t in enumerate(p.tickets)}
    tickets = {t.id: t for t in p.tickets}
    points = [0, *(idx[t] for t in order), len(p.engineers)]
    legs = [int(m[a, b]) for a, b in itertools.pairwise(points)]
    brk = e.breaks[0] if e.breaks else None

    def run(gap: int | None, b_start: int | None) -> bool:
        clock = e.shift.start
        for g, leg in enumerate(legs):
            ready = clock + leg
            if gap == g:
                assert brk is not None and b_start is not None
                if b_start < clock:
                    return False
                ready = b_start + brk.duration + max(0, leg - (b_start - clock))
            if g == len(order):
                ok_end = ready <= e.shift.end
                owed = brk is not None and gap is None and ready > brk.window.start
                return ok_end and not owed
            t = tickets[order[g]]
            starts = [max(ready, w.start) for w in t.windows if max(ready, w.start) <= w.end]
            if t.windows and not starts:
                return False
            clock = (starts[0] if t.windows else ready) + t.duration
        raise AssertionError

    if run(None, None):
        return True
    if brk is None:
        return False
    return any(
        run(g, b) for g in range(len(legs)) for b in range(brk.window.start, brk.window.end + 1)
    )


@settings(max_examples=200, deadline=None)
@given(problems(max_engineers=1), st.data())
def test_retime_matches_brute_force_break_placement(p: Problem, data: st.DataObject) -> None:
    ids = [t.id for t in p.tickets]
    order = data.draw(st.permutations(ids))[: data.draw(st.integers(1, len(ids)))]
    timing = retime_route(p, p.engineers[0].id, order)
    assert timing.feasible == _brute_feasible(p, order)


@settings(max_examples=100, deadline=None)
@given(problems())
def test_greedy_plans_always_validate(p: Problem) -> None:
    sol = greedy(p)
    assert validate(p, sol) == []
    served = sum(len(r.visits) for r in sol.routes)
    assert served + len(sol.unassigned) == len(p.tickets)


@settings(max_examples=100, deadline=None)
@given(problems(), st.data())
def test_a_valid_plan_gives_a_consistent_solution(p: Problem, data: st.DataObject) -> None:
    plan: dict[str, list[str]] = {e.id: [] for e in p.engineers}
    for t in data.draw(st.permutations([t.id for t in p.tickets])):
        who = data.draw(st.sampled_from([*plan, None]))
        if who is not None:
            plan[who].append(t)
    if validate(p, plan) == []:
        assert validate(p, solution_from_plan(p, plan)) == []
