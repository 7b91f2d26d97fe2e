"""The comparison report: Markdown and HTML with plots (matplotlib, Agg backend).

Plots: SLA attainment per tier per policy (with 95 % intervals), response-time
distributions per tier, and for the first seed of each policy the engineers' Gantt chart
of the first day and a map of their routes.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scenarios.load import scenario_policy
from scenarios.manager_report import LABELS, PLUS_MINUS, figure, targets
from scenarios.metrics import METRICS, TIERS, RunResult, Trace, paired_margin, summarise
from scenarios.model import Scenario

_COLOURS = {"travel": "#9ecae1", "on_site": "#3182bd", "break": "#bdbdbd"}
_TIER_COLOURS = {0: "#444444", 1: "#d62728", 2: "#ff7f0e", 3: "#2ca02c", 4: "#1f77b4"}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(plt: Any, fig: Any, path: Path) -> None:
    """Lay out ``fig``, write it to ``path`` and free it."""
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _trace_of(result: RunResult) -> Trace:
    """The first-day trace of a run made with ``trace=True``."""
    assert result.trace is not None
    return result.trace


def _slug(policy: str) -> str:
    return policy.replace("+", "-")


def _sla_plot(path: Path, results: Sequence[RunResult], policies: Sequence[str]) -> None:
    plt = _pyplot()
    summary = summarise(results)
    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.8 / max(1, len(policies))
    for i, policy in enumerate(policies):
        means, errs = [], []
        for k, tier in enumerate(TIERS):
            e = summary[policy][f"{tier.lower()}_response_compliance"]
            means.append(math.nan if e.mean is None else e.mean * 100)  # no bar
            errs.append(0.0 if e.half_width is None else e.half_width * 100)
            if e.mean is None:
                ax.text(k + i * width, 2, "no requests", rotation=90, ha="center", fontsize=7)
        xs = [k + i * width for k in range(len(TIERS))]
        ax.bar(xs, means, width, yerr=errs, capsize=3, label=policy)
    ax.set_xticks([k + width * (len(policies) - 1) / 2 for k in range(len(TIERS))], TIERS)
    ax.set_ylabel("answered within target (%)")
    ax.set_ylim(0, 105)
    ax.set_title("SLA attainment per tier (mean over seeds, 95% CI)")
    ax.legend()
    _save(plt, fig, path)


def _response_plot(path: Path, results: Sequence[RunResult], policies: Sequence[str]) -> None:
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(TIERS), figsize=(12, 3.6))
    for ax, tier in zip(axes, TIERS, strict=True):
        data = [
            [m for r in results if r.policy == p for m in r.response_minutes.get(tier, [])]
            for p in policies
        ]
        if any(data):
            ax.boxplot([d or [0.0] for d in data], showfliers=False)
        else:
            ax.text(  # compliance may still count the backlog waiting at the start
                0.5, 0.5, "no new requests", ha="center", va="center", transform=ax.transAxes
            )
        ax.set_xticks(range(1, len(policies) + 1), list(policies), rotation=20, fontsize=8)
        ax.set_title(f"{tier} response (min)")
    fig.suptitle("Response times, all seeds")
    _save(plt, fig, path)


def _gantt_plot(path: Path, result: RunResult) -> None:
    plt = _pyplot()
    trace = _trace_of(result)
    codes = sorted(trace.activities)
    fig, ax = plt.subplots(figsize=(11, 0.35 * len(codes) + 1.2))
    for row, code in enumerate(codes):
        for kind, t0, t1, tier, _number in trace.activities[code]:
            h0 = (t0 - trace.day_start) / 3600
            span = max(0.0, (t1 - t0) / 3600)
            colour = _TIER_COLOURS[tier] if kind == "on_site" else _COLOURS.get(kind, "#cccccc")
            ax.barh(row, span, left=h0, height=0.6, color=colour, edgecolor="white")
    ax.set_yticks(range(len(codes)), codes, fontsize=8)
    ax.set_xlabel("hour of the first day")
    ax.invert_yaxis()
    ax.set_title(
        f"{result.policy}, seed {result.seed}: travel (light blue), on site (by tier: "
        "P1 red, P2 orange, P3 green, P4 blue), breaks (grey)"
    )
    _save(plt, fig, path)


def _map_plot(path: Path, result: RunResult) -> None:
    plt = _pyplot()
    trace = _trace_of(result)
    fig, ax = plt.subplots(figsize=(7, 7))
    cmap = plt.get_cmap("tab20")
    for i, code in enumerate(sorted(trace.paths)):
        points = trace.paths[code]
        if len(points) < 2:
            continue
        ax.plot([p[1] for p in points], [p[0] for p in points], "-", color=cmap(i % 20), lw=1)
        for lat, lon, tier in points:
            marker = "s" if tier == 0 else "o"
            ax.plot(lon, lat, marker, color=_TIER_COLOURS[tier], ms=4 if tier else 5)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title(f"Routes of the first day ({result.policy}, seed {result.seed})")
    _save(plt, fig, path)


@dataclass(frozen=True)
class _Content:
    """What both the Markdown and the HTML report show."""

    title: str
    intro: str
    header: list[str]
    rows: list[list[str]]
    margins: list[str]
    images: list[tuple[str, str]]
    runs: list[list[str]]


_RUN_COLUMNS = ["policy", "seed", "tickets", "plans", "solver s", "wall s"]


def write_report(
    directory: Path,
    scenario: Scenario,
    results: Sequence[RunResult],
    policies: Sequence[str],
    *,
    baseline: str = "greedy",
) -> list[Path]:
    """Write ``report.md``, ``report.html`` and their PNG plots into ``directory``.

    Returns
    -------
    list of Path
        The Markdown and HTML files.
    """
    directory.mkdir(parents=True, exist_ok=True)
    summary = summarise(results)
    seeds = sorted({r.seed for r in results})
    images = _plots(directory, results, policies)
    goals = targets(scenario_policy(scenario))
    content = _Content(
        title=f"Simulation report: {scenario.name}",
        intro=(
            f"Scenario **{scenario.name}** ({scenario.description or 'no description'}): "
            f"{scenario.days} day(s) from {scenario.start}, seeds {seeds[0]}..{seeds[-1]} "
            f"({len(seeds)} per policy)."
        ),
        header=["figure", "target", *policies],
        rows=[
            [LABELS[m], goals.get(m, ""), *(figure(m, summary[p][m]) for p in policies)]
            for m in METRICS
        ],
        margins=_margins(results, policies, baseline),
        images=images,
        runs=[
            [
                r.policy,
                str(r.seed),
                str(r.tickets),
                str(r.plans),
                f"{r.solver_seconds:.1f}",
                f"{r.wall_seconds:.1f}",
            ]
            for r in results
        ],
    )
    md_path = directory / "report.md"
    md_path.write_text(_markdown(content), encoding="utf-8")
    html_path = directory / "report.html"
    html_path.write_text(_html(content), encoding="utf-8")
    return [md_path, html_path]


def _plots(
    directory: Path, results: Sequence[RunResult], policies: Sequence[str]
) -> list[tuple[str, str]]:
    """Draw the plots into ``directory``; returns their (title, file name)."""
    images: list[tuple[str, str]] = []
    _sla_plot(directory / "sla.png", results, policies)
    images.append(("SLA attainment per tier", "sla.png"))
    _response_plot(directory / "response.png", results, policies)
    images.append(("Response-time distributions", "response.png"))
    for policy in policies:
        traced = next((r for r in results if r.policy == policy and r.trace is not None), None)
        if traced is None:
            continue
        gantt, routes = f"gantt-{_slug(policy)}.png", f"map-{_slug(policy)}.png"
        _gantt_plot(directory / gantt, traced)
        _map_plot(directory / routes, traced)
        images.append((f"Engineers' day: {policy}", gantt))
        images.append((f"Routes: {policy}", routes))
    return images


def _margins(results: Sequence[RunResult], policies: Sequence[str], baseline: str) -> list[str]:
    """Each policy's paired margin over ``baseline`` on P1 and P2 response compliance."""
    margins: list[str] = []
    if baseline not in policies:
        return margins
    for p in policies:
        if p == baseline:
            continue
        for tier in ("p1", "p2"):
            e = paired_margin(results, p, baseline, f"{tier}_response_compliance")
            if e.mean is not None and e.low is not None and e.high is not None:
                margins.append(
                    f"{p} vs {baseline}, {tier.upper()} response compliance: "
                    f"{e.mean * 100:+.1f} pp (95% CI {e.low * 100:+.1f} .. "
                    f"{e.high * 100:+.1f}, paired over {e.n} seeds)"
                )
    return margins


def _markdown(c: _Content) -> str:
    md = [f"# {c.title}", "", c.intro, "", "## Comparison", ""]
    md += ["| " + " | ".join(c.header) + " |", "|" + "---|" * len(c.header)]
    md += ["| " + " | ".join(r) + " |" for r in c.rows]
    md += ["", PLUS_MINUS, "", *(f"- {m}" for m in c.margins), "", "## Plots", ""]
    md += [f"![{title}]({name})\n" for title, name in c.images]
    md += ["## Runs", "", "| " + " | ".join(_RUN_COLUMNS) + " |", "|---|---|---|---|---|---|"]
    md += ["| " + " | ".join(r) + " |" for r in c.runs]
    return "\n".join(md) + "\n"


def _table(head: list[str], body: list[list[str]]) -> str:
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    trs = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in body
    )
    return f"<table><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>"


def _html(c: _Content) -> str:
    page = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(c.title)}</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;"
        "text-align:right}img{max-width:100%}</style></head><body>",
        f"<h1>{html.escape(c.title)}</h1>",
        f"<p>{html.escape(c.intro.replace('**', ''))}</p>",
        "<h2>Comparison</h2>",
        _table(c.header, c.rows),
        f"<p>{html.escape(PLUS_MINUS)}</p>",
        "<ul>" + "".join(f"<li>{html.escape(m)}</li>" for m in c.margins) + "</ul>",
        "<h2>Plots</h2>",
        *(f"<h3>{html.escape(t)}</h3><img src='{n}' alt='{html.escape(t)}'>" for t, n in c.images),
        "<h2>Runs</h2>",
        _table(_RUN_COLUMNS, c.runs),
        "</body></html>",
    ]
    return "\n".join(page)
