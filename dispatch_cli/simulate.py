"""``dispatch simulate``: run a scenario under several dispatch policies and compare them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from rich.console import Console

    from scenarios.metrics import Estimate, RunResult
    from scenarios.model import Scenario

DEFAULT_POLICIES = ("greedy", "batch", "batch+insert")


def format_margin(e: Estimate) -> str:
    """A paired difference in percentage points with its interval."""
    if e.mean is None:
        return "n/a"
    if e.low is None or e.high is None:
        return f"{e.mean * 100:+.1f} pp (one seed: no interval)"
    return f"{e.mean * 100:+.1f} pp (95% CI {e.low * 100:+.1f} .. {e.high * 100:+.1f}, {e.n} seeds)"


def policies_to_run(scenario: Scenario, flags: list[str] | None, baseline: str) -> list[str]:
    """The policies a run compares: ``--policy`` flags, else the scenario's, else all.

    A scenario that names ``policy.name`` runs that policy, with the baseline beside it
    to compare against; a scenario that names none runs :data:`DEFAULT_POLICIES`.
    """
    from scenarios.model import POLICIES

    if flags:
        return list(dict.fromkeys(flags))
    if "name" in scenario.policy.model_fields_set:
        own = [baseline] if baseline in POLICIES else []
        return list(dict.fromkeys([*own, scenario.policy.name]))
    return list(DEFAULT_POLICIES)


_Scenario = Annotated[
    str, typer.Argument(help="Scenario YAML file, or the name of a shipped scenario")
]
_Policies = Annotated[
    list[str] | None,
    typer.Option(
        "--policy",
        "-p",
        help="Policy to run (repeat); default: the scenario's policy.name and the "
        "baseline, or all three when the scenario names none",
    ),
]
_Seeds = Annotated[int, typer.Option(min=1, max=1000, help="Seeds per policy")]
_Report = Annotated[
    Path | None, typer.Option(help="Write a Markdown + HTML report with plots here")
]
_Html = Annotated[
    Path | None,
    typer.Option(
        "--html",
        help="Write a one-page HTML report for a service manager here: figures in "
        "words beside their targets, and the map of the first day",
    ),
]
_Json = Annotated[Path | None, typer.Option("--json", help="Write the comparison as JSON here")]
_Jobs = Annotated[int, typer.Option(min=0, help="Worker processes (0: one per CPU, 1: no workers)")]
_Baseline = Annotated[str, typer.Option(help="Policy the margins are measured against")]
_Local = Annotated[
    bool,
    typer.Option("--local", help="Run in local processes even when DISPATCH_REDIS_URL is set"),
]


def simulate_command(
    scenario: _Scenario,
    policy: _Policies = None,
    seeds: _Seeds = 5,
    report: _Report = None,
    html_file: _Html = None,
    json_file: _Json = None,
    jobs: _Jobs = 0,
    baseline: _Baseline = "greedy",
    local: _Local = False,
) -> None:
    """Simulate SCENARIO under each policy over several seeds and compare.

    Runs the ``--policy`` flags, else the scenario's ``policy.name`` beside the baseline,
    else all three policies. Prints SLA compliance per tier, response times, tickets
    served, travel, utilisation and overtime (means over seeds with 95 % confidence
    intervals), and the margin of each policy over the baseline on P1 and P2 response
    compliance (paired by seed).
    With DISPATCH_REDIS_URL set the runs go to the simulation queue that ``dispatch worker``
    processes serve (unless ``--local``); else to local worker processes.
    """
    from rich.console import Console

    from scenarios.load import scenario_policy
    from scenarios.manager_report import write_manager_report
    from scenarios.metrics import summarise

    sc = _scenario(scenario, policy)
    chosen = policies_to_run(sc, policy, baseline)
    console = Console(width=140)
    results = _run(sc, chosen, seeds, console=console, jobs=jobs, local=local)
    summary = summarise(results)
    _print_comparison(console, sc, summary, chosen, seeds)
    _print_margins(console, results, chosen, baseline)
    if json_file is not None:
        from scenarios.metrics import comparison_json

        json_file.parent.mkdir(parents=True, exist_ok=True)
        data = comparison_json(sc.name, seeds, {p: summary[p] for p in chosen})
        json_file.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        console.print(f"comparison written to {json_file}")
    if report is not None:
        from scenarios.report import write_report

        paths = write_report(report, sc, results, chosen, baseline=baseline)
        console.print(f"report written to {', '.join(str(p) for p in paths)}")
    if html_file is not None:
        written = write_manager_report(html_file, sc, results, chosen, scenario_policy(sc))
        console.print(f"one-page report written to {written}")


def _scenario(name: str, policies: list[str] | None) -> Scenario:
    """The scenario to simulate; unknown ``--policy`` names and bad files end the command."""
    from scenarios.load import ScenarioError, load_scenario
    from scenarios.policies import POLICY_TYPES as POLICIES

    for policy in policies or ():
        if policy not in POLICIES:
            raise typer.BadParameter(
                f"unknown policy {policy!r}; policies: {', '.join(POLICIES)}",
                param_hint="--policy",
            )
    try:
        return load_scenario(name)
    except ScenarioError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc


def _run(
    sc: Scenario, chosen: list[str], seeds: int, *, console: Console, jobs: int, local: bool
) -> list[RunResult]:
    """Every run, on ``dispatch worker`` (Redis configured, not ``local``) or here."""
    from dispatch.infra.settings import load_settings
    from dispatch_cli.progress import counting_bar
    from scenarios.runner import collect_jobs, enqueue, run_all, tasks_for

    tasks = tasks_for(sc, chosen, seeds)
    with counting_bar(console) as progress:
        bar = progress.add_task(f"{sc.name}: {len(tasks)} runs", total=len(tasks))

        def advance(result: RunResult) -> None:
            progress.advance(bar)
            if not console.is_terminal:  # a log file: one line per run instead of a bar
                console.print(
                    f"{result.policy} seed {result.seed}: {result.tickets} tickets, "
                    f"{result.plans} plans, {result.wall_seconds:.0f} s"
                )

        redis_url = None if local else load_settings().redis_url
        if redis_url:
            progress.update(bar, description=f"{sc.name}: {len(tasks)} runs on dispatch worker")
            return collect_jobs(enqueue(tasks, redis_url=redis_url), on_result=advance)
        return run_all(tasks, jobs=jobs, on_result=advance)


def _print_comparison(
    console: Console,
    sc: Scenario,
    summary: Mapping[str, Mapping[str, Estimate]],
    chosen: list[str],
    seeds: int,
) -> None:
    """The table of figures (means with 95 % intervals) beside their targets."""
    from rich.table import Table

    from scenarios.load import scenario_policy
    from scenarios.manager_report import LABELS, PLUS_MINUS, figure, targets
    from scenarios.metrics import METRICS

    goals = targets(scenario_policy(sc))
    table = Table(title=f"{sc.name}: {seeds} seeds, means with 95% confidence intervals")
    table.add_column("figure")
    table.add_column("target")
    for name in chosen:
        table.add_column(name, justify="right")
    for metric in METRICS:
        table.add_row(
            LABELS[metric],
            goals.get(metric, ""),
            *(figure(metric, summary[p][metric]) for p in chosen),
        )
    console.print(table)
    console.print(PLUS_MINUS)


def _print_margins(
    console: Console, results: Sequence[RunResult], chosen: list[str], baseline: str
) -> None:
    """Each policy's paired margin over the baseline on P1 and P2 response compliance."""
    from scenarios.metrics import paired_margin

    if baseline not in chosen:
        return
    for name in chosen:
        if name == baseline:
            continue
        for tier in ("p1", "p2"):
            margin = paired_margin(results, name, baseline, f"{tier}_response_compliance")
            console.print(
                f"{name} vs {baseline}, {tier.upper()} response compliance: {format_margin(margin)}"
            )


def register(app: typer.Typer) -> None:
    """Add ``simulate`` to ``app``."""
    app.command("simulate")(simulate_command)
