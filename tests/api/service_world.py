"""A demo day on a fixed clock, and helpers to run and publish plans through the API."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from dispatch.demo.org import load_demo
from dispatch.infra.db import Database
from dispatch.infra.settings import Settings
from dispatch.models import Asset, Engineer, Plan, PlanStatus, Site, User, Visit
from dispatch.org.users import create_user
from dispatch.planning import optimization
from dispatch.runtime import Runtime
from dispatch.tickets.records import TicketDraft, create_ticket
from tests.conftest import login

DAY = dt.date(2026, 11, 24)
"""A Tuesday: every demo engineer works."""
ZONE = ZoneInfo("Asia/Shanghai")
MORNING = dt.datetime(2026, 11, 24, 9, 30, tzinfo=ZONE)


@pytest.fixture
def world(database: Database) -> None:
    """The small demo data set for :data:`DAY`."""
    with database.session() as session:
        load_demo(session=session, seed=3, day=DAY, engineers=6, tickets=30)


@pytest.fixture
def day_client(settings: Settings, world: None) -> Iterator[TestClient]:
    """An API client whose clock reads :data:`MORNING` of :data:`DAY`."""
    app = create_app(settings)
    app.state.runtime.clock = lambda: MORNING.astimezone(dt.UTC)  # before start: its SLA sweep
    with TestClient(app) as client:
        yield client


def runtime_of(client: TestClient) -> Runtime:
    """The app's runtime."""
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


def run_plan(
    client: TestClient,
    headers: dict[str, str],
    region: str = "HQ",
    day: dt.date = DAY,
    **options: object,
) -> int:
    """Request an optimisation of ``day`` (default :data:`DAY`) and wait until it has finished."""
    response = client.post(
        "/api/v1/optimizations",
        json={
            "region": region,
            "date": day.isoformat(),
            "time_budget_seconds": 5,
            "options": {"iterations": 300, **options},
        },
        headers=headers,
    )
    assert response.status_code == 202, response.text
    plan_id = int(response.json()["id"])
    finish_run(client, headers, plan_id)
    return plan_id


def finish_run(client: TestClient, headers: dict[str, str], plan_id: int) -> None:
    """Wait until run ``plan_id`` has succeeded.

    With Redis configured the run goes to RQ, where no worker listens in this test: the
    job body runs here instead (the worker tests run real workers). In-process, the
    app's pool runs it.
    """
    runtime = runtime_of(client)
    if runtime.redis is not None:
        optimization.run_optimization(plan_id, runtime=runtime, now=runtime.clock)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = client.get(f"/api/v1/optimizations/{plan_id}", headers=headers).json()["status"]
        if status not in optimization.ACTIVE:
            assert status == "succeeded", status
            return
        time.sleep(0.1)
    raise AssertionError(f"run {plan_id} did not finish")


def published_assignment(database: Database) -> dict[int, int]:
    """Ticket id -> engineer id in the published plans."""
    with database.session() as session:
        rows = session.execute(
            select(Visit.ticket_id, Visit.engineer_id)
            .join(Plan, Visit.plan_id == Plan.id)
            .where(Plan.status == PlanStatus.PUBLISHED.value)
        ).all()
    return {t: e for t, e in rows}


def engineer_login(client: TestClient, database: Database, engineer_id: int) -> dict[str, str]:
    """Log in as the user bound to ``engineer_id`` (made for the test unless the demo has one)."""
    with database.session() as session:
        existing = session.scalar(select(User).where(User.engineer_id == engineer_id))
        if existing is not None:  # a demo user, or one an earlier call made
            made = existing.username.startswith("field-")
            return login(client, existing.username, "field-pass-1" if made else "demo")
        code = session.get(Engineer, engineer_id).code  # type: ignore[union-attr]
        username = f"field-{code.lower()}"
        create_user(
            session=session,
            username=username,
            password="field-pass-1",
            role="engineer",
            engineer_code=code,
        )
    return login(client, username, "field-pass-1")


def report_ticket(
    database: Database,
    *,
    at: dt.datetime,
    priority: int = 1,
    minutes: int = 45,
    last_asset: bool = False,
    exclude_all: bool = False,
) -> int:
    """A repair reported at ``at`` at the site of the first (or last) asset; its id."""
    with database.session() as session:
        excluded = (
            [(e, "excluded") for e in session.scalars(select(Engineer.id))] if exclude_all else []
        )
        order = Asset.id.desc() if last_asset else Asset.id
        asset = session.scalars(select(Asset).order_by(order)).first()
        assert asset is not None
        site = session.get(Site, asset.site_id)
        assert site is not None
        ticket = create_ticket(
            session=session,
            draft=TicketDraft(
                customer_id=site.customer_id,
                site_id=site.id,
                asset_id=asset.id,
                kind="repair",
                priority=priority,
                estimated_minutes=minutes,
                symptoms="passenger trapped",
                engineer_rules=excluded,
            ),
            actor=None,
            at=at,
        )
        session.flush()
        return ticket.id
