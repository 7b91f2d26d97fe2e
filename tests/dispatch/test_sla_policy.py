"""The SLA policy file: shipped defaults, validation errors that help, overriding and binding."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from dispatch.errors import InvalidInput
from dispatch.sla.calendar import calendar_from_json
from dispatch.sla.policy import (
    PACKAGED_POLICY,
    Clock,
    bind_policy,
    load_policy,
    parse_policy,
    session_policy,
)
from tests.dispatch.workflow_world import build_world, new_ticket

T0 = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)


def packaged() -> dict:
    return yaml.safe_load(PACKAGED_POLICY.read_text())


def test_the_shipped_defaults_are_the_domain_rules():
    policy = load_policy()
    p1 = policy.targets_for(priority=1, customer_tier="standard", kind="repair")
    assert (p1.response.hours, p1.response.clock) == (2, Clock.ALWAYS)  # emergencies: 2 h, 24/7
    complaint = policy.targets_for(priority=4, customer_tier="vip", kind="complaint")
    assert (complaint.response.hours, complaint.resolution.hours) == (24, 72)
    assert [(s.after_hours, s.to.value) for s in policy.escalation.ladder] == [
        (24, "regional_manager"),
        (48, "headquarters"),
    ]
    for priority in (1, 2, 3):  # any request: first response within 24 h
        assert (
            policy.targets_for(
                priority=priority, customer_tier="standard", kind="repair"
            ).response.hours
            <= 24
        )
    for priority in (1, 2, 3, 4):  # VIPs never wait longer than standard customers
        std = policy.targets_for(priority=priority, customer_tier="standard", kind="repair")
        vip = policy.targets_for(priority=priority, customer_tier="vip", kind="repair")
        assert vip.response.hours < std.response.hours
        assert vip.resolution.hours < std.resolution.hours
    with pytest.raises(InvalidInput) as bad:
        policy.targets_for(priority=5, customer_tier="standard", kind="repair")
    assert bad.value.field == "priority"


def test_validation_names_the_entry_at_fault():
    data = packaged()
    data["priorities"]["P2"]["vip"]["response"]["hours"] = -1
    with pytest.raises(InvalidInput) as error:
        parse_policy(data, source="mine.yaml")
    assert error.value.field == "priorities.P2.vip.response.hours"
    assert "mine.yaml" in error.value.message and "greater than 0" in error.value.message


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            lambda d: d["priorities"]["P1"]["standard"]["response"].update(clock="weekdays"),
            "priorities.P1.standard.response.clock",
            "24x7",
        ),
        (
            lambda d: d["priorities"]["P1"]["standard"]["resolution"].update(hours=1),
            "priorities.P1.standard",
            "shorter than response",
        ),
        (lambda d: d["escalation"]["ladder"].reverse(), "escalation", "increasing"),
        (lambda d: d["priorities"].pop("P4"), None, "P4"),
        (
            lambda d: d["default_calendar"]["hours"].update(mon=["09:00", "08:00"]),
            "default_calendar.hours",
            "after",
        ),
        (
            lambda d: d["default_calendar"]["hours"].update(funday=["09:00", "17:00"]),
            "default_calendar.hours",
            "funday",
        ),
        (lambda d: d.update(surprise=1), "surprise", "Extra inputs"),
    ],
)
def test_bad_policies_are_refused_helpfully(change, field, words):
    data = packaged()
    change(data)
    with pytest.raises(InvalidInput) as error:
        parse_policy(data)
    if field is not None:
        assert error.value.field == field
    assert words in error.value.message


def test_files_that_are_missing_or_not_yaml(tmp_path: Path):
    with pytest.raises(InvalidInput) as missing:
        load_policy(tmp_path / "nope.yaml")
    assert missing.value.field == "sla_policy_file"
    broken = tmp_path / "broken.yaml"
    broken.write_text("priorities: [unclosed")
    with pytest.raises(InvalidInput) as not_yaml:
        load_policy(broken)
    assert "not valid YAML" in not_yaml.value.message


def test_region_calendars_are_validated():
    default = load_policy().default_calendar
    with pytest.raises(InvalidInput) as bad:
        calendar_from_json({"hours": {"mon": ["08:00", "25:00"]}}, timezone="UTC", default=default)
    assert bad.value.field == "calendar.hours"
    with pytest.raises(InvalidInput) as zone:
        calendar_from_json(None, timezone="Mars/Olympus", default=default)
    assert zone.value.field == "timezone"
    with pytest.raises(InvalidInput) as closed:
        calendar_from_json({"hours": {}}, timezone="UTC", default=default)
    assert "at least one working day" in closed.value.message
    own = calendar_from_json(
        {"hours": {"sat": ["10:00", "14:00"]}, "timezone": "Asia/Shanghai"},
        timezone="UTC",
        default=default,
    )
    assert str(own.zone) == "Asia/Shanghai" and set(own.hours) == {5}


def test_an_overriding_file_bound_to_the_session_is_used(tmp_path: Path, database, settings):
    data = packaged()
    data["priorities"]["P2"]["standard"]["response"] = {"hours": 3, "clock": "24x7"}
    custom = tmp_path / "policy.yaml"
    custom.write_text(yaml.safe_dump(data))
    overridden = settings.model_copy(update={"sla_policy_file": custom})
    policy = load_policy(overridden.sla_policy_file)
    assert load_policy(custom) is policy  # cached until the file changes
    with database.session() as session:
        world = build_world(session)
        assert session_policy(session) == load_policy()  # nothing bound: the shipped one
        bind_policy(session, policy)
        assert session_policy(session) is policy
        ticket = new_ticket(session, world, at=T0, priority=2)
        assert ticket.response_due == T0 + dt.timedelta(hours=3)
    bind_policy(database.sessions, policy)  # every new session of the factory
    with database.session() as session:
        assert session_policy(session) is policy


def test_which_tiers_an_emergency_may_interrupt():
    policy = parse_policy(packaged())
    assert policy.divertible(1) == frozenset({3, 4})
    assert policy.divertible(2) == frozenset()
    data = packaged()
    data["priorities"]["P3"]["divert"] = ["P2"]
    with pytest.raises(InvalidInput, match="P3 may divert only lower tiers, not P2"):
        parse_policy(data)
