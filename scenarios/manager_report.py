"""The one-page report for a service manager: figures in words, each beside its target.

Readable names instead of code names, the SLA target next to each compliance figure, what
``±`` means, a panel per tier that says "no requests" (and draws no bar) when a tier had
none, and the map of the first day as an inline SVG: one self-contained HTML file, no
script, nothing fetched from elsewhere.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from dispatch.sla.policy import Clock, SlaPolicy
from scenarios.metrics import METRICS, TIERS, Estimate, RunResult, summarise
from scenarios.model import Scenario

LABELS = {
    "p1_response_compliance": "P1 emergencies answered in time",
    "p2_response_compliance": "P2 urgent requests answered in time",
    "p3_response_compliance": "P3 standard requests answered in time",
    "p4_response_compliance": "P4 planned work answered in time",
    "tickets_served": "Tickets served",
    "travel_min_per_job": "Travel per job (minutes)",
    "utilisation": "Engineers' time used (travel + on site, of shift time)",
    "overtime_min": "Overtime, all engineers (minutes)",
    "response_p50_min": "Typical response time (median, minutes)",
    "response_p90_min": "Slow response time (9 in 10 faster, minutes)",
}
"""A readable name of every figure of :data:`scenarios.metrics.METRICS`."""
PLUS_MINUS = (
    "± is the margin of the 95 % confidence interval over the seeds (the simulated days "
    "with different random requests): with 95 % confidence the true average lies within "
    "the figure ± that margin. No ± means a single seed, or the same result on every seed."
)
_SHARES = {"utilisation", *(f"{t.lower()}_response_compliance" for t in TIERS)}
_TIER_COLOURS = {0: "#444444", 1: "#d62728", 2: "#ff7f0e", 3: "#2ca02c", 4: "#1f77b4"}
_ROUTE_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d")


def targets(policy: SlaPolicy) -> dict[str, str]:
    """The target in words of each figure that has one (the tiers' response targets)."""
    out: dict[str, str] = {}
    for tier in TIERS:
        tiers = policy.priorities[tier]  # type: ignore[index]
        standard, vip = tiers.standard.response, tiers.vip.response
        clock = "working hours" if standard.clock == Clock.BUSINESS else "round the clock"
        out[f"{tier.lower()}_response_compliance"] = (
            f"respond within {standard.hours:g} h ({clock}; VIP {vip.hours:g} h)"
        )
    return out


def figure(metric: str, e: Estimate) -> str:
    """``mean ± margin`` in words' units (percentages for shares); ``no requests`` when
    nothing was measured."""
    if e.mean is None:
        return "no requests" if metric.endswith("compliance") else "-"
    half = e.half_width
    if metric in _SHARES:
        return f"{e.mean * 100:.1f} %" + ("" if not half else f" ± {half * 100:.1f}")
    return f"{e.mean:.1f}" + ("" if not half else f" ± {half:.1f}")


def _tier_panel(
    tier: str,
    policies: Sequence[str],
    results: Sequence[RunResult],
    summary: dict[str, dict[str, Estimate]],
    target: str,
) -> str:
    metric = f"{tier.lower()}_response_compliance"
    rows = []
    for policy in policies:
        e = summary[policy][metric]
        if e.mean is None:
            bar = "<span class='none'>no requests</span>"
        else:
            width = max(0.0, min(100.0, e.mean * 100))
            answered = any(r.response_minutes.get(tier) for r in results if r.policy == policy)
            note = "" if answered else " <span class='none'>(backlog only: no new requests)</span>"
            bar = (
                f"<span class='bar' style='width:{width:.1f}%'></span>"
                f"<span class='val'>{html.escape(figure(metric, e))}</span>{note}"
            )
        rows.append(f"<tr><th>{html.escape(policy)}</th><td class='track'>{bar}</td></tr>")
    return (
        f"<section class='panel'><h3>{html.escape(LABELS[f'{tier.lower()}_response_compliance'])}"
        f"</h3><p class='target'>Target: {html.escape(target)}</p>"
        f"<table>{''.join(rows)}</table></section>"
    )


def route_map_svg(result: RunResult, *, size: int = 560) -> str:
    """The first day's routes of ``result`` as an inline SVG (empty without a trace).

    Each engineer's path is a line of its own colour from home (a square) through the
    visits (dots coloured by tier: P1 red, P2 orange, P3 green, P4 blue).
    """
    trace = result.trace
    if trace is None:
        return ""
    points = [p for path in trace.paths.values() for p in path]
    if not points:
        return ""
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    span = max(north - south, east - west, 1e-6)
    pad = 20

    def xy(lat: float, lon: float) -> tuple[float, float]:
        x = pad + (lon - west) / span * (size - 2 * pad)
        y = pad + (north - lat) / span * (size - 2 * pad)
        return round(x, 1), round(y, 1)

    shapes: list[str] = []
    for i, code in enumerate(sorted(trace.paths)):
        path = trace.paths[code]
        colour = _ROUTE_COLOURS[i % len(_ROUTE_COLOURS)]
        coords = " ".join(f"{x},{y}" for x, y in (xy(lat, lon) for lat, lon, _ in path))
        if len(path) > 1:
            shapes.append(
                f"<polyline points='{coords}' fill='none' stroke='{colour}' stroke-width='1.5'>"
                f"<title>{html.escape(code)}</title></polyline>"
            )
        for lat, lon, tier in path:
            x, y = xy(lat, lon)
            if tier == 0:
                shapes.append(
                    f"<rect x='{x - 4}' y='{y - 4}' width='8' height='8' fill='{_TIER_COLOURS[0]}'>"
                    f"<title>{html.escape(code)} home</title></rect>"
                )
            else:
                shapes.append(
                    f"<circle cx='{x}' cy='{y}' r='3.5' fill='{_TIER_COLOURS[tier]}'>"
                    f"<title>P{tier}</title></circle>"
                )
    return (
        f"<svg class='map' xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {size} {size}' "
        f"width='{size}' height='{size}' role='img' aria-label='Map of the first day'>"
        f"<rect width='{size}' height='{size}' fill='#f6f6f2'/>{''.join(shapes)}</svg>"
    )


_STYLE = (
    "body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}"
    "table{border-collapse:collapse}td,th{padding:3px 8px;text-align:left}"
    ".figures td,.figures th{border:1px solid #ccc}.figures td.num{text-align:right}"
    ".panels{display:grid;grid-template-columns:1fr 1fr;gap:1em}"
    ".panel{border:1px solid #ddd;padding:.5em 1em}.panel table{width:100%}"
    ".track{width:70%;position:relative;height:1.4em}"
    ".bar{display:inline-block;height:1em;background:#3182bd;vertical-align:middle}"
    ".val{margin-left:.4em}.none{color:#777;font-style:italic}.target{color:#555}"
    ".note{color:#555;font-size:90%}"
)


def manager_html(
    scenario: Scenario, results: Sequence[RunResult], policies: Sequence[str], policy: SlaPolicy
) -> str:
    """The one-page report as HTML text (see the module's description)."""
    summary = summarise(results)
    seeds = sorted({r.seed for r in results})
    goal = targets(policy)
    head = "".join(f"<th>{html.escape(p)}</th>" for p in policies)
    rows = "".join(
        f"<tr><th>{html.escape(LABELS[m])}</th><td>{html.escape(goal.get(m, ''))}</td>"
        + "".join(f"<td class='num'>{html.escape(figure(m, summary[p][m]))}</td>" for p in policies)
        + "</tr>"
        for m in METRICS
    )
    traced = next((r for p in policies for r in results if r.policy == p and r.trace), None)
    map_part = (
        f"<h2>The first day on the map ({html.escape(traced.policy)}, seed {traced.seed})</h2>"
        + route_map_svg(traced)
        + "<p class='note'>Squares: where engineers start; dots: visits by tier (P1 red, "
        "P2 orange, P3 green, P4 blue); one line per engineer.</p>"
        if traced is not None
        else ""
    )
    return "".join(
        [
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
            f"<title>Service report: {html.escape(scenario.name)}</title>",
            f"<style>{_STYLE}</style></head><body>",
            f"<h1>Service report: {html.escape(scenario.name)}</h1>",
            f"<p>{html.escape(scenario.description or '')} {scenario.days} day(s) from "
            f"{scenario.start}, simulated {len(seeds)} times per way of dispatching "
            f"({html.escape(', '.join(policies))}).</p>",
            "<h2>Service levels by priority</h2><div class='panels'>",
            *(
                _tier_panel(t, policies, results, summary, goal[f"{t.lower()}_response_compliance"])
                for t in TIERS
            ),
            "</div>",
            f"<h2>All figures</h2><table class='figures'><thead><tr><th>figure</th>"
            f"<th>target</th>{head}</tr></thead><tbody>{rows}</tbody></table>",
            f"<p class='note'>{html.escape(PLUS_MINUS)}</p>",
            map_part,
            "</body></html>",
        ]
    )


def write_manager_report(
    path: Path,
    scenario: Scenario,
    results: Sequence[RunResult],
    policies: Sequence[str],
    policy: SlaPolicy,
) -> Path:
    """Write :func:`manager_html` to ``path`` (its folder is made) and return ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(manager_html(scenario, results, policies, policy), encoding="utf-8")
    return path
