"""The simulation runs the real dispatch code and is reproducible."""

from __future__ import annotations

from sqlalchemy import func, select

from dispatch.infra.db import make_engine, make_session_factory
from dispatch.models import Plan, PlanStatus, SiteVisit, Ticket, TicketEvent, TicketStatus
from scenarios.demand import requests
from scenarios.load import parse_scenario
from scenarios.metrics import METRICS
from scenarios.sim import Simulation, simulate
from scenarios.world import SiteRef
from tests.scenarios.tiny import tiny

SCENARIO = parse_scenario(tiny())


def test_same_scenario_and_seed_give_identical_results() -> None:
    first = simulate(SCENARIO, "batch+insert", 3)
    second = simulate(SCENARIO, None, 3)  # the scenario's own policy: batch+insert
    assert second.policy == "batch+insert"
    assert first.metrics == second.metrics
    assert first.response_minutes == second.response_minutes
    assert first.plans == second.plans
    assert set(first.metrics) == set(METRICS)
    assert first.tickets > 5


def test_demand_depends_on_the_seed_not_on_the_policy() -> None:
    sites = tuple(SiteRef(i, i, i < 2, 31.23 + i / 1000, 121.47) for i in range(10))
    a, b = requests(SCENARIO, 1, sites), requests(SCENARIO, 1, sites)
    c = requests(SCENARIO, 2, sites)
    assert a == b
    assert [(r.at, r.tier) for r in a] != [(r.at, r.tier) for r in c]
    assert [r.at for r in a] == sorted(r.at for r in a)
    assert sum(1 for r in a if r.at == 0.0) == 3  # the backlog waits at the start


def test_a_run_drives_the_ticket_life_cycle_and_publishes_plans(database_url: str) -> None:
    result = Simulation(SCENARIO, "batch+insert", 4, database_url=database_url).run()
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            statuses = dict(
                session.execute(select(Ticket.status, func.count()).group_by(Ticket.status)).all()
            )
            actions = {
                e.after["action"]
                for e in session.scalars(
                    select(TicketEvent).where(TicketEvent.kind == "transition")
                )
            }
            published = session.scalars(
                select(Plan).where(Plan.status == PlanStatus.PUBLISHED.value)
            ).all()
            sources = {p.options["policy"] for p in session.scalars(select(Plan))}
            visits = session.scalars(select(SiteVisit)).all()
            responded = session.scalars(
                select(Ticket).where(Ticket.responded_at.is_not(None))
            ).all()
    finally:
        engine.dispose()
    assert statuses.get(TicketStatus.CLOSED.value, 0) >= result.metrics["tickets_served"] - 1
    assert {
        "triage",
        "schedule",
        "dispatch",
        "start_travel",
        "arrive",
        "complete",
        "close",
    } <= actions
    assert len(published) == 1  # one plan per day in force, the others superseded
    assert {"batch+insert", "insert"} <= sources
    assert visits and all(
        v.checked_out_at is None or v.checked_out_at >= v.checked_in_at for v in visits
    )
    assert all(t.responded_at >= t.reported_at for t in responded)
    measured = sum(len(v) for v in result.response_minutes.values())
    arrived = [t for t in responded if t.reported_at >= SCENARIO.origin()]
    assert measured == len(arrived) < len(responded)  # the backlog is not in response times


def test_policies_differ_on_the_same_demand() -> None:
    greedy = simulate(SCENARIO, "greedy", 3)
    batch = simulate(SCENARIO, "batch", 3)
    assert greedy.tickets == batch.tickets  # the same requests
    assert greedy.plans > batch.plans  # greedy re-plans at every request
    assert greedy.metrics != batch.metrics


def _disrupted(**disruptions: object) -> dict:
    data = tiny()
    data["disruptions"] = {**data["disruptions"], **disruptions}
    return data


def test_no_access_and_missing_parts_lead_to_holds_and_follow_up_visits(database_url: str) -> None:
    scenario = parse_scenario(
        _disrupted(
            no_access_probability=0.3,
            parts_shortage_probability=0.5,
            no_access_retry_hours=0.25,
            parts_lead_hours=0.25,
        )
    )
    Simulation(scenario, "greedy", 6, database_url=database_url).run()
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            outcomes = dict(
                session.execute(
                    select(SiteVisit.outcome, func.count()).group_by(SiteVisit.outcome)
                ).all()
            )
            second_visits = session.scalars(
                select(SiteVisit).where(SiteVisit.visit_number == 2)
            ).all()
            actions = [
                e.after["action"]
                for e in session.scalars(
                    select(TicketEvent).where(TicketEvent.kind == "transition")
                )
            ]
    finally:
        engine.dispose()
    assert outcomes.get("no_access", 0) > 0 and outcomes.get("needs_follow_up", 0) > 0
    assert actions.count("need_follow_up") == outcomes["no_access"] + outcomes["needs_follow_up"]
    assert actions.count("hold_customer") == outcomes["no_access"]
    assert actions.count("hold_parts") == outcomes["needs_follow_up"]
    assert actions.count("resume") > 0 and second_visits  # the holds end; engineers return


def test_when_every_engineer_is_sick_nobody_is_visited() -> None:
    data = _disrupted(sick={"probability": 1.0})
    data["demand"]["remote_share"] = 0.0  # else some are fixed over the phone
    result = simulate(parse_scenario(data), "batch+insert", 3)
    assert result.metrics["p1_response_compliance"] == 0.0
    assert result.metrics["utilisation"] is None  # no shift was worked
    assert result.metrics["travel_min_per_job"] is None


def test_engineers_check_in_and_out_through_the_phone_service(database_url: str) -> None:
    from dispatch.models import OutboxEvent, User

    Simulation(SCENARIO, "greedy", 4, database_url=database_url).run()
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            visits = session.scalars(select(SiteVisit)).all()
            announced = [
                e.kind
                for e in session.scalars(
                    select(OutboxEvent).where(OutboxEvent.kind.like("engineer.checked_%"))
                )
            ]
            accounts = {
                u.engineer_id: u.role
                for u in session.scalars(select(User).where(User.engineer_id.is_not(None)))
            }
    finally:
        engine.dispose()
    assert visits
    assert announced.count("engineer.checked_in") == len(visits)
    assert announced.count("engineer.checked_out") == sum(
        1 for v in visits if v.checked_out_at is not None
    )
    assert all(accounts.get(v.engineer_id) == "engineer" for v in visits)
    assert not any(v.flagged for v in visits)
