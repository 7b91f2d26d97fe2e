"""GET /plans/{id}: routes paged by engineer, and a fixed number of queries however many
visits the plan has (no query per visit)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, select

from dispatch.models import TicketEvent
from tests.api.service_world import day_client, run_plan, runtime_of, world
from tests.conftest import login

__all__ = ["day_client", "world"]


@contextmanager
def counted_queries(client) -> Iterator[list[str]]:
    engine = runtime_of(client).database.engine
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_routes_are_paged_by_engineer_code(day_client):
    headers = login(day_client, "dispatcher")
    plan_id = run_plan(day_client, headers)
    whole = day_client.get(f"/api/v1/plans/{plan_id}", headers=headers).json()
    codes = [r["engineer_code"] for r in whole["routes"]]
    assert codes == sorted(codes) and whole["routes_total"] == len(codes) >= 3

    first = day_client.get(
        f"/api/v1/plans/{plan_id}", params={"route_limit": 2}, headers=headers
    ).json()
    rest = day_client.get(
        f"/api/v1/plans/{plan_id}", params={"route_offset": 2}, headers=headers
    ).json()
    one = day_client.get(
        f"/api/v1/plans/{plan_id}", params={"engineer": codes[-1]}, headers=headers
    ).json()
    unknown = day_client.get(
        f"/api/v1/plans/{plan_id}", params={"engineer": "NOBODY"}, headers=headers
    )

    assert [r["engineer_code"] for r in first["routes"] + rest["routes"]] == codes
    assert first["routes_total"] == rest["routes_total"] == len(codes)
    assert one["routes"] == whole["routes"][-1:]
    assert first["unassigned"] == whole["unassigned"] and first["kpis"] == whole["kpis"]
    assert unknown.status_code == 404 and unknown.json()["field"] == "engineer"


def test_reading_a_plan_takes_a_fixed_number_of_queries(day_client):
    headers = login(day_client, "dispatcher")
    plan_id = run_plan(day_client, headers)
    with counted_queries(day_client) as statements:
        plan = day_client.get(f"/api/v1/plans/{plan_id}", headers=headers).json()
    visits = sum(len(r["visits"]) for r in plan["routes"])
    sites = [s for s in statements if "FROM sites" in s]
    assert visits >= 5
    assert len(sites) <= 1, f"{len(sites)} site queries for {visits} visits"
    assert len(statements) < 20, statements


def test_publishing_locks_and_records_in_bulk(day_client, database):
    """No statement per ticket: the tickets are locked in one statement and their events
    numbered without asking the database for each (the history stays gap-free)."""
    headers = login(day_client, "dispatcher")
    plan_id = run_plan(day_client, headers)
    with counted_queries(day_client) as statements:
        published = day_client.post(f"/api/v1/plans/{plan_id}/publish", headers=headers)
    assert published.status_code == 200, published.text
    visits = sum(len(r["visits"]) for r in published.json()["routes"])
    numbering = [s for s in statements if "max(ticket_events.seq)" in s.lower()]
    updates = [s for s in statements if s.lstrip().upper().startswith("UPDATE TICKETS")]
    assert visits >= 5
    assert len(numbering) <= 1, f"{len(numbering)} event-number queries for {visits} visits"
    assert len(updates) < visits, f"{len(updates)} ticket updates for {visits} visits"
    with database.session() as session:
        seqs = session.execute(
            select(TicketEvent.ticket_id, TicketEvent.seq).order_by(
                TicketEvent.ticket_id, TicketEvent.seq
            )
        ).all()
    by_ticket: dict[int, list[int]] = {}
    for ticket_id, seq in seqs:
        by_ticket.setdefault(ticket_id, []).append(seq)
    assert all(s == list(range(1, len(s) + 1)) for s in by_ticket.values())
