"""Issue 15, done when: a generated organisation in Germany, imported through the API and
optimised for a day through the API, respects absences and a VIP's dedicated engineer; a
re-import changes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from dispatch.models import Customer, Engineer, Ticket, Visit
from dispatch.org.users import create_user
from tests.api.service_world import run_plan
from tests.api.test_imports_api import upload
from tests.conftest import login
from tests.org_files import BERLIN, organisation, replace_cell

DAY = dt.date(2026, 11, 24)
"""A Tuesday: everyone's shift is Monday to Friday."""
EVENING_BEFORE = dt.datetime(2026, 11, 23, 20, 0, tzinfo=BERLIN)
NOON = dt.datetime.combine(DAY, dt.time(12), BERLIN)


@pytest.fixture
def berlin_client(settings, database) -> Iterator[TestClient]:
    """An API client whose clock reads the evening before :data:`DAY` in Berlin."""
    app = create_app(settings)
    app.state.runtime.clock = lambda: EVENING_BEFORE.astimezone(dt.UTC)
    with database.session() as session:
        create_user(session=session, username="desk", password="desk-pass-1", role="dispatcher")
    with TestClient(app) as client:
        yield client


def sites_and_regions(data: bytes) -> list[tuple[str, str]]:
    lines = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    return [(line[0], line[-1]) for line in lines[1:]]


def test_imported_german_organisation_is_planned_with_its_absences_and_vip(berlin_client, database):
    files = organisation(engineers=9, sites=36, tickets_day=DAY)
    regions = {site: region for site, region in sites_and_regions(files["sites.csv"])}
    for n in range(36):  # the absent ones would be everybody's first choice in their region
        preferred = {"MUC": "E00001", "HAM": "E00002"}.get(regions[f"S{n:06d}"])
        if preferred:  # ticket n is at site n (line n + 2)
            files["tickets.csv"] = replace_cell(
                files["tickets.csv"], n + 2, "preferred_engineer", preferred
            )
    headers = login(berlin_client, "desk", "desk-pass-1")
    report = upload(berlin_client, headers, files).json()
    assert report["committed"] is True and report["errors"] == []
    assert report["created"]["regions"] == 4 and report["created"]["tickets"] == 36

    with database.session() as session:
        imported = list(session.scalars(select(Ticket.id)))
    for ticket_id in imported:  # the desk triages each request (remote diagnosis first)
        triaged = berlin_client.post(
            f"/api/v1/tickets/{ticket_id}/transitions",
            json={"action": "triage", "reason": "needs a visit"},
            headers=headers,
        )
        assert triaged.status_code == 200, triaged.text
    plan_id = run_plan(berlin_client, headers, region="DE", day=DAY)

    with database.session() as session:
        codes = {e.id: e.code for e in session.scalars(select(Engineer))}
        visits = list(session.scalars(select(Visit).where(Visit.plan_id == plan_id)))
        vip = session.scalar(select(Customer).where(Customer.tier == "vip"))
        assert vip is not None and vip.dedicated_engineer_id is not None
        vip_tickets = set(session.scalars(select(Ticket.id).where(Ticket.customer_id == vip.id)))
    by_engineer: dict[str, list[Visit]] = {}
    for visit in visits:
        by_engineer.setdefault(codes[visit.engineer_id], []).append(visit)
    assert len(visits) >= 30, "the day is mostly planned"
    assert "E00001" not in by_engineer, "absent all day (sick): no visits"
    assert by_engineer.get("E00002"), "absent from 12:00 only: works (preferred) the morning"
    assert all(v.planned_end <= NOON for v in by_engineer["E00002"]), "nothing after 12:00"
    vip_visits = [v for v in visits if v.ticket_id in vip_tickets]
    assert len(vip_visits) == len(vip_tickets) == 1, "the VIP's one ticket is planned"
    assert {codes[v.engineer_id] for v in vip_visits} == {codes[vip.dedicated_engineer_id]}

    again = upload(berlin_client, headers, files).json()
    assert again["committed"] is True and again["errors"] == []
    assert set(again["created"].values()) == {0} and set(again["updated"].values()) == {0}
