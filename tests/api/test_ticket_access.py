"""Engineers see only the tickets assigned to them, on every ticket route."""

from __future__ import annotations

from sqlalchemy import func, select

from dispatch.models import Ticket
from tests.api.service_world import day_client, engineer_login, run_plan, world
from tests.conftest import login

__all__ = ["day_client", "world"]

MISSING = 999_999
"""A ticket id that does not exist."""

BODIES: dict[tuple[str, str], object] = {
    ("POST", "/api/v1/tickets/{ticket_id}/transitions"): {"action": "start_travel"},
    ("POST", "/api/v1/tickets/{ticket_id}/survey"): {"score": 5},
}
"""A well-formed body per route that takes one (a new route taking a body needs one here:
without it the route answers 422 and the test below fails, so it cannot be forgotten)."""


def published_day(client, database):
    """Publish a plan: (the engineer of the longest route, their tickets, tickets planned
    for other engineers)."""
    headers = login(client, "dispatcher")
    plan_id = run_plan(client, headers)
    plan = client.post(f"/api/v1/plans/{plan_id}/publish", headers=headers).json()
    routes = sorted(plan["routes"], key=lambda r: -len(r["visits"]))
    mine = {v["ticket_id"] for v in routes[0]["visits"]}
    others = {v["ticket_id"] for r in routes[1:] for v in r["visits"]}
    return routes[0]["engineer_id"], mine, others


def ticket_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every operation under /api/v1/tickets (from the app's OpenAPI)."""
    return sorted(
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/v1/tickets")
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    )


def call(client, method, path, ticket_id, headers):
    url = path.replace("{ticket_id}", str(ticket_id))
    body = BODIES.get((method, path))
    return client.request(method, url, headers=headers, json=body if body is not None else None)


def test_every_ticket_route_hides_other_engineers_tickets(day_client, database):
    engineer_id, mine, others = published_day(day_client, database)
    phone = engineer_login(day_client, database, engineer_id)
    foreign = min(others)
    with database.session() as session:
        number = session.get(Ticket, foreign).number

    routes = ticket_routes(day_client.app)
    assert ("GET", "/api/v1/tickets/{ticket_id}") in routes and len(routes) >= 5
    for method, path in routes:
        if "{ticket_id}" not in path:
            continue
        theirs = call(day_client, method, path, foreign, phone)
        missing = call(day_client, method, path, MISSING, phone)
        where = f"{method} {path}"
        # the same answer as for a ticket that does not exist: existence is not revealed
        assert theirs.status_code in {403, 404}, (where, theirs.status_code, theirs.text)
        assert theirs.status_code == missing.status_code, where
        assert theirs.headers["content-type"].startswith("application/problem+json"), where
        assert number not in theirs.text, where
        if method == "GET":
            assert theirs.status_code == 404, where
    with database.session() as session:  # nothing the engineer sent changed the ticket
        assert session.get(Ticket, foreign).status == "scheduled"

    own = day_client.get(f"/api/v1/tickets/{min(mine)}", headers=phone)
    assert own.status_code == 200 and own.json()["assigned_engineer_id"] == engineer_id
    assert own.json()["customer"]["contact_phone"] is not None  # theirs: with the contact
    dispatcher = login(day_client, "dispatcher")
    assert day_client.get(f"/api/v1/tickets/{foreign}", headers=dispatcher).status_code == 200


def test_an_engineers_list_holds_exactly_their_tickets(day_client, database):
    engineer_id, mine, _ = published_day(day_client, database)
    phone = engineer_login(day_client, database, engineer_id)

    listed = day_client.get("/api/v1/tickets?limit=500", headers=phone).json()

    assert {t["id"] for t in listed["items"]} == mine and listed["total"] == len(mine)
    paged = day_client.get("/api/v1/tickets?limit=1&offset=0", headers=phone).json()
    assert paged["total"] == len(mine) and len(paged["items"]) == 1
    for query in ("status=scheduled", "region=HQ", "tier=1", "sla_state=ok"):
        filtered = day_client.get(f"/api/v1/tickets?{query}&limit=500", headers=phone).json()
        assert {t["id"] for t in filtered["items"]} <= mine, query
    dispatcher = login(day_client, "dispatcher")
    with database.session() as session:
        count = session.scalar(select(func.count()).select_from(Ticket))
    assert day_client.get("/api/v1/tickets?limit=500", headers=dispatcher).json()["total"] == count


def test_each_engineer_lists_their_own_route_and_none_of_the_others(day_client, database):
    headers = login(day_client, "dispatcher")
    plan_id = run_plan(day_client, headers)
    plan = day_client.post(f"/api/v1/plans/{plan_id}/publish", headers=headers).json()
    routes = {r["engineer_id"]: {v["ticket_id"] for v in r["visits"]} for r in plan["routes"]}
    assert len(routes) >= 2

    for engineer_id, tickets in routes.items():
        phone = engineer_login(day_client, database, engineer_id)
        listed = day_client.get("/api/v1/tickets?limit=500", headers=phone).json()
        assert {t["id"] for t in listed["items"]} == tickets, engineer_id
