"""Check that the times a :class:`~solver.solution.Solution` reports are a feasible schedule.

:func:`solver.check.validate.validate` re-times every route itself; this module checks the
solver's own figures: each reported visit, break, departure and return must obey the
rules (so that the schedule shown to a dispatcher can be driven as shown), travel
must match the matrix, and the KPIs must match the routes.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Sequence

from solver.check.retime import Code, RouteContext, Violation, ticket_point
from solver.solution import BreakPlacement, Route, Solution, Visit

_Bad = Callable[[Code, str, str | None], None]


def check_reported(ctx: RouteContext, sol: Solution) -> list[Violation]:
    """Violations in the solution's own times, travel, breaks and KPIs.

    Parameters
    ----------
    ctx
        Indexes over the problem (:meth:`solver.check.retime.RouteContext.of`).
    sol
        The solution whose reported figures are checked.

    Returns
    -------
    list of Violation
        ``REPORTED_TIMES``, ``REPORTED_TRAVEL``, ``REPORTED_BREAK`` and
        ``REPORTED_KPIS`` violations (routes with unknown ids are skipped: those are
        reported by :func:`solver.check.validate.validate`).
    """
    out: list[Violation] = []
    for route in sol.routes:
        known = route.engineer_id in ctx.engineer_index and all(
            t in ctx.ticket_index for t in route.ticket_ids
        )
        if known:
            out.extend(_route(ctx, route))
    out.extend(_kpis(ctx, sol))
    return out


def _route(ctx: RouteContext, r: Route) -> list[Violation]:
    problem, m = ctx.problem, ctx.matrix
    e_idx = ctx.engineer_index[r.engineer_id]
    eng = problem.engineers[e_idx]
    out: list[Violation] = []

    def bad(code: Code, msg: str, tid: str | None = None) -> None:
        out.append(Violation(code, msg, r.engineer_id, tid))

    if not r.visits:
        if r.travel_seconds or r.travel_metres or r.breaks:
            bad(Code.REPORTED_TRAVEL, "a route without visits reports travel or breaks", None)
        return out
    points = [
        e_idx,
        *(ticket_point(problem, ctx.ticket_index[v.ticket_id]) for v in r.visits),
        len(problem.engineers) + e_idx,
    ]
    legs = [int(m.durations[a, b]) for a, b in itertools.pairwise(points)]
    metres = [int(m.distances[a, b]) for a, b in itertools.pairwise(points)]
    if r.depart < eng.shift.start:
        bad(Code.REPORTED_TIMES, f"departs {r.depart} before the shift starts", None)
    for i, v in enumerate(r.visits):
        _visit(ctx, i, v, legs[i], metres[i], bad)
    if r.arrive > eng.shift.end:
        bad(Code.REPORTED_TIMES, f"back at {r.arrive}, the shift ends at {eng.shift.end}", None)
    if r.travel_seconds != sum(legs) or r.travel_metres != sum(metres):
        bad(
            Code.REPORTED_TRAVEL,
            f"route travel {r.travel_seconds} s / {r.travel_metres} m, "
            f"the matrix gives {sum(legs)} s / {sum(metres)} m",
            None,
        )
    _breaks(ctx, r, legs, bad)
    return out


def _visit(ctx: RouteContext, i: int, v: Visit, leg: int, metres: int, bad: _Bad) -> None:
    t = ctx.problem.tickets[ctx.ticket_index[v.ticket_id]]
    tid = t.id
    if v.travel_seconds != leg or v.travel_metres != metres:
        bad(
            Code.REPORTED_TRAVEL,
            f"leg reported {v.travel_seconds} s / {v.travel_metres} m, matrix {leg} s / {metres} m",
            tid,
        )
    if v.end - v.start != t.duration:
        bad(Code.REPORTED_TIMES, f"service {v.end - v.start} s, duration is {t.duration}", tid)
    pin = ctx.pins.get(tid)
    onsite = i == 0 and leg == 0
    if pin is not None and pin.start is not None:
        if v.start != pin.start:
            bad(Code.REPORTED_TIMES, f"starts {v.start}, pinned start is {pin.start}", tid)
        elif v.start < v.arrival and not onsite:
            bad(Code.REPORTED_TIMES, f"starts {v.start} before arriving at {v.arrival}", tid)
        return
    if v.start < v.arrival:
        bad(Code.REPORTED_TIMES, f"starts {v.start} before arriving at {v.arrival}", tid)
    if t.windows and not any(w.contains(v.start) for w in t.windows):
        bad(Code.REPORTED_TIMES, f"starts {v.start} outside every window", tid)
    if t.sla_deadline is not None and t.sla_hard and v.start > t.sla_deadline:
        bad(Code.REPORTED_TIMES, f"starts {v.start} after the hard SLA {t.sla_deadline}", tid)
    soft = t.sla_deadline if not t.sla_hard else None
    lateness = 0 if soft is None else max(0, v.start - soft)
    if v.lateness != lateness:
        bad(Code.REPORTED_TIMES, f"lateness {v.lateness}, expected {lateness}", tid)


def _breaks(ctx: RouteContext, r: Route, legs: Sequence[int], bad: _Bad) -> None:
    eng = ctx.problem.engineers[ctx.engineer_index[r.engineer_id]]
    visits = r.visits
    n = len(visits)
    owed = sorted((b.window.start, b.window.end, b.duration) for b in eng.breaks)
    placed = sorted(r.breaks, key=lambda b: b.start)
    if len(placed) > len(owed):
        bad(Code.REPORTED_BREAK, f"{len(placed)} breaks reported, {len(owed)} owed", None)
    for (ws, we, d), p in zip(owed, placed, strict=False):
        if not ws <= p.start <= we or p.end - p.start != d:
            bad(
                Code.REPORTED_BREAK,
                f"break [{p.start}, {p.end}] does not fit window [{ws}, {we}] / {d} s",
                None,
            )
    for ws, _, _ in owed[len(placed) :]:
        if r.arrive > ws:
            bad(Code.REPORTED_BREAK, f"a break owed from {ws} is not reported", None)
    by_gap: dict[int, list[BreakPlacement]] = {}
    for p in placed:
        if not -1 <= p.after_visit < n:
            bad(Code.REPORTED_BREAK, f"break after visit {p.after_visit} of {n}", None)
            continue
        by_gap.setdefault(p.after_visit + 1, []).append(p)
    for g in range(n + 1):
        lo = r.depart if g == 0 else visits[g - 1].end
        arrive = visits[g].arrival if g < n else r.arrive
        until = visits[g].start if g < n else r.arrive
        tid = visits[g].ticket_id if g < n else None
        covered = 0
        last_end = lo
        for p in by_gap.get(g, []):
            if p.start < last_end or p.end > until:
                bad(Code.REPORTED_BREAK, f"break [{p.start}, {p.end}] overlaps work", tid)
            last_end = max(last_end, p.end)
            covered += max(0, min(p.end, arrive) - max(p.start, lo))
        if arrive - lo - covered < legs[g]:
            bad(
                Code.REPORTED_TIMES,
                f"{arrive - lo - covered} s to drive a {legs[g]} s leg",
                tid,
            )


def _kpis(ctx: RouteContext, sol: Solution) -> list[Violation]:
    served = Counter(
        int(ctx.problem.tickets[ctx.ticket_index[t]].tier)
        for r in sol.routes
        for t in r.ticket_ids
        if t in ctx.ticket_index
    )
    total = Counter(int(t.tier) for t in ctx.problem.tickets)
    k = sol.kpis
    out: list[Violation] = []
    checks = [
        ("served_by_tier", {t: n for t, n in k.served_by_tier.items() if n}, dict(served)),
        ("total_by_tier", {t: n for t, n in k.total_by_tier.items() if n}, dict(total)),
        ("travel_seconds", k.travel_seconds, sum(r.travel_seconds for r in sol.routes)),
        ("travel_metres", k.travel_metres, sum(r.travel_metres for r in sol.routes)),
        ("service_seconds", k.service_seconds, sum(r.service_seconds for r in sol.routes)),
    ]
    for name, got, want in checks:
        if got != want:
            out.append(Violation(Code.REPORTED_KPIS, f"kpis.{name} is {got}, routes give {want}"))
    return out
