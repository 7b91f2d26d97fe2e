"""One rule for time in API output: instants in UTC with ``Z`` whatever offset they were
given in; days are local days (see also tests/api/test_kpis_api.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from api.schemas.common import ApiModel
from dispatch.infra.day_clock import utc_text
from tests.conftest import login

PLUS_8 = dt.timezone(dt.timedelta(hours=8))


class _Sample(ApiModel):
    at: dt.datetime
    maybe: dt.datetime | None = None
    day: dt.date


def test_every_instant_is_written_in_utc_with_z():
    sample = _Sample(at=dt.datetime(2026, 11, 24, 9, 58, tzinfo=PLUS_8), day=dt.date(2026, 11, 24))
    assert sample.model_dump(mode="json") == {
        "at": "2026-11-24T01:58:00Z",
        "maybe": None,
        "day": "2026-11-24",
    }
    assert utc_text(dt.datetime(2026, 11, 24, 0, 0, 0, 5, tzinfo=PLUS_8)) == (
        "2026-11-23T16:00:00.000005Z"
    )
    with pytest.raises(ValueError, match="naive"):
        utc_text(dt.datetime(2026, 11, 24))


def test_a_window_sent_in_plus_8_comes_back_in_utc(client, demo):
    headers = login(client, "dispatcher")
    ticket = client.get("/api/v1/tickets?limit=1", headers=headers).json()["items"][0]
    detail = client.get(f"/api/v1/tickets/{ticket['id']}", headers=headers).json()
    now = client.app.state.runtime.clock().astimezone(PLUS_8)
    tomorrow = (now + dt.timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    body = {
        "customer_id": detail["customer"]["id"],
        "site_id": detail["site"]["id"],
        "kind": "repair",
        "priority": 3,
        "estimated_minutes": 30,
        "required_skill": detail["required_skill"],
        "symptoms": "noisy",
        "windows": [
            {
                "start": tomorrow.isoformat(),
                "end": (tomorrow + dt.timedelta(hours=2)).isoformat(),
            }
        ],
    }
    created = client.post("/api/v1/tickets", json=body, headers=headers)
    assert created.status_code == 201, created.text
    window = created.json()["windows"][0]
    assert window["start"] == utc_text(tomorrow) and window["start"].endswith("Z")
    instants = [created.json()["reported_at"], created.json()["response_due"]]
    instants += [e["at"] for e in created.json()["events"]]
    assert all(i.endswith("Z") for i in instants)
