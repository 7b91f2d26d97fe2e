"""Hostile and careless input: refused as 4xx problems naming the field, never a 500.

The app's clock reads the demo morning (2026-11-24, Shanghai), so the windows "within a
year of today" are fixed.
"""

from __future__ import annotations

import datetime as dt

import jwt

from tests.api.service_world import day_client, engineer_login, world
from tests.conftest import TEST_SECRET, login

__all__ = ["day_client", "world"]

BEYOND_INT32 = 2**31
BEYOND_INT64 = 2**63


def _problem(response, status: int, field: str | None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    if field is not None:
        assert body["field"] == field, body
    return body


# --- 2: periods are capped, days lie near today ---------------------------------------


def test_a_century_of_kpis_is_refused_at_once(day_client):
    headers = login(day_client, "dispatcher")
    century = day_client.get("/api/v1/kpis?from=1926-12-03&to=2026-11-24", headers=headers)
    _problem(century, 422, "from")
    # within a year of today but longer than the cap: the end is at fault
    long = day_client.get("/api/v1/kpis?from=2026-01-01&to=2026-11-24", headers=headers)
    assert _problem(long, 422, "to")["max_days"] == 92
    quarter = day_client.get("/api/v1/kpis?from=2026-08-25&to=2026-11-24", headers=headers)
    assert quarter.status_code == 200, quarter.text
    future = day_client.get("/api/v1/kpis?from=2027-11-26&to=2027-11-27", headers=headers)
    _problem(future, 422, "from")


def test_days_far_from_today_are_refused_everywhere(day_client):
    headers = login(day_client, "dispatcher")
    for day in ("1900-01-01", "2020-01-01", "2028-01-01", "9999-12-31"):
        run = day_client.post(
            "/api/v1/optimizations", json={"region": "HQ", "date": day}, headers=headers
        )
        _problem(run, 422, "date")
        visits = day_client.get(f"/api/v1/engineers/site-visits?date={day}", headers=headers)
        _problem(visits, 422, "date")
        plans = day_client.get(f"/api/v1/plans?date={day}", headers=headers)
        _problem(plans, 422, "date")
    old = day_client.get("/api/v1/sla/breaches?since=2025-01-01T00:00:00Z", headers=headers)
    _problem(old, 422, "since")
    recent = day_client.get("/api/v1/sla/breaches?since=2026-11-01T00:00:00Z", headers=headers)
    assert recent.status_code == 200, recent.text


# --- 3: values the database cannot hold -------------------------------------------------


def test_ids_beyond_the_database_are_refused_not_crashed(day_client, database):
    headers = login(day_client, "dispatcher")
    for big in (BEYOND_INT32, BEYOND_INT64):
        for path in (f"/api/v1/tickets/{big}", f"/api/v1/plans/{big}", f"/api/v1/engineers/{big}"):
            _problem(day_client.get(path, headers=headers), 422, None)
    ticket = day_client.get(f"/api/v1/tickets/{BEYOND_INT32}", headers=headers)
    _problem(ticket, 422, "ticket_id")
    phone = engineer_login(day_client, database, 1)
    check_in = day_client.post(
        f"/api/v1/me/jobs/{BEYOND_INT32}/check-in", json={"lat": 31.2, "lon": 121.4}, headers=phone
    )
    _problem(check_in, 422, "ticket_id")
    page = day_client.get(f"/api/v1/tickets?offset={2**64}", headers=headers)
    _problem(page, 422, "offset")


def _ticket(**changes: object) -> dict:
    body: dict[str, object] = {
        "customer_id": 1,
        "site_id": 1,
        "kind": "repair",
        "priority": 2,
        "estimated_minutes": 60,
    }
    body.update(changes)
    return body


def test_ticket_bodies_out_of_range_or_with_nul_are_refused(day_client):
    headers = login(day_client, "dispatcher")
    cases = {
        "customer_id": _ticket(customer_id=2**40),
        "parts_demand": _ticket(parts_demand=10**12),
        "symptoms": _ticket(symptoms="stuck\x00lift"),
        "fault_codes.0": _ticket(fault_codes=["E\x0042"]),
        "windows.0.start": _ticket(
            windows=[{"start": "9999-12-31T23:00:00-14:00", "end": "9999-12-31T23:30:00-14:00"}]
        ),
    }
    for field, body in cases.items():
        _problem(day_client.post("/api/v1/tickets", json=body, headers=headers), 422, field)
    far = _ticket(
        windows=[{"start": "2030-01-01T09:00:00+08:00", "end": "2030-01-01T11:00:00+08:00"}]
    )
    _problem(day_client.post("/api/v1/tickets", json=far, headers=headers), 422, "windows.0.start")


def test_nul_bytes_and_year_9999_in_queries_are_refused(day_client, database):
    headers = login(day_client, "dispatcher")
    for path, field in (
        ("/api/v1/tickets?region=S%00H", "region"),
        ("/api/v1/engineers?skill=lift%00", "skill"),
        ("/api/v1/plans?status=x%00", "status"),
        ("/api/v1/sla/at-risk?region=%00", "region"),
        ("/api/v1/kpis?from=9999-12-31&to=9999-12-31", "from"),
        ("/api/v1/engineers/site-visits?date=9999-12-31", "date"),
    ):
        _problem(day_client.get(path, headers=headers), 422, field)
    phone = engineer_login(day_client, database, 1)
    late = day_client.post(
        "/api/v1/me/jobs/1/check-in",
        json={"lat": 31.2, "lon": 121.4, "device_time": "9999-12-31T23:00:00-14:00"},
        headers=phone,
    )
    _problem(late, 422, "device_time")


def test_nul_bytes_in_the_login_form_and_bad_event_ids_are_refused(day_client):
    for field, data in (
        ("username", {"username": "dis\x00patcher", "password": "demo"}),
        ("password", {"username": "dispatcher", "password": "de\x00mo"}),
    ):
        _problem(day_client.post("/api/v1/auth/token", data=data), 422, field)
    headers = login(day_client, "dispatcher")
    for bad in ("abc", "%00", "1-2-3"):
        stream = day_client.get(f"/api/v1/events?last_event_id={bad}", headers=headers)
        _problem(stream, 422, "last_event_id")


def test_a_token_naming_an_impossible_user_is_refused(day_client):
    now = dt.datetime.now(dt.UTC)
    token = jwt.encode(
        {
            "sub": str(10**23),
            "role": "admin",
            "exp": int((now + dt.timedelta(hours=1)).timestamp()),
        },
        TEST_SECRET,
        algorithm="HS256",
    )
    response = day_client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    _problem(response, 401, None)


# --- 8: bounded bodies and fields -------------------------------------------------------


def test_a_huge_body_is_refused_before_it_is_parsed(day_client, database):
    headers = login(day_client, "dispatcher")
    huge = _ticket(fault_codes=["E" * (10 * 1024 * 1024)])
    response = day_client.post("/api/v1/tickets", json=huge, headers=headers)
    _problem(response, 413, None)

    def chunks():  # no Content-Length: the bytes are counted as they stream in
        yield b'{"customer_id": 1, "symptoms": "'
        for _ in range(3):
            yield b"x" * 512 * 1024
        yield b'"}'

    streamed = day_client.post(
        "/api/v1/tickets",
        content=chunks(),
        headers={**headers, "Content-Type": "application/json"},
    )
    _problem(streamed, 413, None)
    long_code = day_client.post(
        "/api/v1/tickets", json=_ticket(fault_codes=["E" * 33]), headers=headers
    )
    _problem(long_code, 422, "fault_codes.0")
    stored = day_client.get("/api/v1/tickets?limit=500", headers=headers).json()["total"]
    assert stored == 30  # the demo's tickets, nothing added


# --- 11: the document tells the truth ----------------------------------------------------


def test_every_operation_documents_its_problems(day_client):
    paths = day_client.get("/openapi.json").json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            where = (method, path, sorted(codes))
            if operation.get("parameters") or operation.get("requestBody"):
                assert "422" in codes, where
            if operation.get("requestBody"):
                assert {"400", "413"} <= codes, where
            if "{" in path:
                assert "404" in codes, where
            if path != "/healthz":
                assert "503" in codes, where
    assert {"401", "429"} <= set(paths["/api/v1/auth/token"]["post"]["responses"])
    assert "404" in paths["/api/v1/kpis"]["get"]["responses"]
    assert "404" in paths["/api/v1/tickets"]["post"]["responses"]


def test_an_empty_filter_is_no_filter(day_client):
    headers = login(day_client, "dispatcher")
    everything = day_client.get("/api/v1/tickets", headers=headers)
    empty = day_client.get("/api/v1/tickets?status=&region=&sla_state=", headers=headers)
    assert empty.status_code == 200, empty.text
    assert empty.json()["total"] == everything.json()["total"] == 30
    assert day_client.get("/api/v1/plans?status=", headers=headers).status_code == 200


def test_an_unknown_region_is_not_found_on_every_list(day_client):
    headers = login(day_client, "dispatcher")
    for path in (
        "/api/v1/engineers?region=NOWHERE",
        "/api/v1/tickets?region=NOWHERE",
        "/api/v1/engineers/positions?region=NOWHERE",
        "/api/v1/sla/at-risk?region=NOWHERE",
    ):
        _problem(day_client.get(path, headers=headers), 404, "region")


def test_swagger_ui_comes_from_the_service_itself(day_client):
    page = day_client.get("/docs")
    assert page.status_code == 200
    html = page.text
    assert "swagger-ui-bundle.js" in html
    assert "http://" not in html and "https://" not in html  # no CDN: works offline
    for asset in ("/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"):
        response = day_client.get(asset)
        assert response.status_code == 200 and len(response.content) > 10_000, asset
    assert day_client.get("/docs/oauth2-redirect").status_code == 200
