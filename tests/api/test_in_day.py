"""In-day planning on one time model: a plan for today starts at the clock, a past day is
refused, a passed appointment follows one rule on every day, and a plan's late counts are
the SLA lists' own judgement."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from dispatch.models import Asset, Site, Ticket
from dispatch.tickets.lifecycle import transition
from dispatch.tickets.records import TicketDraft, create_ticket
from dispatch.tickets.service_windows import WINDOW_PASSED
from tests.api.service_world import (
    DAY,
    ZONE,
    day_client,
    finish_run,
    report_ticket,
    run_plan,
    runtime_of,
    world,
)
from tests.conftest import login

__all__ = ["day_client", "world"]


def at_local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), ZONE)


def set_clock(client, instant: dt.datetime) -> None:
    runtime_of(client).clock = lambda: instant.astimezone(dt.UTC)


def plan_of(client, headers, plan_id: int) -> dict:
    response = client.get(f"/api/v1/plans/{plan_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def visits_of(plan: dict) -> list[dict]:
    return [v for r in plan["routes"] for v in r["visits"]]


def sla_lists_late_counts(client, database, headers, plan: dict) -> dict[str, int]:
    """Per tier, the plan's tickets that /sla/at-risk or /sla/breaches list now."""
    listed: set[int] = set()
    for path in ("/api/v1/sla/at-risk", "/api/v1/sla/breaches"):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, response.text
        listed |= {item["ticket_id"] for item in response.json()["items"]}
    with database.session() as session:
        tiers = dict(session.execute(select(Ticket.id, Ticket.priority)).all())
    counts = {f"P{t}": 0 for t in (1, 2, 3, 4)}
    for ticket_id in {v["ticket_id"] for v in visits_of(plan)} & listed:
        counts[f"P{tiers[ticket_id]}"] += 1
    return counts


def booked_ticket(database, *, priority: int, window: tuple[dt.datetime, dt.datetime]) -> int:
    """A triaged repair at the first asset's site with one appointment window."""
    with database.session() as session:
        asset = session.scalars(select(Asset).order_by(Asset.id)).first()
        site = session.get(Site, asset.site_id)
        ticket = create_ticket(
            session=session,
            draft=TicketDraft(
                customer_id=site.customer_id,
                site_id=site.id,
                asset_id=asset.id,
                kind="preventive_maintenance" if priority > 2 else "repair",
                priority=priority,
                estimated_minutes=30,
                windows=[window],
            ),
            actor=None,
            at=at_local(DAY, 7),
        )
        transition(session=session, ticket=ticket, action="triage", actor=None, at=at_local(DAY, 7))
        session.flush()
        return ticket.id


@pytest.mark.parametrize("hour", [15, 7])
def test_a_plan_for_today_has_no_visit_before_the_run_started(day_client, hour):
    now = at_local(DAY, hour)
    set_clock(day_client, now)
    headers = login(day_client, "dispatcher")

    plan = plan_of(day_client, headers, run_plan(day_client, headers))

    visits = visits_of(plan)
    assert visits, "engineers are on shift until 16:30 at the latest: something is planned"
    early = [
        v for v in visits if not v["pinned"] and dt.datetime.fromisoformat(v["planned_start"]) < now
    ]
    assert early == []
    if hour == 15:
        # nobody starts before 15:00, but the demo shifts start at 07:30 or 08:00
        firsts = [
            dt.datetime.fromisoformat(r["visits"][0]["planned_arrival"])
            for r in plan["routes"]
            if r["visits"]
        ]
        assert min(firsts) >= now


def test_a_past_day_is_refused_and_a_later_day_plans_whole_shifts(day_client):
    set_clock(day_client, at_local(DAY, 15))
    headers = login(day_client, "dispatcher")

    past = day_client.post(
        "/api/v1/optimizations",
        json={"region": "HQ", "date": str(DAY - dt.timedelta(days=1)), "time_budget_seconds": 5},
        headers=headers,
    )
    assert past.status_code == 409, past.text
    assert past.json()["field"] == "date"

    tomorrow = DAY + dt.timedelta(days=1)
    plan_id = run_plan(day_client, headers, day=tomorrow)
    starts = [
        dt.datetime.fromisoformat(v["planned_start"])
        for v in visits_of(plan_of(day_client, headers, plan_id))
    ]
    assert starts and min(starts) < at_local(tomorrow, 12), "tomorrow's morning is planned"


@pytest.mark.parametrize("later_day", [False, True])
def test_a_passed_window_follows_one_rule_today_and_on_later_days(day_client, database, later_day):
    """P1 served late (never OUTSIDE_ALL_SHIFTS while engineers are on shift); P3 not
    planned, with WINDOW_PASSED and a new slot after now."""
    morning = (at_local(DAY, 9), at_local(DAY, 11))
    urgent = booked_ticket(database, priority=1, window=morning)
    routine = booked_ticket(database, priority=3, window=morning)
    now = at_local(DAY, 13)
    set_clock(day_client, now)
    headers = login(day_client, "dispatcher")
    day = DAY + dt.timedelta(days=1) if later_day else DAY

    plan = plan_of(day_client, headers, run_plan(day_client, headers, day=day))

    planned = {v["ticket_id"]: v for v in visits_of(plan)}
    unassigned = {u["ticket_id"]: u for u in plan["unassigned"]}
    assert urgent in planned, unassigned.get(urgent)
    assert dt.datetime.fromisoformat(planned[urgent]["planned_start"]) >= min(now, at_local(day, 0))
    assert routine not in planned
    assert unassigned[routine]["reasons"] == [WINDOW_PASSED]
    slot = unassigned[routine]["suggestion"]
    assert slot["kind"] == "new_slot"
    assert dt.datetime.fromisoformat(slot["start"]) >= now
    assert dt.datetime.fromisoformat(slot["end"]) - dt.datetime.fromisoformat(
        slot["start"]
    ) == dt.timedelta(hours=2)
    assert not any(
        "OUTSIDE_ALL_SHIFTS" in u["reasons"] for u in plan["unassigned"] if u["ticket_id"] == urgent
    )


def test_a_plans_late_counts_agree_with_the_sla_lists(day_client, database):
    """At 15:00 morning emergencies are overdue: the plan's predicted late tickets
    are exactly the planned tickets that /sla/at-risk and /sla/breaches list once the plan
    is published, on the same clock."""
    for hour in (9, 10, 13):  # P1s due two hours later: by 15:00 overdue or nearly
        ticket_id = report_ticket(database, at=at_local(DAY, hour), minutes=30)
        with database.session() as session:
            transition(
                session=session,
                ticket=session.get(Ticket, ticket_id),
                action="triage",
                actor=None,
                at=at_local(DAY, hour),
            )
    now = at_local(DAY, 15)
    set_clock(day_client, now)
    headers = login(day_client, "dispatcher")
    plan_id = run_plan(day_client, headers)
    published = day_client.post(f"/api/v1/plans/{plan_id}/publish", headers=headers)
    assert published.status_code == 200, published.text
    plan = plan_of(day_client, headers, plan_id)
    expected = sla_lists_late_counts(day_client, database, headers, plan)

    assert plan["kpis"]["late_by_tier"] == expected
    assert expected["P1"] >= 1, "an overdue emergency is planned, late"


def test_a_plan_published_at_once_stores_the_sla_lists_late_counts(day_client, database):
    """Dispatch-now publishes its plan at once: the late counts stored with it (read back
    through the API, from a new session) are the SLA lists' judgement too."""
    for hour in (8, 9):  # P1s due two hours later: overdue by noon
        ticket_id = report_ticket(database, at=at_local(DAY, hour), minutes=30)
        with database.session() as session:
            transition(
                session=session,
                ticket=session.get(Ticket, ticket_id),
                action="triage",
                actor=None,
                at=at_local(DAY, hour),
            )
    now = at_local(DAY, 12)
    set_clock(day_client, now)
    headers = login(day_client, "dispatcher")
    first = run_plan(day_client, headers)
    assert day_client.post(f"/api/v1/plans/{first}/publish", headers=headers).status_code == 200
    emergency = report_ticket(database, at=now - dt.timedelta(minutes=5), minutes=30)
    placed = day_client.post(f"/api/v1/tickets/{emergency}/dispatch-now", headers=headers)
    assert placed.status_code == 200, placed.text
    plan = plan_of(day_client, headers, placed.json()["plan_id"])
    expected = sla_lists_late_counts(day_client, database, headers, plan)

    assert plan["kpis"]["late_by_tier"] == expected
    assert expected["P1"] >= 1, "the overdue emergencies are planned, late"


def served_by_tier(plan: dict) -> list[int]:
    counts = [0, 0, 0, 0]
    for visit in visits_of(plan):
        counts[visit["priority"] - 1] += 1
    return counts


@pytest.mark.parametrize("hour", [10, 12])
def test_the_re_plan_after_dispatch_now_keeps_the_day(day_client, database, hour):
    """The follow-up re-optimisation serves at least the published day plus the emergency,
    tier by tier (it starts from that day), with a short budget and few iterations."""
    now = at_local(DAY, hour)
    set_clock(day_client, now)
    headers = login(day_client, "dispatcher")
    first = run_plan(day_client, headers)
    assert day_client.post(f"/api/v1/plans/{first}/publish", headers=headers).status_code == 200
    ticket_id = report_ticket(database, at=now - dt.timedelta(minutes=5), last_asset=True)

    response = day_client.post(f"/api/v1/tickets/{ticket_id}/dispatch-now", headers=headers)
    assert response.status_code == 200, response.text
    emergency_day = plan_of(day_client, headers, response.json()["plan_id"])
    rerun = response.json()["reoptimization_id"]
    finish_run(day_client, headers, rerun)
    replan = plan_of(day_client, headers, rerun)

    assert ticket_id in {v["ticket_id"] for v in visits_of(replan)}
    kept, before = served_by_tier(replan), served_by_tier(emergency_day)
    assert kept >= before, (kept, before)  # lexicographic: P1 first, then P2...
    assert sum(kept) >= sum(before)
    dropped = {v["ticket_id"] for v in visits_of(emergency_day)} - {
        v["ticket_id"] for v in visits_of(replan)
    }
    unassigned = {u["ticket_id"]: u["reasons"] for u in replan["unassigned"]}
    assert all(unassigned.get(t) for t in dropped), "a dropped visit names why"
