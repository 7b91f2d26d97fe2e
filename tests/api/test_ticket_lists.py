"""The lists a dispatcher works from: tickets by period, customer, engineer, SLA state and
free text, sorted on whitelisted fields and paged; the SLA lists paged."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from dispatch.demo.org import load_demo
from dispatch.models import Customer, Engineer, Ticket
from tests.conftest import login

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)  # a Tuesday morning


@pytest.fixture
def desk(client, database):
    """The demo seen at :data:`NOW` (40 tickets), the API's clock there, a dispatcher."""
    with database.session() as session:
        load_demo(session=session, seed=5, engineers=6, tickets=40, now=NOW)
    client.app.state.runtime.clock = lambda: NOW
    return login(client, "dispatcher")


def _all(client, headers, query: str) -> list[dict]:
    response = client.get(f"/api/v1/tickets?limit=500&{query}", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"])
    return body["items"]


def _tickets(database) -> list[Ticket]:
    with database.session() as session:
        tickets = session.scalars(select(Ticket)).all()
        for t in tickets:
            _ = t.customer.code
        session.expunge_all()
        return list(tickets)


def test_sorted_by_the_fields_asked_for_and_only_those(client, desk):
    items = _all(client, desk, "sort=priority,-reported_at")
    keys = [(t["priority"], t["reported_at"]) for t in items]
    assert keys == sorted(keys, key=lambda k: (k[0], -dt.datetime.fromisoformat(k[1]).timestamp()))
    newest = _all(client, desk, "sort=-reported_at")
    assert [t["reported_at"] for t in newest] == sorted(
        (t["reported_at"] for t in items), reverse=True
    )
    for bad in ("bogus", "priority,-priority", "symptoms"):
        response = client.get(f"/api/v1/tickets?sort={bad}", headers=desk)
        assert response.status_code == 422 and response.json()["field"] == "sort", bad


def test_filtered_by_customer_text_and_reported_day(client, desk, database):
    tickets = _tickets(database)
    code = tickets[0].customer.code
    mine = _all(client, desk, f"customer={code}")
    assert {t["id"] for t in mine} == {t.id for t in tickets if t.customer.code == code}
    unknown = client.get("/api/v1/tickets?customer=NOPE", headers=desk)
    assert unknown.status_code == 404 and unknown.json()["field"] == "customer"

    number = tickets[3].number
    assert [t["id"] for t in _all(client, desk, f"q={number}")] == [tickets[3].id]
    trapped = _all(client, desk, "q=TRAPPED")  # case-insensitive, anywhere in the symptoms
    assert {t["id"] for t in trapped} == {t.id for t in tickets if "trapped" in t.symptoms}

    def reported_day(t: Ticket) -> dt.date:
        return t.reported_at.astimezone(SHANGHAI).date()

    today = NOW.date()
    on_today = _all(client, desk, f"from={today}&to={today}")
    assert {t["id"] for t in on_today} == {t.id for t in tickets if reported_day(t) == today}
    before = _all(client, desk, f"to={today - dt.timedelta(days=1)}")
    assert {t["id"] for t in before} == {t.id for t in tickets if reported_day(t) < today}
    assert on_today and before  # the demo's planned work was reported days ahead
    backwards = client.get(f"/api/v1/tickets?from={today}&to=2026-11-01", headers=desk)
    assert backwards.status_code == 422 and backwards.json()["field"] == "to"


def test_filtered_by_engineer_and_sla_state(client, desk, database):
    with database.session() as session:
        engineer = session.scalars(select(Engineer).order_by(Engineer.code)).first()
        code, engineer_id = engineer.code, engineer.id
        assert session.scalar(select(Customer.id)) is not None
    assert _all(client, desk, f"engineer={code}") == []
    triaged = _all(client, desk, "status=triaged&sort=id")[:2]
    for ticket in triaged:
        response = client.post(
            f"/api/v1/tickets/{ticket['id']}/transitions",
            json={"action": "dispatch", "engineer_id": engineer_id},
            headers=desk,
        )
        assert response.status_code == 200, response.text
    assigned = _all(client, desk, f"engineer={code}&sort=id")
    assert [t["id"] for t in assigned] == [t["id"] for t in triaged]
    unknown = client.get("/api/v1/tickets?engineer=E999", headers=desk)
    assert unknown.status_code == 404 and unknown.json()["field"] == "engineer"
    ok = _all(client, desk, "sla_state=ok")
    assert ok and all(t["sla_state"] == "ok" for t in ok)


def test_pages_cover_the_list_once(client, desk):
    everything = _all(client, desk, "sort=number")
    pages = [
        client.get(f"/api/v1/tickets?sort=number&limit=7&offset={o}", headers=desk).json()
        for o in range(0, len(everything), 7)
    ]
    assert all(p["total"] == len(everything) for p in pages)
    assert [t["id"] for p in pages for t in p["items"]] == [t["id"] for t in everything]


@pytest.mark.parametrize(
    ("path", "later"),
    [
        ("/api/v1/sla/at-risk", dt.timedelta(hours=1)),  # urgent requests nearing their due
        ("/api/v1/sla/breaches", dt.timedelta(days=2)),  # every open request past its due
    ],
)
def test_sla_lists_are_paged(client, desk, path, later):
    client.app.state.runtime.clock = lambda: NOW + later
    whole = client.get(f"{path}?limit=500", headers=desk).json()
    assert whole["total"] == len(whole["items"]) >= 4
    first = client.get(f"{path}?limit=2", headers=desk).json()
    second = client.get(f"{path}?limit=2&offset=2", headers=desk).json()
    assert first["total"] == second["total"] == whole["total"]
    assert (first["limit"], second["offset"]) == (2, 2)
    ids = [i["ticket_id"] for i in first["items"] + second["items"]]
    assert ids == [i["ticket_id"] for i in whole["items"][:4]]
    assert client.get(f"{path}?limit=0", headers=desk).status_code == 422
