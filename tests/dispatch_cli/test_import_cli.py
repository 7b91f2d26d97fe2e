"""``dispatch import`` and ``dispatch export`` on the test database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dispatch_cli.main import app
from tests.dispatch.test_imports import counts
from tests.org_files import BAD_ROWS, organisation, spoiled

runner = CliRunner()
DAY = "2026-11-24"


@pytest.fixture
def env(database_url, monkeypatch) -> None:
    monkeypatch.setenv("DISPATCH_DATABASE_URL", database_url)
    monkeypatch.delenv("DISPATCH_REDIS_URL", raising=False)
    monkeypatch.setenv("DISPATCH_CLOCK_AT", "2026-11-23T20:00:00+01:00")


def write(directory: Path, files: dict[str, bytes]) -> list[str]:
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (directory / name).write_bytes(data)
    return [str(directory / name) for name in files]


def org_files():
    import datetime as dt

    return organisation(engineers=6, sites=12, tickets_day=dt.date.fromisoformat(DAY))


def test_import_then_reimport_as_json(env, database, tmp_path):
    paths = write(tmp_path / "org", org_files())
    result = runner.invoke(app, ["import", *paths])
    assert result.exit_code == 0, result.output
    assert "stored" in result.output
    again = runner.invoke(app, ["import", str(tmp_path / "org"), "--json"])
    assert again.exit_code == 0, again.output
    report = json.loads(again.output)
    assert set(report["created"].values()) == {0} and set(report["updated"].values()) == {0}
    assert report["unchanged"]["sites"] == 12 and report["committed"] is True


def test_dry_run_stores_nothing(env, database, tmp_path):
    before = counts(database)
    result = runner.invoke(app, ["import", *write(tmp_path, org_files()), "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["created"]["engineers"] == 6
    assert counts(database) == before


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_a_bad_row_exits_non_zero_naming_it(env, database, tmp_path, case):
    before = counts(database)
    result = runner.invoke(app, ["import", *write(tmp_path, spoiled(org_files(), case)), "--json"])
    assert result.exit_code == 1, result.output
    name, _spoil, row, column = BAD_ROWS[case]
    errors = json.loads(result.output)["errors"]
    assert [(e["file"], e["row"], e["column"]) for e in errors] == [(name, row, column)]
    assert counts(database) == before
    plain = runner.invoke(app, ["import", *write(tmp_path, spoiled(org_files(), case))])
    assert plain.exit_code == 1 and f"{name}:{row}: {column}:" in plain.output
    assert "nothing was stored" in plain.output


def test_not_an_import_exits_2(env, tmp_path):
    (tmp_path / "people.csv").write_text("code\nx\n")
    result = runner.invoke(app, ["import", str(tmp_path / "people.csv")])
    assert result.exit_code == 2 and "people.csv" in result.output


def test_export_writes_what_imports_back(env, database, tmp_path):
    files = org_files()
    assert runner.invoke(app, ["import", *write(tmp_path / "in", files)]).exit_code == 0
    result = runner.invoke(app, ["export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert (out / "engineers.csv").read_bytes() == files["engineers.csv"]
    assert "北京路" in (out / "sites.csv").read_text(encoding="utf-8")
    again = runner.invoke(app, ["import", str(out), "--json"])
    assert again.exit_code == 0 and sum(json.loads(again.output)["updated"].values()) == 0
