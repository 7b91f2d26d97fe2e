"""SLA tracking lists: at risk and breached, with due instants, predictions and margins."""

from __future__ import annotations

import datetime as dt

from tests.api.service_world import MORNING, day_client, report_ticket, runtime_of, world
from tests.conftest import login

__all__ = ["day_client", "world"]


def p1_reported(database, at: dt.datetime) -> int:
    return report_ticket(database, at=at, minutes=60)


def test_an_unplanned_emergency_near_its_due_instant_is_at_risk(day_client, database):
    # Reported 45 min ago: a typical response (90 min) misses the 1-2 h response target.
    ticket_id = p1_reported(database, MORNING - dt.timedelta(minutes=45))
    headers = login(day_client, "dispatcher")

    response = day_client.get("/api/v1/sla/at-risk", headers=headers)

    assert response.status_code == 200, response.text
    items = {i["ticket_id"]: i for i in response.json()["items"]}
    assert ticket_id in items
    mine = items[ticket_id]
    assert mine["target"] == "response"
    assert mine["planned_arrival"] is None
    due = dt.datetime.fromisoformat(mine["due_at"])
    predicted = dt.datetime.fromisoformat(mine["predicted"])
    assert predicted > due > MORNING
    assert mine["margin_minutes"] == round((due - predicted).total_seconds() / 60, 1) < 0
    margins = [i["margin_minutes"] for i in response.json()["items"]]
    assert margins == sorted(margins)
    assert all(i["sla_state"] == "at_risk" for i in response.json()["items"])


def test_a_due_instant_passed_unmet_is_a_breach_and_not_at_risk(day_client, database):
    ticket_id = p1_reported(database, MORNING - dt.timedelta(hours=5))
    headers = login(day_client, "dispatcher")

    breaches = day_client.get("/api/v1/sla/breaches", headers=headers).json()["items"]
    at_risk = day_client.get("/api/v1/sla/at-risk", headers=headers).json()["items"]

    mine = next(i for i in breaches if i["ticket_id"] == ticket_id)
    assert mine["target"] == "response"
    assert mine["margin_minutes"] <= -180  # due 1-2 h after the report, 5 h ago
    assert ticket_id not in {i["ticket_id"] for i in at_risk}
    assert all(i["sla_state"] == "breached" for i in breaches)


def test_lists_follow_the_clock_and_filter_by_region(day_client, database):
    ticket_id = p1_reported(database, MORNING)
    headers = login(day_client, "dispatcher")
    first = day_client.get("/api/v1/sla/breaches", headers=headers).json()["items"]
    assert ticket_id not in {i["ticket_id"] for i in first}

    runtime_of(day_client).clock = lambda: MORNING + dt.timedelta(hours=6)
    later = day_client.get("/api/v1/sla/breaches", headers=headers).json()

    assert ticket_id in {i["ticket_id"] for i in later["items"]}
    assert dt.datetime.fromisoformat(later["as_of"]) == MORNING + dt.timedelta(hours=6)
    region = next(i["region_code"] for i in later["items"] if i["ticket_id"] == ticket_id)
    other = "SH-W" if region == "SH-E" else "SH-E"
    assert ticket_id in {
        i["ticket_id"]
        for i in day_client.get(f"/api/v1/sla/breaches?region={region}", headers=headers).json()[
            "items"
        ]
    }
    assert ticket_id not in {
        i["ticket_id"]
        for i in day_client.get(f"/api/v1/sla/breaches?region={other}", headers=headers).json()[
            "items"
        ]
    }
    unknown = day_client.get("/api/v1/sla/at-risk?region=NOPE", headers=headers)
    assert unknown.status_code == 404 and unknown.json()["field"] == "region"
    naive = day_client.get("/api/v1/sla/breaches?since=2026-11-24T00:00:00", headers=headers)
    assert naive.status_code == 422 and naive.json()["field"] == "since"
    assert (
        day_client.get("/api/v1/sla/at-risk", headers=login(day_client, "engineer")).status_code
        == 403
    )
