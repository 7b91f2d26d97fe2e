"""Scenario files: what the loader used to accept and now refuses (or honours).

Found by writing new scenarios: skill levels above seniority, breaks outside the shift,
``policy.name`` ignored by ``dispatch simulate``, a missing SLA policy file, duplicate
YAML keys and appointment slots on weekend on-call days.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from dispatch.sla.policy import PACKAGED_POLICY
from dispatch_cli.main import app
from dispatch_cli.simulate import DEFAULT_POLICIES, policies_to_run
from scenarios.demand import requests
from scenarios.load import ScenarioError, load_scenario, parse_scenario
from scenarios.world import SiteRef
from tests.scenarios.tiny import tiny

runner = CliRunner()
SITES = tuple(SiteRef(i, i, i < 2, 31.23 + i / 1000, 121.47) for i in range(10))


def _problems(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data, source="bad.yaml")
    return dict(caught.value.problems)


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


# --- skill levels and seniority -------------------------------------------------------


def test_skill_level_above_seniority_is_refused_naming_the_engineers() -> None:
    data = tiny()
    data["engineers"][1]["skills"] = {"hvac": 3}  # the mid group: engineers E003, E004
    problems = _problems(data)
    assert list(problems) == ["engineers.1.skills.hvac"]
    message = problems["engineers.1.skills.hvac"]
    assert "level 3" in message and "mid" in message and "E003-E004" in message
    assert "up to 2" in message


def test_skill_levels_up_to_seniority_are_kept_as_written() -> None:
    data = tiny()
    data["engineers"].append(
        {"count": 1, "level": "junior", "skills": {"hvac": 1},
         "shift": {"start": "08:00", "end": "13:00", "break_minutes": 0}}
    )  # fmt: skip
    scenario = parse_scenario(data)
    assert [dict(g.skills) for g in scenario.engineers] == [
        {"hvac": 3, "elevator": 3},
        {"hvac": 2},
        {"hvac": 1},
    ]


# --- breaks -----------------------------------------------------------------------------


def test_break_window_outside_the_shift_is_refused() -> None:
    data = tiny()
    data["engineers"][0]["shift"] = {
        "start": "08:00", "end": "13:00", "break_minutes": 30,
        "break_window": {"start": "12:00", "end": "14:00"},
    }  # fmt: skip
    data["engineers"][1]["shift"] = {"start": "14:00", "end": "22:00"}  # default 11:30-13:30
    problems = _problems(data)
    first = problems["engineers.0.shift.break_window"]
    assert "12:00-14:00 is not inside the shift 08:00-13:00" in first
    assert "11:30-13:30 (the default)" in problems["engineers.1.shift.break_window"]


def test_break_running_past_the_shift_end_is_refused() -> None:
    data = tiny()
    data["engineers"][0]["shift"] = {
        "start": "08:00", "end": "13:00", "break_minutes": 45,
        "break_window": {"start": "12:30", "end": "13:00"},
    }  # fmt: skip
    problems = _problems(data)
    assert "runs past the shift end 13:00" in problems["engineers.0.shift.break_minutes"]


# --- policy.name and dispatch simulate --------------------------------------------------


def test_simulate_runs_the_policy_the_scenario_names(tmp_path: Path) -> None:
    named = parse_scenario(tiny(policy={**tiny()["policy"], "name": "batch"}))
    assert policies_to_run(named, None, "greedy") == ["greedy", "batch"]
    assert policies_to_run(named, ["batch+insert"], "greedy") == ["batch+insert"]
    assert policies_to_run(parse_scenario(tiny()), None, "greedy") == list(DEFAULT_POLICIES)

    for name in ("metro-day", "storm-surge", "rural-sparse", "pm-week", "vip-heavy"):
        shipped = load_scenario(name)  # they name no policy: a run compares all three
        assert policies_to_run(shipped, None, "greedy") == list(DEFAULT_POLICIES), name

    scenario = _write(tmp_path / "g.yaml", tiny(policy={**tiny()["policy"], "name": "greedy"}))
    out = tmp_path / "out.json"
    result = runner.invoke(
        app, ["simulate", str(scenario), "--seeds", "1", "--jobs", "1", "--local",
              "--json", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert list(json.loads(out.read_text(encoding="utf-8"))["policies"]) == ["greedy"]


# --- the SLA policy file ----------------------------------------------------------------


def test_missing_sla_policy_file_is_one_line_naming_field_and_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    scenario = _write(folder / "s.yaml", tiny(sla={"policy_file": "policies/sla.yaml"}))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario)
    message = str(caught.value)
    assert "\n" not in message
    assert "sla.policy_file" in message
    assert str(folder / "policies" / "sla.yaml") in message
    assert caught.value.field == "sla.policy_file"

    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["simulate", str(scenario), "--seeds", "1", "--local"])
    assert result.exit_code == 2
    assert "sla.policy_file" in result.output
    assert "Traceback" not in result.output and result.exception is not None
    assert isinstance(result.exception, SystemExit)


def test_sla_policy_file_is_read_next_to_the_scenario(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "sla.yaml").write_text(PACKAGED_POLICY.read_text(encoding="utf-8"))
    scenario = _write(folder / "s.yaml", tiny(sla={"policy_file": "sla.yaml"}))
    monkeypatch.chdir(tmp_path)  # not the scenario's folder
    loaded = load_scenario(scenario)
    assert loaded.sla.policy_file == (folder / "sla.yaml").resolve()


def test_invalid_sla_policy_file_names_the_field(tmp_path: Path) -> None:
    (tmp_path / "sla.yaml").write_text("version: 1\npriorities: {}\n", encoding="utf-8")
    scenario = _write(tmp_path / "s.yaml", tiny(sla={"policy_file": "sla.yaml"}))
    with pytest.raises(ScenarioError, match=r"sla\.policy_file: .*sla\.yaml is invalid"):
        load_scenario(scenario)


# --- duplicate keys ---------------------------------------------------------------------


def test_duplicate_yaml_keys_are_refused_naming_key_and_line(tmp_path: Path) -> None:
    lines = yaml.safe_dump(tiny(), sort_keys=False).splitlines()
    at = lines.index("  skill_mix:")
    lines.insert(at + 2, "    hvac: 0.1")  # after "hvac: 0.7": a second hvac
    scenario = tmp_path / "dup.yaml"
    scenario.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario)
    assert caught.value.field == "demand.skill_mix.hvac"
    message = str(caught.value)
    assert f"line {at + 3}: duplicate key 'hvac' (first given at line {at + 2})" in message

    top = tmp_path / "top.yaml"
    top.write_text(scenario.read_text().replace("    hvac: 0.1\n", "") + "seed: 9\n")
    with pytest.raises(ScenarioError, match="duplicate key 'seed'"):
        load_scenario(top)


def test_merge_keys_may_be_overridden_and_aliases_reused(tmp_path: Path) -> None:
    text = yaml.safe_dump(tiny(), sort_keys=False)
    text += "travel:\n  <<: {speed_kmh: 20, circuity: 1.4}\n  speed_kmh: 25\n"
    text = text.replace("- count: 2\n  level: senior", "- &seniors\n  count: 2\n  level: senior")
    text = text.replace("customers:", "- *seniors\ncustomers:")
    scenario = tmp_path / "merged.yaml"
    scenario.write_text(text, encoding="utf-8")
    loaded = load_scenario(scenario)
    assert (loaded.travel.speed_kmh, loaded.travel.circuity) == (25, 1.4)
    assert len(loaded.engineers) == 3 and loaded.engineers[2] == loaded.engineers[0]


# --- appointment slots and on-call days -------------------------------------------------


def _week(**appointments: Any) -> dict[str, Any]:
    data = tiny(start="2026-11-23", days=7)  # Monday .. Sunday
    data["engineers"].append(
        {"count": 1, "level": "senior", "skills": {"hvac": 3, "elevator": 3},
         "shift": {"start": "08:00", "end": "13:00", "break_minutes": 0,
                   "days": ["sat", "sun"]}}
    )  # on call at the weekend  # fmt: skip
    data["demand"]["appointments"] = {
        "share": 1.0, "slot_minutes": 120, "first": "09:00", "last": "10:00", "lead_days": 3,
        **appointments,
    }  # fmt: skip
    for arrival in data["demand"]["arrivals"]:
        arrival["per_hour"] = 2.0
    return data


def _slot_days(data: dict[str, Any]) -> set[str]:
    scenario = parse_scenario(data)
    days: set[str] = set()
    for seed in (1, 2, 3):
        for request in requests(scenario, seed, SITES):
            if request.window is not None:
                at = scenario.origin() + dt.timedelta(seconds=request.window[0])
                days.add(at.astimezone(scenario.zone).strftime("%a"))
    return days


def test_appointments_are_not_booked_on_weekend_on_call_days() -> None:
    days = _slot_days(_week())
    assert days and days <= {"Mon", "Tue", "Wed", "Thu", "Fri"}
    assert {"Thu", "Fri"} <= days  # lead days reach on through the week


def test_a_calendar_open_on_saturday_takes_appointments_then(tmp_path: Path) -> None:
    policy = yaml.safe_load(PACKAGED_POLICY.read_text(encoding="utf-8"))
    policy["default_calendar"]["hours"]["sat"] = ["09:00", "13:00"]
    (tmp_path / "sla.yaml").write_text(yaml.safe_dump(policy), encoding="utf-8")
    data = _week()
    data["sla"] = {"policy_file": str(tmp_path / "sla.yaml")}
    days = _slot_days(data)
    assert "Sat" in days and "Sun" not in days


def test_appointments_with_only_on_call_days_are_refused() -> None:
    data = _week()
    for group in data["engineers"]:
        group["shift"]["days"] = ["sat", "sun"]
    problems = _problems(data)
    message = problems["demand.appointments.share"]
    assert "no day to book appointments on" in message and "sat, sun" in message
