"""``dispatch simulate``: table, margins, JSON in the documented shape, report with plots."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import yaml
from typer.testing import CliRunner

from dispatch_cli.main import app
from scenarios.metrics import METRICS, estimate
from tests.scenarios.tiny import tiny

runner = CliRunner()


def test_simulate_writes_table_json_and_report(tmp_path: Path) -> None:
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(yaml.safe_dump(tiny()), encoding="utf-8")
    out, report = tmp_path / "out.json", tmp_path / "report"
    result = runner.invoke(
        app,
        [
            "simulate", str(scenario), "--policy", "greedy", "--policy", "batch+insert",
            "--seeds", "2", "--jobs", "2", "--local", "--json", str(out), "--report", str(report),
            "--html", str(tmp_path / "manager" / "report.html"),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "P1 emergencies answered in time" in result.output
    assert "respond within 2 h" in result.output  # the packaged policy's P1 target
    assert "95 % confidence interval" in result.output  # what ± means
    assert "batch+insert vs greedy, P1 response compliance:" in result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["scenario"] == "tiny" and data["seeds"] == 2
    assert list(data["policies"]) == ["greedy", "batch+insert"]
    for figures in data["policies"].values():
        for name in METRICS:
            mean, ci = figures[name], figures[f"{name}_ci95"]
            if mean is None:
                assert ci is None
            elif ci is not None:  # none from a single seed with a value
                assert ci[0] <= mean <= ci[1]
        assert 0 <= figures["p1_response_compliance"] <= 1
        assert figures["tickets_served"] > 0
    md = (report / "report.md").read_text(encoding="utf-8")
    assert "| figure | target | greedy | batch+insert |" in md
    assert "| P1 emergencies answered in time | respond within 2 h" in md
    for png in ("sla.png", "response.png", "gantt-greedy.png", "map-batch-insert.png"):
        assert (report / png).stat().st_size > 1000
        assert png in md
    assert "<table>" in (report / "report.html").read_text(encoding="utf-8")


def test_simulate_refuses_a_bad_scenario_naming_the_field(tmp_path: Path) -> None:
    data = tiny()
    data["demand"]["arrivals"][0]["per_hour"] = -1
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = runner.invoke(app, ["simulate", str(scenario), "--seeds", "1"])
    assert result.exit_code == 2
    assert "demand.arrivals.0.per_hour" in result.output


def test_simulate_refuses_an_unknown_policy() -> None:
    result = runner.invoke(app, ["simulate", "metro-day", "--policy", "fastest"])
    assert result.exit_code != 0
    assert "unknown policy 'fastest'" in result.output


def test_confidence_interval_of_known_values() -> None:
    e = estimate([1.0, 2.0, 3.0, None])
    assert e.n == 3 and e.mean == 2.0
    assert (
        e.half_width is not None and abs(e.half_width - 4.303 * 1.0 / 3**0.5) < 1e-3
    )  # t(0.975, 2 df)
    assert estimate([None]).mean is None
    one = estimate([0.5])
    assert one.mean == 0.5 and one.low is None and one.half_width is None


def test_many_seeds_keep_students_t_not_the_normal_quantile() -> None:
    values = [float(i % 5) for i in range(32)]  # 31 degrees of freedom: t = 2.0395, z = 1.96
    e = estimate(values)
    spread = statistics.stdev(values) / len(values) ** 0.5
    assert e.half_width is not None and abs(e.half_width / spread - 2.0395) < 1e-3


def test_the_managers_page_has_names_targets_and_the_map(tmp_path: Path) -> None:
    """The one-page report: readable names beside targets, ± explained, a panel per tier
    ("no requests" and no bar for a tier without any; P4 here is only the backlog), the
    first day's map inline."""
    data = tiny()
    data["demand"]["arrivals"] = [a for a in data["demand"]["arrivals"] if a["tier"] != 3]
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(yaml.safe_dump(data), encoding="utf-8")
    page = tmp_path / "report.html"
    result = runner.invoke(
        app,
        ["simulate", str(scenario), "--policy", "greedy", "--seeds", "1", "--jobs", "1",
         "--local", "--html", str(page)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = page.read_text(encoding="utf-8")
    for words in (
        "P1 emergencies answered in time",
        "P4 planned work answered in time",
        "Typical response time (median, minutes)",
        "respond within 2 h (round the clock; VIP 1 h)",
        "± is the margin of the 95 % confidence interval",
    ):
        assert words in text, words
    assert "p1_response_compliance" not in text

    def panel(name: str) -> str:
        start = text.index(name)
        return text[start : text.index("</section>", start)]

    assert "no requests" in panel("P3 standard") and "class='bar'" not in panel("P3 standard")
    assert "backlog only: no new requests" in panel("P4 planned")
    assert "class='bar'" in panel("P4 planned") and "%" in panel("P4 planned")
    assert "class='bar'" in panel("P1 emergencies") and "no requests" not in panel("P1 emer")
    svg = text[text.index("<svg") : text.index("</svg>")]
    assert svg.count("<polyline") >= 1 and svg.count("<circle") >= 3
    assert "http" not in text.replace("http://www.w3.org/2000/svg", "")  # nothing fetched
