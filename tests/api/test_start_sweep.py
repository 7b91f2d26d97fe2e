"""Start-up runs the SLA sweep once: stored SLA states agree with the SLA lists at once."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from api.app import create_app
from dispatch.infra.settings import Settings
from tests.api.service_world import MORNING, report_ticket, world
from tests.conftest import login

__all__ = ["world"]


def test_breached_tickets_are_marked_before_the_first_request(
    settings: Settings, world: None, database
) -> None:
    # Reported 5 h before the clock: its 1-2 h response target passed long ago.
    late = report_ticket(database, at=MORNING - dt.timedelta(hours=5))
    fresh = report_ticket(database, at=MORNING - dt.timedelta(minutes=5))
    app = create_app(settings.model_copy(update={"sla_sweep_seconds": 3600}))
    app.state.runtime.clock = lambda: MORNING.astimezone(dt.UTC)
    with TestClient(app) as client:
        headers = login(client, "dispatcher")
        listed = client.get("/api/v1/tickets?sla_state=breached&limit=200", headers=headers)
        breaches = client.get("/api/v1/sla/breaches", headers=headers)

    assert listed.status_code == 200, listed.text
    assert breaches.status_code == 200, breaches.text
    stored = {t["id"] for t in listed.json()["items"]}
    judged = {i["ticket_id"] for i in breaches.json()["items"]}
    assert late in stored
    assert fresh not in stored
    assert stored == judged
