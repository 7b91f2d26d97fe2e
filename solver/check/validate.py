"""An independent checker for plans: every rule of the problem, re-timed from scratch.

:func:`validate` takes a :class:`~solver.solution.Solution` or a plain mapping
``engineer id -> ordered ticket ids`` and returns the broken rules as
:class:`Violation` values (an empty list means the plan is feasible). It never trusts
the times a solver reports: each route is re-timed by :func:`retime_route` (see
:mod:`solver.check.retime` for the timing rules). Given a ``Solution`` it also checks that
the reported times, travel, breaks and KPIs are themselves a consistent, feasible
schedule (:mod:`solver.check.reported`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from solver.check.reported import check_reported
from solver.check.retime import Code, RouteContext, RouteTiming, Violation, retime_route
from solver.problem import Problem
from solver.solution import Solution
from solver.travel.base import TravelMatrix

__all__ = [
    "Code",
    "RouteTiming",
    "Violation",
    "plan_of",
    "retime_plan",
    "retime_route",
    "validate",
]

Plan = Mapping[str, Sequence[str]]


def plan_of(plan: Solution | Plan) -> dict[str, list[str]]:
    """The plan as ``engineer id -> ticket ids`` (routes of a ``Solution`` merged by id)."""
    if isinstance(plan, Solution):
        out: dict[str, list[str]] = {}
        for r in plan.routes:
            out.setdefault(r.engineer_id, []).extend(r.ticket_ids)
        return out
    return {e: list(ts) for e, ts in plan.items()}


def validate(
    problem: Problem, plan: Solution | Plan, *, matrix: TravelMatrix | None = None
) -> list[Violation]:
    """Check every rule of ``problem`` against ``plan``.

    Parameters
    ----------
    problem
        The problem the plan answers.
    plan
        A :class:`~solver.solution.Solution` or a mapping engineer id -> ordered
        ticket ids. Tickets in no route are unassigned (allowed).
    matrix
        The problem's travel matrix when already computed.

    Returns
    -------
    list of Violation
        Empty when the plan is feasible. Checked: unknown and repeated ids; skills
        and levels; required/excluded engineers; unroutable sites; ``max_jobs``;
        ``max_work_seconds`` (travel + service; when unset the shift end rules); parts
        capacity; pins (engineer, position, fixed start); and, re-timed from the
        shift start, time windows, hard SLA deadlines, breaks and the shift end.
        For a ``Solution`` also: every ticket routed or unassigned exactly once, and
        the reported times, travel, breaks and KPIs consistent and feasible.
    """
    ctx = RouteContext.of(problem, matrix)
    out: list[Violation] = []
    routes = _clean_routes(ctx, plan, out)
    for eid, tids in routes.items():
        timing = ctx.retime(eid, tids)
        out.extend(_route_rules(ctx, eid, timing))
        out.extend(timing.violations)
    out.extend(_pin_rules(ctx, routes))
    if isinstance(plan, Solution):
        out.extend(_coverage(ctx, plan))
        out.extend(check_reported(ctx, plan))
    return out


def retime_plan(
    problem: Problem, plan: Solution | Plan, *, matrix: TravelMatrix | None = None
) -> dict[str, RouteTiming]:
    """Re-time every route of ``plan`` (known ids only, first occurrence of a ticket).

    Parameters
    ----------
    problem
        The problem the plan answers.
    plan
        A ``Solution`` or a mapping engineer id -> ticket ids.
    matrix
        The problem's travel matrix when already computed.

    Returns
    -------
    dict
        Engineer id -> :class:`RouteTiming` (its ``route`` has the re-timed visits,
        breaks and travel; sum ``route.travel_seconds`` for the plan's travel).
    """
    ctx = RouteContext.of(problem, matrix)
    routes = _clean_routes(ctx, plan, [])
    return {eid: ctx.retime(eid, tids) for eid, tids in routes.items()}


def _clean_routes(
    ctx: RouteContext, plan: Solution | Plan, out: list[Violation]
) -> dict[str, list[str]]:
    """Known engineers -> known tickets, each ticket once; report what was dropped."""
    if isinstance(plan, Solution):
        seen_routes: set[str] = set()
        for r in plan.routes:
            if r.engineer_id in seen_routes:
                out.append(
                    Violation(
                        Code.DUPLICATE_ROUTE,
                        f"engineer {r.engineer_id} has more than one route",
                        r.engineer_id,
                    )
                )
            seen_routes.add(r.engineer_id)
    seen: dict[str, str] = {}
    clean: dict[str, list[str]] = {}
    for eid, tids in plan_of(plan).items():
        if eid not in ctx.engineer_index:
            out.append(Violation(Code.UNKNOWN_ENGINEER, f"unknown engineer {eid!r}", eid))
            continue
        kept: list[str] = []
        for tid in tids:
            if tid not in ctx.ticket_index:
                out.append(Violation(Code.UNKNOWN_TICKET, f"unknown ticket {tid!r}", eid, tid))
            elif tid in seen:
                out.append(
                    Violation(
                        Code.DUPLICATE_TICKET,
                        f"ticket {tid} is planned again (first for {seen[tid]})",
                        eid,
                        tid,
                    )
                )
            else:
                seen[tid] = eid
                kept.append(tid)
        clean[eid] = kept
    return clean


def _route_rules(ctx: RouteContext, eid: str, timing: RouteTiming) -> list[Violation]:
    problem = ctx.problem
    tids = timing.route.ticket_ids
    eng = problem.engineers[ctx.engineer_index[eid]]
    out: list[Violation] = []
    parts = 0
    for tid in tids:
        t = problem.tickets[ctx.ticket_index[tid]]
        parts += t.parts_demand
        level = eng.level_in(t.skill)
        if level < t.min_level:
            out.append(
                Violation(
                    Code.SKILL,
                    f"needs {t.skill} level {t.min_level}, engineer has {level}",
                    eid,
                    tid,
                )
            )
        if t.required_engineers and eid not in t.required_engineers:
            out.append(
                Violation(
                    Code.REQUIRED_ENGINEER,
                    f"only {sorted(t.required_engineers)} may serve it",
                    eid,
                    tid,
                )
            )
        if eid in t.excluded_engineers:
            out.append(Violation(Code.EXCLUDED_ENGINEER, "engineer is excluded", eid, tid))
        if tid in problem.unroutable_tickets:
            out.append(Violation(Code.NOT_ROUTABLE, "site is not on the road network", eid, tid))
    if eng.max_jobs is not None and len(tids) > eng.max_jobs:
        out.append(
            Violation(Code.MAX_JOBS, f"{len(tids)} tickets, max_jobs is {eng.max_jobs}", eid)
        )
    if eng.parts_capacity is not None and parts > eng.parts_capacity:
        out.append(
            Violation(Code.CAPACITY, f"{parts} parts, capacity is {eng.parts_capacity}", eid)
        )
    limit = eng.max_work_seconds
    if tids and limit is not None and timing.route.working_seconds > limit:
        out.append(
            Violation(
                Code.MAX_WORK,
                f"{timing.route.working_seconds} s of travel and service, limit {limit}",
                eid,
            )
        )
    return out


def _pin_rules(ctx: RouteContext, routes: Mapping[str, Sequence[str]]) -> list[Violation]:
    where = {tid: (eid, pos) for eid, tids in routes.items() for pos, tid in enumerate(tids)}
    out: list[Violation] = []
    for pin in ctx.problem.pins:
        if pin.ticket_id not in where:
            continue
        eid, pos = where[pin.ticket_id]
        if eid != pin.engineer_id:
            out.append(
                Violation(
                    Code.PIN_ENGINEER,
                    f"pinned to {pin.engineer_id}, planned for {eid}",
                    eid,
                    pin.ticket_id,
                )
            )
        elif pin.position is not None and pos != pin.position:
            out.append(
                Violation(
                    Code.PIN_POSITION,
                    f"pinned at position {pin.position}, planned at {pos}",
                    eid,
                    pin.ticket_id,
                )
            )
    return out


def _coverage(ctx: RouteContext, sol: Solution) -> list[Violation]:
    routed = {tid for r in sol.routes for tid in r.ticket_ids}
    out: list[Violation] = []
    listed: set[str] = set()
    for u in sol.unassigned:
        if u.ticket_id not in ctx.ticket_index:
            out.append(
                Violation(
                    Code.UNKNOWN_TICKET,
                    f"unknown unassigned ticket {u.ticket_id!r}",
                    None,
                    u.ticket_id,
                )
            )
        elif u.ticket_id in routed:
            out.append(
                Violation(
                    Code.ROUTED_AND_UNASSIGNED,
                    "ticket is both routed and unassigned",
                    None,
                    u.ticket_id,
                )
            )
        elif u.ticket_id in listed:
            out.append(
                Violation(Code.DUPLICATE_TICKET, "listed twice as unassigned", None, u.ticket_id)
            )
        listed.add(u.ticket_id)
    for t in ctx.problem.tickets:
        if t.id not in routed and t.id not in listed:
            out.append(
                Violation(
                    Code.MISSING_TICKET, "neither routed nor listed as unassigned", None, t.id
                )
            )
    return out
