"""Policies against greedy and against the clairvoyant anchor, paired by seed.

    .venv/bin/python benchmarks/scenarios/anchor.py storm-surge --seeds 10 --jobs 2 \
        --runs benchmarks/scenarios/storm-surge.anchor.jsonl

Each finished run is appended to ``--runs`` (one JSON object a line) as it arrives, so
an interrupted comparison keeps what it did; ``--summary-only`` summarises such a file
without running anything. The summary gives, per policy, P1 and P2 response compliance,
travel minutes per site visit and idle engineers (on duty, no visit all day, per working
day) as means with 95 % intervals, then the paired differences (same seed, same demand)
of each policy to greedy and to the clairvoyant policy.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path

from scenarios.load import load_scenario
from scenarios.metrics import Estimate, RunResult, estimate
from scenarios.runner import Task, run_all, seeds_of

POLICIES = ("greedy", "batch+insert", "clairvoyant")
FIGURES = (
    ("p1_response_compliance", "P1 response in SLA", 100.0, "pp"),
    ("p2_response_compliance", "P2 response in SLA", 100.0, "pp"),
    ("travel_min_per_job", "travel min / site visit", 1.0, "min"),
    ("idle_engineers", "idle engineers / day", 1.0, ""),
    ("tickets_served", "tickets served", 1.0, ""),
)


def _row(run: RunResult) -> dict[str, object]:
    return {
        "scenario": run.scenario,
        "policy": run.policy,
        "seed": run.seed,
        "wall_seconds": run.wall_seconds,
        "plans": run.plans,
        **run.metrics,
        **{k: v for k, v in run.extra.items() if isinstance(v, int | float)},
    }


def _fmt(e: Estimate, scale: float, unit: str) -> str:
    if e.mean is None:
        return "-"
    if e.low is None or e.high is None:
        return f"{e.mean * scale:+.1f}{unit} (n={e.n})"
    return f"{e.mean * scale:+.1f}{unit} ({e.low * scale:+.1f} .. {e.high * scale:+.1f}, n={e.n})"


def _level(e: Estimate, scale: float) -> str:
    if e.mean is None:
        return "-"
    half = e.half_width
    return f"{e.mean * scale:.1f}" + ("" if half is None else f" ± {half * scale:.1f}")


def summary(rows: Sequence[dict[str, object]]) -> str:
    """The Markdown tables of a comparison."""
    by = {(str(r["policy"]), int(r["seed"])): r for r in rows}  # type: ignore[call-overload]
    policies = [p for p in POLICIES if any(k[0] == p for k in by)]
    lines = ["| figure | " + " | ".join(policies) + " |", "|---|" + "---:|" * len(policies)]
    for key, label, scale, _ in FIGURES:
        cells = [
            _level(estimate([by[k].get(key) for k in by if k[0] == p]), scale)  # type: ignore[misc]
            for p in policies
        ]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("")
    for policy, base in (
        ("batch+insert", "greedy"),
        ("greedy", "clairvoyant"),
        ("batch+insert", "clairvoyant"),
    ):
        seeds = sorted(s for p, s in by if p == policy and (base, s) in by)
        if not seeds:
            continue
        parts = []
        for key, label, scale, unit in FIGURES[:4]:
            diffs = [
                None
                if by[(policy, s)].get(key) is None or by[(base, s)].get(key) is None
                else float(by[(policy, s)][key]) - float(by[(base, s)][key])  # type: ignore[arg-type]
                for s in seeds
            ]
            parts.append(f"{label} {_fmt(estimate(diffs), scale, unit)}")
        lines.append(f"- {policy} - {base}: " + "; ".join(parts))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Run (or only summarise) the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument(
        "--skip-seeds", type=int, default=0, help="leave out the first N seeds (already run)"
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--policy", action="append", choices=POLICIES)
    parser.add_argument("--runs", type=Path, required=True)
    parser.add_argument("--summary-only", action="store_true")
    args = parser.parse_args(argv)
    if not args.summary_only:
        scenario = load_scenario(args.scenario)
        tasks = [
            Task(scenario, policy, seed, trace=False)
            for seed in seeds_of(scenario, args.seeds)[args.skip_seeds :]
            for policy in args.policy or POLICIES
        ]
        args.runs.parent.mkdir(parents=True, exist_ok=True)

        def keep(run: RunResult) -> None:
            with args.runs.open("a") as out:
                out.write(json.dumps(_row(dataclasses.replace(run, trace=None))) + "\n")
            print(f"{run.policy} seed {run.seed}: {run.wall_seconds} s", flush=True)

        run_all(tasks, jobs=args.jobs, on_result=keep)
    rows = [json.loads(line) for line in args.runs.read_text().splitlines() if line.strip()]
    print(summary(rows))


if __name__ == "__main__":
    main()
