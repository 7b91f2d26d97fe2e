"""Scenario files: the shipped ones validate; mistakes are refused naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scenarios.load import (
    ScenarioError,
    load_scenario,
    parse_scenario,
    scenario_policy,
    shipped_scenarios,
)
from tests.scenarios.tiny import tiny

SHIPPED = ("metro-day", "storm-surge", "rural-sparse", "pm-week", "vip-heavy")


def test_every_shipped_scenario_validates() -> None:
    found = shipped_scenarios()
    assert set(SHIPPED) <= set(found)
    for name, path in found.items():
        scenario = load_scenario(path)
        assert scenario.name == name, f"{path} is named {scenario.name!r}"
        assert scenario.horizon_seconds() >= 86400 * scenario.days - 3600


def test_shipped_scenarios_load_by_name_and_differ_as_described() -> None:
    metro, storm = load_scenario("metro-day"), load_scenario("storm-surge")
    p1 = {s.name: sum(a.per_hour for a in s.demand.arrivals if a.tier == 1) for s in (metro, storm)}
    assert p1["storm-surge"] == pytest.approx(3 * p1["metro-day"])
    assert load_scenario("pm-week").days == 5
    assert load_scenario("rural-sparse").geography.radius_km > 3 * metro.geography.radius_km


def _problems(data: dict) -> dict[str, str]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data, source="bad.yaml")
    assert str(caught.value).startswith("bad.yaml is invalid:")
    return dict(caught.value.problems)


def test_unknown_skill_is_refused_naming_the_field() -> None:
    data = tiny()
    data["demand"]["skill_mix"] = {"hvac": 0.5, "plumbing": 0.5}
    problems = _problems(data)
    assert "demand.skill_mix.plumbing" in problems
    assert "unknown skill 'plumbing'" in problems["demand.skill_mix.plumbing"]
    assert "elevator, hvac" in problems["demand.skill_mix.plumbing"]


def test_negative_rate_is_refused_naming_the_field() -> None:
    data = tiny()
    data["demand"]["arrivals"][1]["per_hour"] = -2
    problems = _problems(data)
    assert list(problems) == ["demand.arrivals.1.per_hour"]
    assert "greater than or equal to 0" in problems["demand.arrivals.1.per_hour"]


def test_window_ending_before_it_starts_is_refused_naming_the_field() -> None:
    data = tiny()
    data["engineers"][0]["shift"] = {"start": "17:00", "end": "08:00"}
    data["demand"]["arrivals"][0]["hours"] = {"start": "12:00", "end": "09:00"}
    problems = _problems(data)
    assert "ends at 08:00, not after its start 17:00" in problems["engineers.0.shift.end"]
    assert "demand.arrivals.0.hours.end" in problems


def test_misspelt_entries_and_bad_values_are_all_listed() -> None:
    data = tiny(timezone="Mars/Olympus", policy={"name": "fastest"})
    data["travel"] = {"speed_kmh": 30, "circuitry": 1.2}
    problems = _problems(data)
    assert problems["travel.circuitry"] == "unknown entry (misspelt?)"
    assert "unknown time zone" in problems["timezone"]
    assert "policy.name" in problems


def test_bad_yaml_file_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_scenario(bad)
    with pytest.raises(ScenarioError, match=r"shipped scenarios: .*storm-surge"):
        load_scenario(tmp_path / "nowhere.yaml")
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump(tiny()), encoding="utf-8")
    assert load_scenario(good).name == "tiny"


def test_response_overrides_change_the_sla_policy() -> None:
    data = tiny()
    data["sla"] = {"response_hours": {"P1": 3}}
    policy = scenario_policy(parse_scenario(data))
    assert policy.priorities["P1"].standard.response.hours == 3
    assert policy.priorities["P1"].vip.response.hours == 1.5
    assert policy.priorities["P2"].standard.response.hours == 4
