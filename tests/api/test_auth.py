"""Log-in, tokens, roles, and the problem+json error shape."""

from __future__ import annotations

import datetime as dt

from dispatch.infra.security import create_access_token
from tests.conftest import TEST_SECRET, login


def test_health_and_metrics_need_no_token(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["database"] == "ok"
    metrics = client.get("/metrics")
    assert metrics.status_code == 200 and "http_request_duration_seconds" in metrics.text


def test_login_issues_a_token_that_works(client, demo):
    headers = login(client, "dispatcher")
    me = client.get("/api/v1/auth/me", headers=headers).json()
    assert me["username"] == "dispatcher" and me["role"] == "dispatcher"
    engineers = client.get("/api/v1/engineers", headers=headers)
    assert engineers.status_code == 200
    body = engineers.json()
    assert body["total"] == 6 and [e["code"] for e in body["items"]][:2] == ["E001", "E002"]
    assert body["items"][0]["skills"] and body["items"][0]["shifts"]


def test_wrong_password_is_401_problem(client, demo):
    response = client.post(
        "/api/v1/auth/token", data={"username": "dispatcher", "password": "nope"}
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 401 and response.headers["www-authenticate"] == "Bearer"


def test_no_token_is_401_and_bad_token_is_401(client, demo):
    assert client.get("/api/v1/engineers").status_code == 401
    bad = client.get("/api/v1/engineers", headers={"Authorization": "Bearer not.a.token"})
    assert bad.status_code == 401 and bad.json()["code"] == "authentication_failed"


def test_expired_token_is_401(client, demo):
    token = create_access_token(
        user_id=1,
        role="admin",
        secret=TEST_SECRET,
        minutes=1,
        now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
    )
    response = client.get("/api/v1/engineers", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and "expired" in response.json()["detail"]


def test_engineer_role_is_403_on_dispatcher_endpoints(client, demo):
    headers = login(client, "engineer")
    response = client.get("/api/v1/engineers", headers=headers)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_validation_errors_name_the_field(client, demo):
    headers = login(client, "admin")
    response = client.get("/api/v1/engineers?limit=0", headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["field"] == "limit"


def test_unknown_engineer_is_404_problem(client, demo):
    headers = login(client, "admin")
    response = client.get("/api/v1/engineers/999999", headers=headers)
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_filters(client, demo):
    headers = login(client, "admin")
    east = client.get("/api/v1/engineers?region=SH-E", headers=headers).json()
    west = client.get("/api/v1/engineers?region=SH-W", headers=headers).json()
    assert east["total"] + west["total"] == 6
    assert all(e["region_code"] == "SH-E" for e in east["items"])
    hvac = client.get("/api/v1/engineers?skill=hvac", headers=headers).json()
    assert all(any(s["skill"] == "hvac" for s in e["skills"]) for e in hvac["items"])
