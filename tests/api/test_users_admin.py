"""Users admin: list, create, change, deactivate (tokens refused), passwords, audit trail."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from dispatch.models import AuditEntry, Engineer, User
from tests.conftest import login


@pytest.fixture
def admin(client, demo) -> dict[str, str]:
    return login(client, "admin")


def _audit(database, user_id: int) -> list[AuditEntry]:
    with database.session() as session:
        return list(
            session.scalars(
                select(AuditEntry)
                .where(AuditEntry.entity == "user", AuditEntry.entity_id == user_id)
                .order_by(AuditEntry.id)
            )
        )


def _free_engineer(database) -> int:
    with database.session() as session:
        bound = select(User.engineer_id).where(User.engineer_id.is_not(None))
        return session.scalar(
            select(Engineer.id).where(~Engineer.id.in_(bound)).order_by(Engineer.id)
        )


def _create(client, headers, **body):
    payload = {"username": "li.wei", "password": "long-enough-1", "role": "dispatcher"} | body
    return client.post("/api/v1/users", json=payload, headers=headers)


def test_list_is_paged_and_filtered(client, admin):
    page = client.get("/api/v1/users", params={"limit": 2}, headers=admin)
    assert page.status_code == 200
    assert len(page.json()["items"]) == 2 and page.json()["total"] >= 3
    names = [u["username"] for u in client.get("/api/v1/users", headers=admin).json()["items"]]
    assert names == sorted(names)
    engineers = client.get("/api/v1/users", params={"role": "engineer"}, headers=admin).json()
    assert engineers["items"] and all(u["engineer_id"] for u in engineers["items"])
    assert all(u["engineer_code"] for u in engineers["items"])
    found = client.get("/api/v1/users", params={"q": "DISPATCH"}, headers=admin).json()
    assert [u["username"] for u in found["items"]] == ["dispatcher"]
    assert "password_hash" not in json.dumps(page.json())


def test_create_binds_engineers_and_records_without_the_password(client, admin, database):
    engineer_id = _free_engineer(database)
    response = _create(
        client,
        admin,
        username="field.7",
        role="engineer",
        engineer_id=engineer_id,
        full_name="王芳",
    )
    assert response.status_code == 201, response.text
    user = response.json()
    assert user["engineer_id"] == engineer_id and user["full_name"] == "王芳"
    assert login(client, "field.7", "long-enough-1")
    (entry,) = _audit(database, user["id"])
    assert entry.action == "created" and entry.after["role"] == "engineer"
    with database.session() as session:
        hashed = session.get(User, user["id"]).password_hash
        admin_id = session.scalar(select(User.id).where(User.username == "admin"))
    assert entry.actor_id == admin_id
    assert hashed not in json.dumps(entry.after) and "password" not in json.dumps(entry.after)

    trail = client.get(
        "/api/v1/audit", params={"entity": "user", "entity_id": user["id"]}, headers=admin
    )
    assert trail.status_code == 200 and trail.json()["total"] == 1
    assert hashed not in trail.text

    taken = _create(client, admin, username="field.8", role="engineer", engineer_id=engineer_id)
    assert taken.status_code == 409 and taken.json()["field"] == "engineer_id"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"role": "engineer"}, 422, "engineer_id"),
        ({"role": "dispatcher", "engineer_id": "free"}, 422, "engineer_id"),
        ({"password": "short-9"}, 422, "password"),
        ({"username": "dispatcher"}, 409, "username"),
        ({"username": "Bad Name"}, 422, "username"),
        ({"role": "boss"}, 422, "role"),
        ({"region_id": 999_999}, 404, "region_id"),
    ],
)
def test_create_refuses_bad_input_naming_the_field(client, admin, database, body, status, field):
    if body.get("engineer_id") == "free":
        body = body | {"engineer_id": _free_engineer(database)}
    with database.session() as session:
        before = session.scalars(select(User.id)).all()

    response = _create(client, admin, **body)

    assert response.status_code == status, response.text
    assert response.json()["field"] == field
    with database.session() as session:
        assert session.scalars(select(User.id)).all() == before
        assert not session.scalars(select(AuditEntry)).all()


def test_change_role_binding_region_and_name(client, admin, database):
    engineer_id = _free_engineer(database)
    user = _create(client, admin, username="field.9", role="engineer", engineer_id=engineer_id)
    user_id = user.json()["id"]
    half = client.patch(f"/api/v1/users/{user_id}", json={"role": "dispatcher"}, headers=admin)
    assert half.status_code == 422 and half.json()["field"] == "engineer_id"

    response = client.patch(
        f"/api/v1/users/{user_id}",
        json={"role": "dispatcher", "engineer_id": None, "full_name": "Zhang San"},
        headers=admin,
    )

    assert response.status_code == 200, response.text
    assert response.json()["role"] == "dispatcher" and response.json()["engineer_id"] is None
    assert response.json()["full_name"] == "Zhang San"
    entry = _audit(database, user_id)[-1]
    assert entry.action == "updated"
    assert entry.before == {"role": "engineer", "engineer_id": engineer_id, "full_name": None}
    assert entry.after == {"role": "dispatcher", "engineer_id": None, "full_name": "Zhang San"}
    unknown = client.patch("/api/v1/users/999999", json={"active": False}, headers=admin)
    assert unknown.status_code == 404


def test_a_deactivated_user_cannot_log_in_and_its_token_stops_working(client, admin, database):
    user_id = _create(client, admin).json()["id"]
    token = login(client, "li.wei", "long-enough-1")
    assert client.get("/api/v1/auth/me", headers=token).status_code == 200

    response = client.patch(f"/api/v1/users/{user_id}", json={"active": False}, headers=admin)

    assert response.status_code == 200 and response.json()["active"] is False
    assert client.get("/api/v1/auth/me", headers=token).status_code == 401
    refused = client.post(
        "/api/v1/auth/token", data={"username": "li.wei", "password": "long-enough-1"}
    )
    assert refused.status_code == 401
    assert _audit(database, user_id)[-1].action == "deactivated"


def test_the_last_active_admin_stays(client, admin, database):
    with database.session() as session:
        admin_id = session.scalar(select(User.id).where(User.username == "admin"))
    for body, field in (({"active": False}, "active"), ({"role": "dispatcher"}, "role")):
        response = client.patch(f"/api/v1/users/{admin_id}", json=body, headers=admin)
        assert response.status_code == 409 and response.json()["field"] == field
    assert client.get("/api/v1/auth/me", headers=admin).status_code == 200


def test_only_admins_administer_users(client, demo):
    for name in ("dispatcher", "engineer"):
        headers = login(client, name)
        assert client.get("/api/v1/users", headers=headers).status_code == 403
        assert _create(client, headers).status_code == 403
        assert client.patch("/api/v1/users/1", json={}, headers=headers).status_code == 403
        reset = client.post(
            "/api/v1/users/1/password", json={"new_password": "x" * 12}, headers=headers
        )
        assert reset.status_code == 403


def test_an_admin_resets_a_password(client, admin, database):
    user_id = _create(client, admin).json()["id"]
    short = client.post(
        f"/api/v1/users/{user_id}/password", json={"new_password": "9chars..."}, headers=admin
    )
    assert short.status_code == 422 and short.json()["field"] == "new_password"

    response = client.post(
        f"/api/v1/users/{user_id}/password", json={"new_password": "brand-new-pass"}, headers=admin
    )

    assert response.status_code == 200
    assert login(client, "li.wei", "brand-new-pass")
    old = client.post(
        "/api/v1/auth/token", data={"username": "li.wei", "password": "long-enough-1"}
    )
    assert old.status_code == 401
    entry = _audit(database, user_id)[-1]
    assert entry.action == "password_reset" and "brand-new-pass" not in json.dumps(entry.after)


def test_everyone_changes_their_own_password_with_the_current_one(client, demo, database):
    headers = login(client, "engineer")
    url = "/api/v1/me/password"
    wrong = client.post(
        url, json={"current_password": "nope", "new_password": "a-new-password"}, headers=headers
    )
    assert wrong.status_code == 422 and wrong.json()["field"] == "current_password"
    short = client.post(
        url, json={"current_password": "demo", "new_password": "too-short"}, headers=headers
    )
    assert short.status_code == 422 and short.json()["field"] == "new_password"

    response = client.post(
        url, json={"current_password": "demo", "new_password": "a-new-password"}, headers=headers
    )

    assert response.status_code == 204
    assert login(client, "engineer", "a-new-password")
    with database.session() as session:
        user_id = session.scalar(select(User.id).where(User.username == "engineer"))
    entry = _audit(database, user_id)[-1]
    assert entry.action == "password_changed" and entry.actor_id == user_id
    assert client.post(url, json={}).status_code in (401, 422)
