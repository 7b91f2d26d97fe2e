"""The tickets API: create, list, read, transitions (409/403), survey, personal data by role."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from dispatch.models import Asset, Customer, Engineer, Site, Ticket, TicketEvent
from dispatch.org.users import create_user
from tests.conftest import login


@pytest.fixture
def place(database, demo):
    """A customer, one of its sites with an asset, and the ids of the first two engineers."""
    with database.session() as session:
        asset = session.scalars(select(Asset).order_by(Asset.id)).first()
        site = session.get(Site, asset.site_id)
        other_site = session.scalar(
            select(Site).where(Site.customer_id != site.customer_id).order_by(Site.id)
        )
        engineers = session.scalars(select(Engineer).order_by(Engineer.code)).all()
        create_user(
            session=session,
            username="engineer2",
            password="engineer2-pw",
            role="engineer",
            engineer_code=engineers[1].code,
        )
        return {
            "customer_id": site.customer_id,
            "site_id": site.id,
            "asset_id": asset.id,
            "skill": asset.equipment_type,
            "other_site_id": other_site.id,
            "e1": engineers[0].id,
            "e2": engineers[1].id,
            "contact": session.get(Customer, site.customer_id).contact_phone,
        }


def body(place, **changes):
    return {
        "customer_id": place["customer_id"],
        "site_id": place["site_id"],
        "asset_id": place["asset_id"],
        "kind": "repair",
        "priority": 1,
        "estimated_minutes": 60,
        "symptoms": "trapped",
        "fault_codes": ["E42"],
    } | changes


def count_tickets(database):
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(Ticket))


def act(client, headers, ticket_id, action, **extra):
    return client.post(
        f"/api/v1/tickets/{ticket_id}/transitions",
        headers=headers,
        json={"action": action, **extra},
    )


def test_create_numbers_and_computes_due_instants(client, place):
    headers = login(client, "dispatcher")
    response = client.post("/api/v1/tickets", headers=headers, json=body(place))
    assert response.status_code == 201, response.text
    ticket = response.json()
    assert re.fullmatch(r"[A-Z0-9]+-REP-\d{8}-\d{4}", ticket["number"])
    assert ticket["status"] == "new" and ticket["sla_state"] == "ok"
    assert ticket["response_due"] and ticket["resolution_due"]
    assert ticket["required_skill"] == place["skill"]
    assert [(e["kind"], e["actor"]) for e in ticket["events"]] == [("created", "dispatcher")]
    assert ticket["allowed_actions"][0] == "triage"
    assert ticket["customer"]["contact_phone"] == place["contact"]
    assert ticket["visit_number"] == 1 and ticket["sla_paused"] is False


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"priority": 5}, 422, "priority"),
        ({"kind": "magic"}, 422, "kind"),
        ({"estimated_minutes": 0}, 422, "estimated_minutes"),
        (
            {"windows": [{"start": "{day}T12:00:00+08:00", "end": "{day}T11:00:00+08:00"}]},
            422,
            "windows.0.end",
        ),
        (
            {"windows": [{"start": "{day}T12:00:00", "end": "{day}T13:00:00+08:00"}]},
            422,
            "windows.0.start",
        ),
        ({"required_skill": "underwater_welding"}, 422, "required_skill"),
        ({"customer_id": 99999}, 404, "customer_id"),
        ({"surprise": 1}, 422, "surprise"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(client, database, place, changes, status, field):
    """``{day}`` in a window stands for tomorrow (windows must lie within a year of today)."""
    tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).date().isoformat()
    if "windows" in changes:
        changes = {
            "windows": [
                {k: v.replace("{day}", tomorrow) for k, v in w.items()} for w in changes["windows"]
            ]
        }
    headers = login(client, "dispatcher")
    before = count_tickets(database)
    response = client.post("/api/v1/tickets", headers=headers, json=body(place, **changes))
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["field"] == field
    assert count_tickets(database) == before  # nothing stored


def test_site_of_another_customer_and_engineers_may_not_create(client, database, place):
    headers = login(client, "dispatcher")
    response = client.post(
        "/api/v1/tickets",
        headers=headers,
        json=body(place, site_id=place["other_site_id"], asset_id=None),
    )
    assert response.status_code == 422 and response.json()["field"] == "site_id"
    engineer = login(client, "engineer")
    assert client.post("/api/v1/tickets", headers=engineer, json=body(place)).status_code == 403


def test_list_filters_and_pages(client, demo):
    headers = login(client, "dispatcher")  # engineers see only their own: test_ticket_access
    everything = client.get("/api/v1/tickets?limit=500", headers=headers).json()
    assert everything["total"] == 30
    priorities = [t["priority"] for t in everything["items"]]
    assert priorities == sorted(priorities)  # most urgent first
    triaged = client.get("/api/v1/tickets?status=triaged&limit=500", headers=headers).json()
    assert triaged["total"] and all(t["status"] == "triaged" for t in triaged["items"])
    new = client.get("/api/v1/tickets?status=new", headers=headers).json()
    assert new["total"] + triaged["total"] == 30
    tier1 = client.get("/api/v1/tickets?tier=1", headers=headers).json()
    assert all(t["priority"] == 1 for t in tier1["items"])
    east = client.get("/api/v1/tickets?region=SH-E", headers=headers).json()
    west = client.get("/api/v1/tickets?region=SH-W", headers=headers).json()
    assert east["total"] + west["total"] == 30
    assert all(t["region_code"] == "SH-E" for t in east["items"])
    assert client.get("/api/v1/tickets?region=HQ", headers=headers).json()["total"] == 30
    ok = client.get("/api/v1/tickets?sla_state=ok", headers=headers).json()
    assert ok["total"] == 30
    page = client.get("/api/v1/tickets?limit=7&offset=28", headers=headers).json()
    assert (page["total"], len(page["items"])) == (30, 2)
    bad = client.get("/api/v1/tickets?status=lost", headers=headers)
    assert bad.status_code == 422 and bad.json()["field"] == "status"
    assert client.get("/api/v1/tickets?tier=0", headers=headers).json()["field"] == "tier"
    assert client.get("/api/v1/tickets?region=XX", headers=headers).status_code == 404
    assert client.get("/api/v1/tickets").status_code == 401


def test_the_whole_life_through_the_api_and_personal_data_by_role(client, place):
    dispatcher = login(client, "dispatcher")
    engineer = login(client, "engineer")
    ticket = client.post("/api/v1/tickets", headers=dispatcher, json=body(place)).json()
    tid = ticket["id"]
    unseen = client.get(f"/api/v1/tickets/{tid}", headers=engineer)
    assert unseen.status_code == 404  # not the engineer's ticket (yet): not even its existence
    triaged = act(client, dispatcher, tid, "triage", reason="call taken").json()
    assert triaged["owner"]["username"] == "dispatcher" and triaged["status"] == "triaged"
    dispatched = act(client, dispatcher, tid, "dispatch", engineer_id=place["e1"]).json()
    assert dispatched["assigned_engineer_id"] == place["e1"]
    mine = client.get(f"/api/v1/tickets/{tid}", headers=engineer).json()
    assert mine["customer"]["contact_phone"] == place["contact"]  # now it is
    assert mine["allowed_actions"] == ["start_travel", "arrive"]
    other = login(client, "engineer2", "engineer2-pw")
    refused = act(client, other, tid, "start_travel")
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    for action in ("start_travel", "arrive"):
        assert act(client, engineer, tid, action).status_code == 200
    follow_up = act(
        client, engineer, tid, "need_follow_up", parts=["door motor"], reason="motor burnt"
    ).json()
    assert follow_up["status"] == "needs_follow_up" and follow_up["visit_number"] == 2
    held = act(client, dispatcher, tid, "hold_parts").json()
    assert held["sla_paused"] is True
    assert act(client, dispatcher, tid, "resume").json()["status"] == "needs_follow_up"
    act(client, dispatcher, tid, "dispatch", engineer_id=place["e1"])
    act(client, engineer, tid, "arrive")
    done = act(client, engineer, tid, "complete").json()
    assert done["resolved_at"] and done["sla_state"] == "met"
    early = client.post(f"/api/v1/tickets/{tid}/survey", headers=dispatcher, json={"score": 5})
    assert early.status_code == 409
    act(client, dispatcher, tid, "request_acceptance")
    closed = act(client, dispatcher, tid, "close", reason="signed").json()
    assert closed["status"] == "closed" and closed["allowed_actions"] == ["reopen"]
    assert [e["action"] for e in closed["events"] if e["kind"] == "transition"] == [
        "triage",
        "dispatch",
        "start_travel",
        "arrive",
        "need_follow_up",
        "hold_parts",
        "resume",
        "dispatch",
        "arrive",
        "complete",
        "request_acceptance",
        "close",
    ]
    out_of_range = client.post(
        f"/api/v1/tickets/{tid}/survey", headers=dispatcher, json={"score": 6}
    )
    assert out_of_range.status_code == 422 and out_of_range.json()["field"] == "score"
    assert (
        client.post(
            f"/api/v1/tickets/{tid}/survey", headers=engineer, json={"score": 5}
        ).status_code
        == 403
    )
    survey = client.post(
        f"/api/v1/tickets/{tid}/survey", headers=dispatcher, json={"score": 5, "comment": "great"}
    )
    assert survey.status_code == 201 and survey.json()["score"] == 5
    again = client.post(f"/api/v1/tickets/{tid}/survey", headers=dispatcher, json={"score": 1})
    assert again.status_code == 409
    assert client.get(f"/api/v1/tickets/{tid}", headers=dispatcher).json()["survey"]["score"] == 5


def test_refused_transitions_are_409_or_403_and_change_nothing(client, database, place):
    dispatcher = login(client, "dispatcher")
    engineer = login(client, "engineer")
    tid = client.post("/api/v1/tickets", headers=dispatcher, json=body(place)).json()["id"]
    before = client.get(f"/api/v1/tickets/{tid}", headers=dispatcher).json()
    not_now = act(client, dispatcher, tid, "close")
    assert not_now.status_code == 409
    problem = not_now.json()
    assert problem["code"] == "transition_not_allowed" and problem["field"] == "action"
    assert problem["status"] == 409 and problem["ticket_status"] == "new"
    assert problem["allowed"] == before["allowed_actions"]
    hidden = act(client, engineer, tid, "triage")  # not the engineer's ticket: not found
    assert hidden.status_code == 404
    wrong_role = act(client, dispatcher, tid, "arrive")  # a field step
    assert wrong_role.status_code == 403 and wrong_role.json()["code"] == "permission_denied"
    unknown = act(client, dispatcher, tid, "teleport")
    assert unknown.status_code == 422 and unknown.json()["field"] == "action"
    bad_owner = act(client, dispatcher, tid, "handover", new_owner_id=999999)
    assert bad_owner.status_code == 422 and bad_owner.json()["field"] == "new_owner_id"
    extra = client.post(
        f"/api/v1/tickets/{tid}/transitions",
        headers=dispatcher,
        json={"action": "triage", "colour": "red"},
    )
    assert extra.status_code == 422 and extra.json()["field"] == "colour"
    after = client.get(f"/api/v1/tickets/{tid}", headers=dispatcher).json()
    assert (after["status"], after["owner"], after["events"]) == (
        before["status"],
        before["owner"],
        before["events"],
    )
    with database.session() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(TicketEvent).where(TicketEvent.ticket_id == tid)
            )
            == 1
        )
    assert client.get("/api/v1/tickets/999999", headers=dispatcher).status_code == 404
    assert act(client, dispatcher, 999999, "triage").status_code == 404


def test_openapi_documents_the_examples(client):
    schema = client.get("/openapi.json").json()
    create = schema["components"]["schemas"]["TicketCreate"]
    assert create["examples"][0]["kind"] == "repair"
    assert "/api/v1/tickets/{ticket_id}/transitions" in schema["paths"]
    assert "/api/v1/kpis" in schema["paths"]
