"""Turn a plan (engineer -> ticket ids) into a timed :class:`~solver.solution.Solution`.

Used by the greedy dispatcher and by the benchmark peers: routes are re-timed with
:mod:`solver.check.retime` (earliest schedule, best break placement) and the KPIs computed
from the timed routes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from solver.check.retime import RouteContext
from solver.problem import TIERS, Problem
from solver.solution import Kpis, Reason, Route, Solution, SolveStatus, Unassigned
from solver.travel.base import TravelMatrix


def kpis_of(problem: Problem, routes: Sequence[Route]) -> Kpis:
    """KPIs of timed routes.

    Parameters
    ----------
    problem
        The problem the routes answer.
    routes
        Timed routes (visits with start and lateness).

    Returns
    -------
    Kpis
        Served/total/late counts by tier, travel, service, utilisation of the
        engineers used and preferred engineers served.
    """
    tickets = {t.id: t for t in problem.tickets}
    shifts = {e.id: e.shift.end - e.shift.start for e in problem.engineers}
    served: Counter[int] = Counter()
    late: Counter[int] = Counter()
    lateness: Counter[int] = Counter()
    preferred = 0
    for r in routes:
        for v in r.visits:
            t = tickets[v.ticket_id]
            served[int(t.tier)] += 1
            if v.lateness > 0:
                late[int(t.tier)] += 1
                lateness[int(t.tier)] += v.lateness
            preferred += r.engineer_id in t.preferred_engineers
    used = [r for r in routes if r.visits]
    shift_total = sum(shifts[r.engineer_id] for r in used)
    working = sum(r.working_seconds for r in used)
    tiers = [int(t) for t in TIERS]
    return Kpis(
        served_by_tier={t: served[t] for t in tiers},
        total_by_tier={t: sum(1 for x in problem.tickets if int(x.tier) == t) for t in tiers},
        late_by_tier={t: late[t] for t in tiers},
        lateness_seconds_by_tier={t: lateness[t] for t in tiers},
        travel_seconds=sum(r.travel_seconds for r in routes),
        travel_metres=sum(r.travel_metres for r in routes),
        service_seconds=sum(r.service_seconds for r in routes),
        utilisation=working / shift_total if shift_total else 0.0,
        engineers_used=len(used),
        preferred_served=preferred,
    )


def solution_from_plan(
    problem: Problem,
    plan: Mapping[str, Sequence[str]],
    unassigned: Mapping[str, Sequence[Reason]] | None = None,
    *,
    seconds: float = 0.0,
    matrix: TravelMatrix | None = None,
    notes: Sequence[str] = (),
) -> Solution:
    """A timed :class:`~solver.solution.Solution` for a plan.

    Parameters
    ----------
    problem
        The problem.
    plan
        Engineer id -> ticket ids in visiting order (known ids, each ticket once).
    unassigned
        Reasons of the tickets left out; a ticket in no route and not listed here
        gets ``NO_ROOM``.
    seconds
        Wall time of the solve that produced the plan.
    matrix
        The problem's travel matrix when already computed.
    notes
        Remarks copied to the solution.

    Returns
    -------
    Solution
        One route per engineer of the problem (in problem order), re-timed from the
        shift start; status ``EMPTY`` without tickets or engineers, else ``FEASIBLE``.
    """
    ctx = RouteContext.of(problem, matrix)
    routes = tuple(ctx.retime(e.id, list(plan.get(e.id, ()))).route for e in problem.engineers)
    routed = {v.ticket_id for r in routes for v in r.visits}
    given = unassigned or {}
    left = tuple(
        Unassigned(t.id, tuple(given.get(t.id, ())) or (Reason.NO_ROOM,))
        for t in problem.tickets
        if t.id not in routed
    )
    empty = not problem.tickets or not problem.engineers
    return Solution(
        routes=routes,
        unassigned=left,
        kpis=kpis_of(problem, routes),
        status=SolveStatus.EMPTY if empty else SolveStatus.FEASIBLE,
        seconds=seconds,
        provider=ctx.matrix.provider,
        notes=tuple(notes),
    )
