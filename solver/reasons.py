"""Why a ticket is unassigned, and the smallest change found that would let it in.

The analysis is real: a ticket that does not fit alone with any qualified engineer is
told apart by cause (skills, shifts, reachability, working time, capacity); a ticket
that would fit alone is checked against the routes of those engineers, keeping only
their higher-tier visits, to tell *displaced by higher priority* from *no room*.
Suggestions are found by search over the engineers: relaxing one thing at a time
(window later or earlier, a longer shift, a lower level, one more job, dropping one
lower-tier visit) and keeping the smallest amount that makes the ticket fit.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import numpy as np

from solver._engine.insert_eval import gaps_of, insertion_costs
from solver._engine.model import INF, Model
from solver._engine.plan import Plan
from solver._engine.route import RouteEval, evaluate
from solver.solution import Reason, Suggestion, Unassigned

CANDIDATES = 6
"""Engineers examined per ticket for suggestions (nearest first)."""

ROUTE_CHECKS = 12
"""Engineers (nearest first, among those it fits alone with) whose routes are examined
to tell *displaced by higher priority* from *no room*."""


def _fits_somewhere(m: Model, k: int, base: list[int], j: int) -> int | None:
    """Cheapest position where ``j`` fits in route ``base`` of ``k`` (None: nowhere)."""
    best: tuple[int, int] | None = None
    for g in range(len(base) + 1):
        ev = evaluate(m, k, [*base[:g], j, *base[g:]], with_arrays=False)
        if ev is not None and (best is None or ev.cost < best[0]):
            best = (ev.cost, g)
    return None if best is None else best[1]


def _explicit_max_work(m: Model, k: int) -> bool:
    return m.problem.engineers[k].max_work_seconds is not None


def _qualified(m: Model, j: int) -> np.ndarray:
    return np.flatnonzero(m.qualified[j])


def _alone_causes(m: Model, j: int, engineers: Iterable[int]) -> list[Reason]:
    """Causes for a ticket that fits alone with none of ``engineers`` (all qualified)."""
    py = m.py
    assert py is not None
    causes: set[Reason] = set()
    wins = py.wins[j]
    tn = m.tnode(j)
    for k in engineers:
        s0, s1 = int(m.shift_s[k]), int(m.shift_e[k])
        if m.demand[j] > m.capacity[k]:
            causes.add(Reason.CAPACITY)
            continue
        if m.max_jobs[k] < 1:
            causes.add(Reason.MAX_JOBS)
            continue
        overlap = any(a <= s1 and b >= s0 for a, b in wins) or py.fixed[j] >= 0
        if not overlap:
            causes.add(Reason.OUTSIDE_ALL_SHIFTS)
            continue
        t_in, t_out = int(m.dur_m[k, tn]), int(m.dur_m[tn, m.n_eng + k])
        if _explicit_max_work(m, k) and t_in + t_out + py.dur[j] > m.max_work[k]:
            causes.add(Reason.MAX_WORKING_TIME)
            continue
        causes.add(Reason.UNREACHABLE_IN_WINDOW)
    if causes == {Reason.OUTSIDE_ALL_SHIFTS} or not causes:
        return [Reason.OUTSIDE_ALL_SHIFTS]
    causes.discard(Reason.OUTSIDE_ALL_SHIFTS)
    return sorted(causes)


def _route_causes(
    m: Model, plan: Plan, j: int, engineers: list[int], higher: dict[tuple[int, int], RouteEval]
) -> list[Reason]:
    """Causes for a ticket that fits alone with ``engineers`` but is not in the plan.

    A limit (jobs, parts, working time) is a cause when it blocks every route examined;
    otherwise the ticket is *displaced* when it does not fit even beside the
    higher-tier (and pinned) visits alone, else there is *no room*.
    """
    tier = int(m.tier[j])
    ks = _nearest(m, j, np.asarray(engineers, dtype=np.int64), ROUTE_CHECKS)
    blocked = {Reason.MAX_JOBS: 0, Reason.CAPACITY: 0, Reason.MAX_WORKING_TIME: 0}
    subs: list[RouteEval] = []
    for k in ks:
        r = plan.routes[k]
        blocked[Reason.MAX_JOBS] += len(r.seq) + 1 > m.max_jobs[k]
        blocked[Reason.CAPACITY] += r.load + int(m.demand[j]) > m.capacity[k]
        blocked[Reason.MAX_WORKING_TIME] += _explicit_max_work(m, k) and (
            r.work + int(m.duration[j]) > m.max_work[k]
        )
        key = (k, tier)
        if key not in higher:
            keep = [x for x in r.seq if m.tier[x] < tier or m.pin_eng[x] >= 0]
            ev = evaluate(m, k, keep)
            if ev is None:
                ev = evaluate(m, k, [])
            assert ev is not None
            higher[key] = ev
        subs.append(higher[key])
    causes = {c for c, n in blocked.items() if n == len(ks)}
    if causes:
        return sorted(causes)
    if any(not ev.seq for ev in subs):
        return [Reason.NO_ROOM]
    stats = np.zeros((3, m.n_eng), dtype=np.int64)
    for k, ev in zip(ks, subs, strict=True):
        stats[:, k] = (len(ev.seq), ev.load, ev.work)
    costs, _ = insertion_costs(
        m, np.array([j], dtype=np.int64), gaps_of(subs, ks), stats[0], stats[1], stats[2]
    )
    if bool((costs < INF).any()):
        return [Reason.NO_ROOM]
    return [Reason.DISPLACED_BY_HIGHER_PRIORITY]


def _nearest(m: Model, j: int, engineers: np.ndarray, limit: int = CANDIDATES) -> list[int]:
    tn = m.tnode(j)
    d = m.dur_m[engineers, tn]
    return [int(engineers[i]) for i in np.argsort(d, kind="stable")[:limit]]


def _with_window(m: Model, j: int, wins: list[tuple[int, int]]) -> list[tuple[int, int]]:
    py = m.py
    assert py is not None
    old = py.wins[j]
    py.wins[j] = wins
    return old


_Found = tuple[int, int, Suggestion]
"""A suggestion with its rank (kind of change) and amount: the smallest wins."""


def _suggest(m: Model, plan: Plan, j: int, eng_ids: list[str]) -> Suggestion | None:
    """Smallest single change found that lets ``j`` in (None: none found)."""
    py = m.py
    assert py is not None
    found: list[_Found] = []
    qualified = _qualified(m, j)
    wins = list(py.wins[j])
    hard = py.hard[j]
    for k in _nearest(m, j, qualified) if qualified.size else []:
        base = plan.routes[k].seq
        name = eng_ids[k]
        if wins and py.fixed[j] < 0:
            found.extend(_other_window(m, k, base, j, name, wins, hard))
        found.extend(_longer_shift(m, k, base, j, name))
        found.extend(_one_more_job(m, k, base, j, name))
        found.extend(_drop_lower_tier(m, k, base, j, name))
    if not found:
        found.extend(_lower_level(m, plan, j, eng_ids))
    if not found:
        return None
    found.sort(key=lambda f: (f[0], f[1]))
    return found[0][2]


def _start_if_fits(m: Model, k: int, base: list[int], j: int) -> int | None:
    """When ``j`` would start in ``k``'s route at the first place it fits (None: nowhere)."""
    g = _fits_somewhere(m, k, base, j)
    if g is None:
        return None
    ev = evaluate(m, k, [*base[:g], j, *base[g:]], with_arrays=False)
    assert ev is not None
    return ev.start[g]


def _other_window(
    m: Model,
    k: int,
    base: list[int],
    j: int,
    name: str,
    wins: list[tuple[int, int]],
    hard: int,
) -> list[_Found]:
    """A later or earlier window: relax the window and read the start it would get."""
    py = m.py
    assert py is not None
    found: list[_Found] = []
    old = _with_window(m, j, [(wins[0][0], INF)])
    py.hard[j] = INF
    start = _start_if_fits(m, k, base, j)
    if start is not None:
        late = start - max(b for _, b in wins)
        if late > 0:
            text = f"fits with {name} if the window closes {_minutes(late)} min later"
            found.append((0, late, Suggestion("WINDOW_LATER", name, late, text)))
    _with_window(m, j, [(-INF, wins[-1][1])])
    start = _start_if_fits(m, k, base, j)
    if start is not None:
        early = min(a for a, _ in wins) - start
        if early > 0:
            text = f"fits with {name} if the window opens {_minutes(early)} min earlier"
            found.append((0, early, Suggestion("WINDOW_EARLIER", name, early, text)))
    py.wins[j] = old
    py.hard[j] = hard
    return found


def _longer_shift(m: Model, k: int, base: list[int], j: int, name: str) -> list[_Found]:
    """A longer shift (and no working-time limit unless one was set)."""
    found: list[_Found] = []
    shift_e, max_work = int(m.shift_e[k]), int(m.max_work[k])
    m.shift_e[k] = INF // 2
    if not _explicit_max_work(m, k):
        m.max_work[k] = INF // 2
    g = _fits_somewhere(m, k, base, j)
    if g is not None:
        ev = evaluate(m, k, [*base[:g], j, *base[g:]], with_arrays=False)
        assert ev is not None
        extra = ev.home - shift_e
        if extra > 0:
            text = f"fits with {name} if the shift ends {_minutes(extra)} min later"
            found.append((0, extra, Suggestion("EXTEND_SHIFT", name, extra, text)))
    m.shift_e[k], m.max_work[k] = shift_e, max_work
    return found


def _one_more_job(m: Model, k: int, base: list[int], j: int, name: str) -> list[_Found]:
    """One more job than the engineer's limit, when the route is at it."""
    if len(base) < m.max_jobs[k]:
        return []
    found: list[_Found] = []
    mj = int(m.max_jobs[k])
    m.max_jobs[k] = mj + 1
    if _fits_somewhere(m, k, base, j) is not None:
        text = f"fits with {name} if they may take {mj + 1} jobs"
        found.append((1, 1, Suggestion("RAISE_MAX_JOBS", name, 1, text)))
    m.max_jobs[k] = mj
    return found


def _drop_lower_tier(m: Model, k: int, base: list[int], j: int, name: str) -> list[_Found]:
    """Dropping one unpinned visit of a lower tier (the lowest tier tried first)."""
    for x in sorted(base, key=lambda x: -int(m.tier[x])):
        if m.tier[x] <= m.tier[j] or m.pin_eng[x] >= 0:
            continue
        if _fits_somewhere(m, k, [y for y in base if y != x], j) is not None:
            tid = m.problem.tickets[x].id
            text = f"fits with {name} if {tid} (P{int(m.tier[x])}) is dropped"
            return [(2, int(m.tier[x]), Suggestion("DROP_TICKET", name, 1, text))]
    return []


def _lower_level(
    m: Model, plan: Plan, j: int, eng_ids: list[str]
) -> list[tuple[int, int, Suggestion]]:
    """Engineers one or two levels short who could take ``j`` if their level were enough."""
    t = m.problem.tickets[j]
    if t.skill is None or t.min_level <= 1:
        return []
    out: list[tuple[int, int, Suggestion]] = []
    for k, e in enumerate(m.problem.engineers):
        lv = e.level_in(t.skill)
        if not 1 <= lv < t.min_level or e.id in t.excluded_engineers:
            continue
        if t.required_engineers and e.id not in t.required_engineers:
            continue
        m.eligible[j, k] = True
        try:
            fits = _fits_somewhere(m, k, plan.routes[k].seq, j) is not None
        finally:
            m.eligible[j, k] = False
        if fits:
            diff = t.min_level - lv
            out.append(
                (
                    3,
                    diff,
                    Suggestion(
                        "LOWER_MIN_LEVEL",
                        eng_ids[k],
                        diff,
                        f"{eng_ids[k]} could take it if level {lv} were enough",
                    ),
                )
            )
    return out


def _minutes(seconds: int) -> int:
    return (seconds + 59) // 60


def explain(
    m: Model,
    plan: Plan,
    conflicts: Iterable[int],
    *,
    suggestions: bool = True,
    deadline: float | None = None,
    only: Iterable[int] | None = None,
) -> list[Unassigned]:
    """Reasons (and suggestions) for every ticket the plan leaves out.

    Parameters
    ----------
    m
        The compiled model.
    plan
        The final plan.
    conflicts
        Pinned tickets whose pin could not be honoured.
    suggestions
        Whether to search for suggestions.
    deadline
        ``time.perf_counter()`` instant after which no more suggestions are searched
        (tickets are taken by tier, P1 first, so the most urgent get theirs).
    only
        Explain only these unassigned tickets (default: all of them).

    Returns
    -------
    list of Unassigned
        In problem ticket order.
    """
    eng_ids = [e.id for e in m.problem.engineers]
    conflict = set(conflicts)
    found: dict[int, Unassigned] = {}
    higher: dict[tuple[int, int], RouteEval] = {}
    left = np.flatnonzero(plan.assigned < 0)
    if only is not None:
        left = np.intersect1d(left, np.fromiter(only, dtype=np.int64))
    for j in left[np.argsort(m.tier[left], kind="stable")].tolist():
        t = m.problem.tickets[j]
        reasons: list[Reason]
        if t.id in m.problem.unroutable_tickets:
            found[j] = Unassigned(t.id, (Reason.NOT_ROUTABLE,))
            continue
        if j in conflict:
            found[j] = Unassigned(t.id, (Reason.PINNED_CONFLICT,))
            continue
        qualified = _qualified(m, j)
        if qualified.size == 0:
            reasons = [Reason.NO_QUALIFIED_ENGINEER]
        else:
            fits = [int(k) for k in qualified if plan.alone[j, k] < INF and m.eligible[j, k]]
            reasons = (
                _route_causes(m, plan, j, fits, higher) if fits else _alone_causes(m, j, qualified)
            )
        in_time = deadline is None or time.perf_counter() < deadline
        sug = _suggest(m, plan, j, eng_ids) if suggestions and in_time else None
        found[j] = Unassigned(t.id, tuple(reasons), sug)
    return [found[j] for j in sorted(found)]
