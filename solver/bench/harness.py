"""Run ours, VROOM, PyVRP and greedy on benchmark instances; validate; tabulate.

Every plan, ours or a peer's, is checked by :func:`solver.check.validate.validate` (and,
on Solomon, in double precision by :func:`solver.formats.solomon.exact_violations`).
An invalid plan is marked invalid and never counted as best.

Time budget of ours: on field-service instances ``max(10 s, VROOM's time at
exploration level 5)`` capped at 60 s, unless ``seconds`` is given; on Solomon
instances 10 s each unless ``seconds`` is given.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from solver.bench.ours import run_ours
from solver.bench.pyvrp_peer import fieldservice_skip_reason, run_pyvrp
from solver.bench.result import PeerResult
from solver.bench.vroom_peer import run_vroom
from solver.check.validate import plan_of, retime_plan, validate
from solver.formats import fieldservice, solomon
from solver.greedy import greedy
from solver.problem import Problem
from solver.solution import Solution
from solver.travel.base import TravelMatrix

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Row:
    """One solver on one instance.

    Attributes
    ----------
    instance, solver
        Names.
    served, total
        Tickets served / present per tier P1..P4.
    travel
        Field-service: travel seconds (re-timed); Solomon: double-precision distance.
    vehicles
        Routes used.
    seconds
        Wall time of the solve.
    valid
        ``None`` when skipped.
    violations
        Number of broken rules and the first few messages.
    gap
        Solomon: against the BKS (vehicles, then distance); field-service: against
        the best valid plan of this run (served by tier, then travel).
    skipped, notes
        Why it did not run; remarks.
    """

    instance: str
    solver: str
    served: tuple[int, int, int, int] = (0, 0, 0, 0)
    total: tuple[int, int, int, int] = (0, 0, 0, 0)
    travel: float = 0.0
    vehicles: int = 0
    seconds: float = 0.0
    valid: bool | None = None
    violations: int = 0
    first_violations: tuple[str, ...] = ()
    gap: str = ""
    skipped: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def _tiers(problem: Problem, plan: dict[str, list[str]]) -> tuple[int, int, int, int]:
    tier = {t.id: int(t.tier) for t in problem.tickets}
    out = [0, 0, 0, 0]
    for tids in plan.values():
        for t in set(tids):
            if t in tier:
                out[tier[t] - 1] += 1
    return (out[0], out[1], out[2], out[3])


def _row(
    instance: str,
    problem: Problem,
    matrix: TravelMatrix,
    res: PeerResult,
    *,
    sol: Solution | None = None,
) -> Row:
    if res.skipped is not None:
        return Row(instance, res.solver, skipped=res.skipped, notes=res.notes)
    subject: Solution | Mapping[str, Sequence[str]] = sol if sol is not None else res.plan
    violations = validate(problem, subject, matrix=matrix)
    plan = plan_of(res.plan)
    timings = retime_plan(problem, plan, matrix=matrix)
    return Row(
        instance=instance,
        solver=res.solver,
        served=_tiers(problem, plan),
        total=_tiers(problem, {"all": [t.id for t in problem.tickets]}),
        travel=float(sum(t.route.travel_seconds for t in timings.values())),
        vehicles=sum(1 for tids in plan.values() if tids),
        seconds=res.seconds,
        valid=not violations,
        violations=len(violations),
        first_violations=tuple(f"{v.code}: {v.message}" for v in violations[:3]),
        notes=res.notes,
    )


def _greedy(problem: Problem, matrix: TravelMatrix) -> PeerResult:
    t0 = time.perf_counter()
    sol = greedy(problem, matrix=matrix, time_origin=t0)
    return PeerResult("greedy", plan_of(sol), sol.seconds)


def _fs_gaps(rows: list[Row]) -> list[Row]:
    ran = [r for r in rows if r.valid]
    if not ran:
        return rows
    best = max(ran, key=lambda r: (r.served, -r.travel))
    out = []
    for r in rows:
        if r.skipped is not None:
            gap = "-"
        elif not r.valid:
            gap = "invalid"
        elif r.served != best.served:
            k = next(i for i in range(4) if r.served[i] != best.served[i])
            gap = f"P{k + 1} {r.served[k] - best.served[k]:+d}"
        elif r is best:
            gap = "best"
        else:
            gap = f"{100.0 * (r.travel - best.travel) / max(best.travel, 1.0):+.2f}%"
        out.append(Row(**{**r.__dict__, "gap": gap}))
    return out


def run_fieldservice(
    paths: Sequence[str | Path],
    *,
    seconds: float | None = None,
    cap: float = 60.0,
    vroom_level: int = 5,
    threads: int | None = None,
    seed: int = 0,
    include_ours: bool = True,
    progress: Progress | None = None,
    vroom_timeout: float | None = None,
) -> list[Row]:
    """Benchmark field-service instances.

    Parameters
    ----------
    paths
        Instance files.
    seconds
        Budget of ours (overrides the rule ``min(cap, max(10, VROOM's time))``).
    cap
        Upper bound of ours' budget under the rule.
    vroom_level, threads
        VROOM exploration level and threads (default: all CPUs).
    seed
        Seed of ours.
    include_ours
        Run our engine (skipped with a reason when it is not installed).
    progress
        Called with a line of text after each solver.
    vroom_timeout
        Stop VROOM after this many seconds (its best plan so far; noted in the row).

    Returns
    -------
    list of Row
        Per instance: ours, VROOM, PyVRP (skipped), greedy; with gaps to the best.
    """
    threads = threads or os.cpu_count() or 1
    rows: list[Row] = []
    for path in paths:
        inst = fieldservice.read_instance(path)
        p = inst.problem
        m = p.travel_matrix()
        here: list[Row] = []
        vroom = run_vroom(
            p, matrix=m, exploration_level=vroom_level, threads=threads, timeout=vroom_timeout
        )
        budget = seconds if seconds is not None else min(cap, max(10.0, vroom.seconds))
        for res, sol in _fieldservice_results(p, m, vroom, budget, seed, include_ours):
            here.append(_row(inst.name, p, m, res, sol=sol))
            if progress is not None:
                progress(_line(here[-1]))
        rows.extend(_fs_gaps(here))
    return rows


def _fieldservice_results(
    p: Problem, m: TravelMatrix, vroom: PeerResult, budget: float, seed: int, include_ours: bool
) -> list[tuple[PeerResult, Solution | None]]:
    """Ours (with ``budget`` seconds), VROOM's given result, PyVRP (skipped) and greedy."""
    results: list[tuple[PeerResult, Solution | None]] = []
    if include_ours:
        ours, sol = run_ours(p, matrix=m, seconds=budget, seed=seed)
        results.append((ours, sol))
    results += [
        (vroom, None),
        (PeerResult("pyvrp", skipped=fieldservice_skip_reason()), None),
        (_greedy(p, m), None),
    ]
    return results


def _solomon_gap(r: Row, bks: solomon.Bks | None, missing: int) -> str:
    if r.skipped is not None:
        return "-"
    if not r.valid:
        return "invalid"
    if missing:
        return f"{missing} unserved"
    if bks is None:
        return "no BKS"
    if r.vehicles != bks.vehicles:
        return f"{r.vehicles - bks.vehicles:+d} veh"
    pct = 100.0 * (r.travel - bks.distance) / bks.distance
    return f"{0.0 if abs(pct) < 0.005 else pct:+.2f}%"


def run_solomon(
    paths: Sequence[str | Path],
    *,
    bks_file: str | Path | None = None,
    seconds: float = 10.0,
    vroom_level: int = 5,
    threads: int | None = None,
    seed: int = 0,
    include_ours: bool = True,
    progress: Progress | None = None,
) -> list[Row]:
    """Benchmark Solomon / Gehring-Homberger instances.

    Parameters
    ----------
    paths
        Instance files.
    bks_file
        ``bks.csv`` (default: beside the first instance).
    seconds
        Budget of ours and of PyVRP per instance.
    vroom_level, threads, seed, include_ours, progress
        As in :func:`run_fieldservice`.

    Returns
    -------
    list of Row
        ``travel`` is the double-precision distance; ``gap`` is against the BKS.
    """
    threads = threads or os.cpu_count() or 1
    if bks_file is None and paths:
        bks_file = Path(paths[0]).parent / "bks.csv"
    table = solomon.read_bks(bks_file) if bks_file and Path(bks_file).exists() else {}
    rows: list[Row] = []
    for path in paths:
        inst = solomon.read_instance(path)
        p = inst.problem
        m = p.travel_matrix()
        results: list[tuple[PeerResult, Solution | None]] = []
        if include_ours:
            results.append(run_ours(p, matrix=m, seconds=seconds, seed=seed))
        vroom = run_vroom(
            p, matrix=m, exploration_level=vroom_level, threads=threads, minimise_vehicles=True
        )
        results += [
            (vroom, None),
            (run_pyvrp(inst, seconds=seconds, seed=seed), None),
            (_greedy(p, m), None),
        ]
        for res, sol in results:
            row = _solomon_row(inst, m, res, sol, table.get(inst.name))
            rows.append(row)
            if progress is not None:
                progress(_line(row))
    return rows


def _solomon_row(
    inst: solomon.SolomonInstance,
    m: TravelMatrix,
    res: PeerResult,
    sol: Solution | None,
    bks: solomon.Bks | None,
) -> Row:
    """The row of one solver on one instance: exact distance, exact rules, gap to the BKS."""
    row = _row(inst.name, inst.problem, m, res, sol=sol)
    if row.skipped is None:
        exact = solomon.exact_violations(inst, plan_of(res.plan))
        row = Row(
            **{
                **row.__dict__,
                "travel": solomon.plan_distance(inst, plan_of(res.plan)),
                "valid": bool(row.valid) and not exact,
                "violations": row.violations + len(exact),
                "first_violations": row.first_violations + tuple(exact[:2]),
            }
        )
    missing = solomon.unserved(inst, plan_of(res.plan)) if row.skipped is None else 0
    return Row(**{**row.__dict__, "gap": _solomon_gap(row, bks, missing)})


def _line(r: Row) -> str:
    if r.skipped is not None:
        return f"{r.instance} {r.solver}: skipped ({r.skipped})"
    return (
        f"{r.instance} {r.solver}: served {r.served} travel {r.travel:.2f} "
        f"veh {r.vehicles} {r.seconds:.1f}s valid={r.valid}"
    )
