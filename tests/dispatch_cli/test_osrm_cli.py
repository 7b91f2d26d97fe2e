"""``dispatch osrm prepare`` on the Monaco extract."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dispatch_cli.main import app
from tests.solver.osrm_fixtures import CASINO, STADE, monaco_pbf

runner = CliRunner()


@pytest.mark.osrm
def test_prepare_makes_a_data_set_the_provider_routes_on(tmp_path: Path) -> None:
    pytest.importorskip("osrm", reason="osrm-bindings needs Python >= 3.12")
    from solver.travel.osrm import OsrmProvider

    data_dir = tmp_path / "monaco-ch"
    result = runner.invoke(
        app,
        ["osrm", "prepare", str(monaco_pbf()), "--data-dir", str(data_dir), "--algorithm", "ch"],
    )
    assert result.exit_code == 0, result.output
    assert f"--travel osrm:{data_dir}" in result.output
    assert (data_dir / "monaco.osrm.hsgr").is_file()
    m = OsrmProvider.local(data_dir).matrix([CASINO, STADE])
    assert m.provider == "osrm" and m.durations[0, 1] > 0


def test_prepare_reports_an_unknown_profile(tmp_path: Path) -> None:
    pbf = tmp_path / "empty.osm.pbf"
    pbf.write_bytes(b"")
    result = runner.invoke(
        app, ["osrm", "prepare", str(pbf), "--data-dir", str(tmp_path), "--profile", "hovercraft"]
    )
    assert result.exit_code == 1
    assert "hovercraft" in result.output
    assert not list(tmp_path.glob("*.osrm*"))
