"""The KPI API: a fixed past day built through the services, read back per region and period."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from dispatch.models import Asset, Customer, Region, Site, User
from dispatch.tickets.lifecycle import transition
from dispatch.tickets.records import TicketDraft, create_ticket
from dispatch.tickets.surveys import record_survey
from tests.conftest import login

# 10 March 2025 in Shanghai (UTC+8): long before the demo's day
MORNING = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def minutes(n: int) -> dt.datetime:
    return MORNING + dt.timedelta(minutes=n)


@pytest.fixture
def day_in_the_east(database, demo):
    """Two SH-E repairs on 10 March 2025: one fixed in 40 min and surveyed 5, one complaint."""
    with database.session() as session:
        east = session.scalar(select(Region).where(Region.code == "SH-E"))
        site = session.scalar(select(Site).where(Site.region_id == east.id).order_by(Site.id))
        asset = session.scalar(select(Asset).where(Asset.site_id == site.id))
        customer = session.get(Customer, site.customer_id)
        dispatcher = session.scalar(select(User).where(User.username == "dispatcher"))
        engineer = session.scalar(select(User).where(User.username == "engineer"))

        def ticket(kind, at):
            return create_ticket(
                session=session,
                actor=dispatcher,
                at=at,
                draft=TicketDraft(
                    customer_id=customer.id,
                    site_id=site.id,
                    asset_id=asset.id,
                    kind=kind,
                    priority=1,
                    estimated_minutes=30,
                    required_skill=asset.equipment_type,
                ),
            )

        fixed = ticket("repair", minutes(0))
        for action, actor, minute, extra in (
            ("triage", dispatcher, 1, {}),
            ("dispatch", dispatcher, 2, {"engineer_id": engineer.engineer_id}),
            ("arrive", engineer, 40, {}),
            ("complete", engineer, 70, {}),
            ("request_acceptance", dispatcher, 71, {}),
            ("close", dispatcher, 80, {}),
        ):
            transition(
                session=session,
                ticket=fixed,
                action=action,
                actor=actor,
                at=minutes(minute),
                **extra,
            )
        record_survey(session=session, ticket=fixed, score=5, actor=dispatcher, at=minutes(120))
        ticket("complaint", minutes(60))


def _clock_after_the_day(client) -> None:
    """Today is the day after: the periods asked for lie within a year of it."""
    client.app.state.runtime.clock = lambda: MORNING + dt.timedelta(days=1)


def test_kpis_of_a_day_in_a_region(client, day_in_the_east):
    _clock_after_the_day(client)
    headers = login(client, "dispatcher")
    response = client.get("/api/v1/kpis?from=2025-03-10&to=2025-03-10&region=SH-E", headers=headers)
    assert response.status_code == 200, response.text
    kpis = response.json()
    # the day in Shanghai: 2025-03-09T16:00Z .. 2025-03-10T16:00Z
    assert (kpis["start"], kpis["end"]) == ("2025-03-09T16:00:00Z", "2025-03-10T16:00:00Z")
    assert kpis["tickets"] == 2
    # P1: the repair responded after 40 min (due 2 h) and was fixed in 70 min (due 24 h);
    # the complaint's clocks (24 h / 72 h) still run at the end of the day
    assert kpis["sla_compliance"]["P1"]["response"] == {
        "numerator": 1,
        "denominator": 1,
        "value": 1.0,
    }
    assert kpis["response_time"] == {"count": 1, "p50_minutes": 40.0, "p90_minutes": 40.0}
    assert kpis["first_time_fix"]["value"] == 1.0
    assert kpis["csat"] == {"numerator": 1, "denominator": 1, "value": 1.0}
    # one customer, who also complained: 1/1
    assert kpis["complaint_rate"]["value"] == 1.0
    # nothing in the west that day; the demo's own day is not in the period
    west = client.get(
        "/api/v1/kpis?from=2025-03-10&to=2025-03-10&region=SH-W", headers=headers
    ).json()
    assert west["tickets"] == 0 and west["csat"]["value"] is None
    everywhere = client.get("/api/v1/kpis?from=2025-03-01&to=2025-03-31", headers=headers).json()
    assert everywhere["tickets"] == 2 and everywhere["region_code"] is None


def test_kpi_requests_are_checked(client, demo):
    _clock_after_the_day(client)
    dispatcher = login(client, "dispatcher")
    backwards = client.get("/api/v1/kpis?from=2025-03-10&to=2025-03-09", headers=dispatcher)
    assert backwards.status_code == 422 and backwards.json()["field"] == "to"
    year_ago = client.get("/api/v1/kpis?to=2024-03-09", headers=dispatcher)
    assert year_ago.status_code == 422 and year_ago.json()["field"] == "from"
    bad_date = client.get("/api/v1/kpis?from=March&to=2025-03-09", headers=dispatcher)
    assert bad_date.status_code == 422 and bad_date.json()["field"] == "from"
    unknown = client.get("/api/v1/kpis?from=2025-03-01&to=2025-03-09&region=XX", headers=dispatcher)
    assert unknown.status_code == 404 and unknown.json()["field"] == "region"
    engineer = login(client, "engineer")
    assert (
        client.get("/api/v1/kpis?from=2025-03-01&to=2025-03-09", headers=engineer).status_code
        == 403
    )


def test_a_missing_period_is_today_in_the_regions_zone(client, day_in_the_east):
    """No ``from``/``to``: today, the region's local day; without a region, headquarters'
    day (the demo's HQ is in Shanghai, so not the UTC day); instants in UTC with ``Z``."""
    headers = login(client, "dispatcher")
    client.app.state.runtime.clock = lambda: MORNING  # 09:00 in Shanghai, 01:00Z
    east = client.get("/api/v1/kpis?region=SH-E", headers=headers).json()
    assert (east["start"], east["end"]) == ("2025-03-09T16:00:00Z", "2025-03-10T16:00:00Z")
    assert east["tickets"] == 2
    # 20:00Z on the 10th is already the 11th in Shanghai: HQ's today, not UTC's
    client.app.state.runtime.clock = lambda: dt.datetime(2025, 3, 10, 20, 0, tzinfo=dt.UTC)
    everywhere = client.get("/api/v1/kpis", headers=headers).json()
    assert (everywhere["start"], everywhere["end"]) == (
        "2025-03-10T16:00:00Z",
        "2025-03-11T16:00:00Z",
    )
    assert everywhere["tickets"] == 0
    one_day = client.get("/api/v1/kpis?to=2025-03-10", headers=headers).json()
    assert one_day["start"] == "2025-03-09T16:00:00Z" and one_day["tickets"] == 2
