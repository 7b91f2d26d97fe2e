"""``dispatch solve`` and ``dispatch bench``: the solver on instance files."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dispatch_cli.progress import budget_bar, steps_bar

if TYPE_CHECKING:
    from solver import Problem, Solution
    from solver.formats.solomon import SolomonInstance

SOLVERS = ("ours", "greedy", "vroom")
SHARED_DIR_VARIABLE = "DISPATCH_SHARED_DIR"
"""Folder of the shared data (``benchmarks/fieldservice``, ``benchmarks/solomon``...)."""


def _require_extras(what: str, modules: tuple[str, ...] = ("vroom", "pyvrp")) -> None:
    """Stop with one line when the peers ``what`` needs are not installed."""
    from solver.bench import missing_extras

    missing = missing_extras(modules)
    if missing:
        typer.echo(
            f"dispatch: {what} needs the bench extras ({', '.join(missing)} not installed): "
            "pip install -e '.[bench]'",
            err=True,
        )
        raise typer.Exit(code=2)


def _load(path: Path, travel: str) -> tuple[str, Problem, SolomonInstance | None]:
    from solver import provider_from_spec
    from solver.formats import fieldservice, solomon

    if path.suffix.lower() == ".txt":
        if travel != "haversine":
            raise typer.BadParameter(
                "Solomon instances use Euclidean travel", param_hint="--travel"
            )
        inst = solomon.read_instance(path)
        return inst.name, inst.problem, inst
    speed, circuity = fieldservice.read_travel(path)
    try:
        provider = provider_from_spec(travel, speed_kmh=speed, circuity=circuity)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--travel") from exc
    fs = fieldservice.read_instance(path, travel=provider)
    return fs.name or path.stem, fs.problem, None


def _solve(problem: Problem, which: str, seconds: float, seed: int) -> tuple[Solution, float]:
    """The plan and the wall time of the solve (imports and travel matrix excluded)."""
    import solver
    from solver import solution_from_plan
    from solver.bench.ours import engine_available, run_ours

    m = problem.travel_matrix()
    t0 = time.perf_counter()
    if which == "greedy":
        return solver.greedy(problem, matrix=m), time.perf_counter() - t0
    if which == "vroom":
        from solver.bench.vroom_peer import run_vroom  # the bench extras: checked by the caller

        res = run_vroom(problem, matrix=m)
        return solution_from_plan(problem, res.plan, seconds=res.seconds, matrix=m), res.seconds
    if not engine_available():
        raise typer.BadParameter(
            "the engine (solver.solve) is not installed", param_hint="--solver"
        )
    res, sol = run_ours(problem, matrix=m, seconds=seconds, seed=seed)
    assert sol is not None
    return sol, res.seconds


def _summary(name: str, sol: Solution, stats: dict[str, Any]) -> str:
    k = sol.kpis
    lines = [f"{name}: {sol.status}, {stats['seconds']:.1f} s, {stats['violations']} violations"]
    lines.append(f"travel times: {sol.provider}" + (" (decomposed)" if sol.decomposed else ""))
    lines.append("tier  served  total")
    for t in (1, 2, 3, 4):
        lines.append(f"P{t}    {k.served_by_tier.get(t, 0):>6}  {k.total_by_tier.get(t, 0):>5}")
    lines.append(
        f"travel {k.travel_seconds} s, {k.travel_metres} m; engineers used {k.engineers_used}"
    )
    if "distance" in stats:
        lines.append(f"vehicles {stats['vehicles']}, distance {stats['distance']:.2f}")
    lines.append(f"unassigned {len(sol.unassigned)}")
    reasons = Counter(str(r) for u in sol.unassigned for r in u.reasons)
    for reason, n in sorted(reasons.items()):
        lines.append(f"  {reason}: {n}")
    lines.extend(f"note: {note}" for note in sol.notes)
    return "\n".join(lines)


def solve_command(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Instance .json or .txt")
    ],
    seconds: Annotated[float, typer.Option(help="Time budget of the engine.")] = 10.0,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    out: Annotated[Path | None, typer.Option(help="Write the solution JSON here.")] = None,
    travel: Annotated[
        str,
        typer.Option(
            help="Field-service only: haversine, geodesic, osrm:DATA_DIR (in-process OSRM on "
            "a prepared data set) or http://HOST:PORT (an osrm-routed server)."
        ),
    ] = "haversine",
    solver: Annotated[str, typer.Option(help="ours, greedy or vroom.")] = "ours",
) -> None:
    """Solve a field-service (.json) or Solomon (.txt) instance and write the plan."""
    from solver import plan_of, validate
    from solver.formats import fieldservice, solomon

    if solver not in SOLVERS:
        raise typer.BadParameter(f"expected one of {', '.join(SOLVERS)}", param_hint="--solver")
    if solver == "vroom":
        _require_extras("--solver vroom", ("vroom",))
    name, problem, sol_inst = _load(file, travel)
    with budget_bar(f"{name}: solving", seconds if solver == "ours" else None):
        sol, wall = _solve(problem, solver, seconds, seed)
    violations = validate(problem, sol)
    stats: dict[str, Any] = {
        "instance": name,
        "solver": solver,
        "seconds": round(wall, 3),
        "violations": len(violations),
    }
    if sol_inst is not None:
        plan = plan_of(sol)
        stats["vehicles"] = solomon.vehicles_used(plan)
        stats["distance"] = round(solomon.plan_distance(sol_inst, plan), 4)
    doc = fieldservice.solution_to_json(sol, [e.id for e in problem.engineers], stats)
    typer.echo(_summary(name, sol, {**doc["stats"], **stats}))
    if out is not None:
        out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        typer.echo(f"wrote {out}")
    for v in violations[:5]:
        typer.echo(f"violation {v.code}: {v.message} ({v.engineer_id} {v.ticket_id})", err=True)


def _instances(directory: Path, pattern: str, only: list[str] | None) -> list[Path]:
    wanted = {n.strip() for item in (only or []) for n in item.split(",") if n.strip()}
    paths = sorted(p for p in directory.glob(pattern) if not wanted or p.stem in wanted)
    if wanted - {p.stem for p in paths}:
        missing = ", ".join(sorted(wanted - {p.stem for p in paths}))
        raise typer.BadParameter(f"no instance named {missing} in {directory}", param_hint="--only")
    if not paths:
        raise typer.BadParameter(f"no {pattern} instances in {directory}")
    return paths


Only = Annotated[list[str] | None, typer.Option(help="Instance names (repeat or comma-separate).")]
Markdown = Annotated[Path | None, typer.Option(help="Also write the table as Markdown.")]
JsonOut = Annotated[Path | None, typer.Option("--json", help="Also write the rows as JSON.")]
Dir = Annotated[
    Path | None,
    typer.Argument(
        file_okay=False,
        help=f"Folder of instances, taken as given (default: ${SHARED_DIR_VARIABLE}/benchmarks/KIND).",
        show_default=False,
    ),
]


def _bench_dir(directory: Path | None, kind: str) -> Path:
    """The instance folder: as given, else ``$DISPATCH_SHARED_DIR/benchmarks/<kind>``."""
    if directory is None:
        shared = os.environ.get(SHARED_DIR_VARIABLE, "").strip()
        if not shared:
            raise typer.BadParameter(
                f"give the instance folder, or set {SHARED_DIR_VARIABLE} to the shared data "
                f"folder (which holds benchmarks/{kind})",
                param_hint="DIRECTORY",
            )
        directory = Path(shared).expanduser() / "benchmarks" / kind
    if not directory.is_dir():
        raise typer.BadParameter(f"no folder {directory}", param_hint="DIRECTORY")
    return directory


Threads = Annotated[int | None, typer.Option(help="VROOM threads (default: all CPUs).")]
NoOurs = Annotated[bool, typer.Option("--no-ours", help="Peers only.")]


def _emit(rows: list[Any], markdown: Path | None, json_out: Path | None, is_solomon: bool) -> None:
    from solver.bench import report

    typer.echo(report.text(rows, solomon=is_solomon))
    if markdown is not None:
        markdown.write_text(report.markdown(rows, solomon=is_solomon), encoding="utf-8")
    if json_out is not None:
        report.write_json(rows, json_out)


def bench_fieldservice(
    directory: Dir = None,
    seconds: Annotated[
        float | None, typer.Option(help="Budget of ours (default: max(10, VROOM) capped).")
    ] = None,
    cap: Annotated[float, typer.Option(help="Cap of ours' budget under the rule.")] = 60.0,
    only: Only = None,
    markdown: Markdown = None,
    json_out: JsonOut = None,
    threads: Threads = None,
    no_ours: NoOurs = False,
    vroom_timeout: Annotated[
        float | None, typer.Option(help="Stop VROOM after N seconds (best so far).")
    ] = None,
) -> None:
    """Run ours, VROOM, PyVRP and greedy on field-service instances; validate; tabulate."""
    _require_extras("dispatch bench")
    from solver.bench.harness import run_fieldservice

    paths = _instances(_bench_dir(directory, "fieldservice"), "*.json", only)
    with steps_bar("field-service benchmark", len(paths) * (3 + (not no_ours))) as step:
        rows = run_fieldservice(
            paths,
            seconds=seconds,
            cap=cap,
            threads=threads,
            include_ours=not no_ours,
            progress=step,
            vroom_timeout=vroom_timeout,
        )
    _emit(rows, markdown, json_out, False)


def bench_solomon(
    directory: Dir = None,
    seconds: Annotated[float, typer.Option(help="Budget of ours and PyVRP.")] = 10.0,
    only: Only = None,
    markdown: Markdown = None,
    json_out: JsonOut = None,
    threads: Threads = None,
    no_ours: NoOurs = False,
) -> None:
    """Run ours, VROOM, PyVRP and greedy on Solomon instances; compare with bks.csv."""
    _require_extras("dispatch bench")
    from solver.bench.harness import run_solomon

    paths = _instances(_bench_dir(directory, "solomon"), "*.txt", only)
    with steps_bar("Solomon benchmark", len(paths) * (3 + (not no_ours))) as step:
        rows = run_solomon(
            paths, seconds=seconds, threads=threads, include_ours=not no_ours, progress=step
        )
    _emit(rows, markdown, json_out, True)


def register(app: typer.Typer) -> None:
    """Add the solver commands to ``app``."""
    app.command("solve")(solve_command)
    bench = typer.Typer(
        help="Benchmarks: ours against VROOM, PyVRP and greedy.", no_args_is_help=True
    )
    bench.command("fieldservice")(bench_fieldservice)
    bench.command("solomon")(bench_solomon)
    app.add_typer(bench, name="bench")
