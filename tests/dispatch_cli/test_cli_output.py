"""What the command line prints: the version, help pages that read as prose, a solve's
summary next to the file it wrote, and the demo seeded from the service's clock."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import click
import pytest
import typer
from typer.testing import CliRunner

from dispatch_cli.main import app, installed_version
from tests.dispatch_cli.test_solving import _fieldservice

runner = CliRunner()
TYPE_LABEL = re.compile(r"<(bool|str|int|float|path|file|dir|list\[[a-z]+\])>")


def _command_paths() -> list[list[str]]:
    root = typer.main.get_command(app)
    paths: list[list[str]] = [[]]

    def walk(command: click.Command, prefix: list[str]) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            paths.append([*prefix, name])
            walk(sub, [*prefix, name])

    walk(root, [])
    return paths


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"dispatch {installed_version()}"
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", installed_version())


def test_help_names_values_not_python_types() -> None:
    paths = _command_paths()
    assert ["solve"] in paths and ["db", "upgrade"] in paths
    for path in paths:
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, (path, result.output)
        assert not TYPE_LABEL.search(result.output), (path, result.output)
    solve = runner.invoke(app, ["solve", "--help"], env={"COLUMNS": "200"}).output
    assert re.search(r"--seconds\s+FLOAT\s", solve)
    assert re.search(r"--help\s+Show this message", solve)


def test_help_paragraphs_are_not_broken_mid_sentence() -> None:
    result = runner.invoke(app, ["simulate", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    # the docstring breaks "tickets / served" across two source lines: re-flowed, the words
    # stand side by side (the terminal may still wrap elsewhere)
    assert "tickets served, travel, utilisation" in result.output


def test_solve_prints_the_summary_and_the_file_it_wrote(tmp_path: Path) -> None:
    inst = _fieldservice(tmp_path / "tiny.json")
    out = tmp_path / "plan.json"
    result = runner.invoke(app, ["solve", str(inst), "--solver", "greedy", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1] == f"wrote {out}"
    tiers = {line.split()[0]: line.split()[1:] for line in lines if re.match(r"P[1-4]\s", line)}
    assert set(tiers) == {"P1", "P2", "P3", "P4"}
    assert sum(int(served) for served, _ in tiers.values()) == 6
    assert "unassigned 2" in lines
    assert "  NO_QUALIFIED_ENGINEER: 1" in lines
    assert any(line.startswith("travel ") and " s, " in line for line in lines)


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.delenv("DISPATCH_REDIS_URL", raising=False)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0


def test_seed_reads_the_service_clock_and_adds_a_day(cli_env: None) -> None:
    friday_evening = "2026-11-27T18:00:00+08:00"
    first = runner.invoke(
        app,
        ["seed", "--engineers", "4", "--tickets", "10"],
        env={"DISPATCH_CLOCK_AT": friday_evening},
    )
    assert first.exit_code == 0, first.output
    assert "next working day 2026-11-30" in first.output
    assert "demo loaded for 2026-11-30: 4 engineers" in first.output

    added = runner.invoke(
        app, ["seed", "--day", "2026-12-01"], env={"DISPATCH_CLOCK_AT": friday_evening}
    )
    assert added.exit_code == 0, added.output
    assert "demo loaded for 2026-12-01: 4 engineers" in added.output
    assert "150 tickets" in added.output

    again = runner.invoke(app, ["seed", "--day", "2026-12-01"])
    assert again.exit_code == 2
    assert "already has tickets on 2026-12-01" in again.output
    no_day = runner.invoke(app, ["seed"])
    assert no_day.exit_code != 0 and "--day" in no_day.output
    skipped = runner.invoke(app, ["seed", "--if-empty"])
    assert skipped.exit_code == 0 and "already has data" in skipped.output
    assert dt.date(2026, 11, 30).weekday() == 0
