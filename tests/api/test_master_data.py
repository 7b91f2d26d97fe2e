"""The master-data API: regions, customers, sites, assets and engineers, with the audit trail.

Create, read, change and deactivate each kind; filters and paging; every 409 rule; bad input
names the field and stores nothing; only the desk writes; engineers read only themselves.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from dispatch.infra.db import Database
from dispatch.models import AuditEntry, Customer, Engineer, Region, Site, Ticket
from tests.api.service_world import DAY, MORNING, day_client, engineer_login, run_plan, world
from tests.conftest import login

__all__ = ["day_client", "world"]

API = "/api/v1"


def _counts(database: Database) -> tuple[int, ...]:
    with database.session() as session:
        return tuple(
            int(session.scalar(select(func.count()).select_from(m)) or 0)
            for m in (Region, Customer, Site, Engineer, AuditEntry)
        )


def _engineer_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": "E900",
        "name": "王小明",
        "region": "SH-E",
        "level": "senior",
        "skills": [{"skill": "elevator", "level": 3}, {"skill": "hvac", "level": 1}],
        "home_lat": 31.23,
        "home_lon": 121.47,
        "shifts": [
            {
                "weekday": d,
                "start": "08:00",
                "end": "18:00",
                "break_minutes": 30,
                "break_earliest": "11:30",
                "break_latest": "13:30",
            }
            for d in range(7)
        ],
        "certification_valid_until": "2099-12-31",
        "phone": "+86 21 5555 0199",
        "email": "wang@example.com",
    }
    body.update(overrides)
    return body


def _audit(client: TestClient, headers: dict[str, str], entity: str, entity_id: int) -> list[Any]:
    response = client.get(
        f"{API}/audit", params={"entity": entity, "entity_id": entity_id}, headers=headers
    )
    assert response.status_code == 200, response.text
    items: list[Any] = response.json()["items"]
    return items


def test_regions_create_read_update_deactivate_and_audit(client, database, demo):
    desk = login(client, "dispatcher")
    created = client.post(
        f"{API}/regions",
        headers=desk,
        json={"code": "SH-N", "name": "上海北区", "parent": "HQ", "timezone": "Asia/Shanghai"},
    )
    assert created.status_code == 201, created.text
    region = created.json()
    assert (region["name"], region["kind"]) == ("上海北区", "region")
    rid = region["id"]
    assert client.get(f"{API}/regions/{rid}", headers=desk).json()["name"] == "上海北区"
    children = client.get(f"{API}/regions", params={"parent": "HQ"}, headers=desk).json()
    assert [r["code"] for r in children["items"]] == ["SH-E", "SH-N", "SH-W"]
    page = client.get(f"{API}/regions", params={"limit": 2, "offset": 1}, headers=desk).json()
    assert (page["total"], [r["code"] for r in page["items"]]) == (4, ["SH-E", "SH-N"])
    assert client.get(f"{API}/regions", params={"q": "北区"}, headers=desk).json()["total"] == 1
    patched = client.patch(
        f"{API}/regions/{rid}", headers=desk, json={"timezone": "Asia/Chongqing"}
    )
    assert patched.status_code == 200 and patched.json()["timezone"] == "Asia/Chongqing"
    gone = client.post(f"{API}/regions/{rid}/deactivate", headers=desk)
    assert gone.status_code == 200 and gone.json()["active"] is False
    trail = _audit(client, desk, "region", rid)
    assert [e["action"] for e in trail] == ["deactivated", "updated", "created"]
    assert trail[1]["before"] == {"timezone": "Asia/Shanghai"}
    assert trail[1]["after"] == {"timezone": "Asia/Chongqing"}
    assert trail[0]["before"] == {"active": True} and trail[0]["after"] == {"active": False}
    assert trail[2]["before"] is None and trail[2]["after"]["name"] == "上海北区"


def test_a_region_in_use_is_not_deactivated(client, database, demo):
    desk = login(client, "dispatcher")
    with database.session() as session:
        east = session.scalar(select(Region.id).where(Region.code == "SH-E"))
        hq = session.scalar(select(Region.id).where(Region.code == "HQ"))
    before = _counts(database)
    for region_id in (east, hq):
        refused = client.post(f"{API}/regions/{region_id}/deactivate", headers=desk)
        assert refused.status_code == 409, refused.text
        assert refused.json()["code"] == "region_in_use"
    problem = client.post(f"{API}/regions/{east}/deactivate", headers=desk).json()
    assert problem["remaining"]["engineers"] > 0 and problem["remaining"]["sites"] > 0
    by_patch = client.patch(f"{API}/regions/{hq}", headers=desk, json={"active": False})
    assert by_patch.status_code == 409 and "child regions" in by_patch.json()["detail"]
    assert _counts(database) == before
    assert client.get(f"{API}/regions/{east}", headers=desk).json()["active"] is True


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"code": "X", "name": "x", "timezone": "Mars/Olympus"}, 422, "timezone"),
        ({"code": "X", "name": "x", "timezone": "UTC", "parent": "NOPE"}, 404, "parent"),
        ({"code": "SH-E", "name": "x", "timezone": "UTC", "parent": "HQ"}, 409, "code"),
        ({"code": "X", "name": "   ", "timezone": "UTC"}, 422, "name"),
        ({"code": "X", "name": "x", "timezone": "UTC", "colour": 1}, 422, "colour"),
    ],
)
def test_bad_region_input_names_the_field_and_stores_nothing(
    client, database, demo, body, status, field
):
    desk = login(client, "dispatcher")
    before = _counts(database)
    response = client.post(f"{API}/regions", headers=desk, json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["field"] == field
    assert _counts(database) == before


def test_a_region_cannot_move_below_itself(client, database, demo):
    desk = login(client, "dispatcher")
    with database.session() as session:
        hq = session.scalar(select(Region.id).where(Region.code == "HQ"))
    response = client.patch(f"{API}/regions/{hq}", headers=desk, json={"parent": "SH-E"})
    assert response.status_code == 422 and response.json()["field"] == "parent"


def test_customers_sites_and_assets_round_trip_and_audit(client, database, demo):
    desk = login(client, "dispatcher")
    customer = client.post(
        f"{API}/customers",
        headers=desk,
        json={
            "code": "zhx",
            "name": "中华电梯",
            "tier": "vip",
            "region": "SH-E",
            "contact_name": "李雷",
            "dedicated_engineer": "E001",
        },
    )
    assert customer.status_code == 201, customer.text
    cust = customer.json()
    assert (cust["code"], cust["name"], cust["contact_name"]) == ("ZHX", "中华电梯", "李雷")
    site = client.post(
        f"{API}/sites",
        headers=desk,
        json={
            "customer": "ZHX",
            "name": "浦东大厦",
            "address": "上海市浦东新区世纪大道100号",
            "lat": 31.24,
            "lon": 121.5,
            "access_hours": {"mon": ["08:00", "18:00"]},
        },
    )
    assert site.status_code == 201, site.text
    assert site.json()["address"] == "上海市浦东新区世纪大道100号"
    assert site.json()["region_id"] == cust["region_id"]
    asset = client.post(
        f"{API}/assets",
        headers=desk,
        json={
            "site_id": site.json()["id"],
            "equipment_type": "elevator",
            "model": "奥的斯 GEN2",
            "serial": "SN-1",
            "install_date": "2020-01-01",
            "warranty_end": "2025-01-01",
        },
    )
    assert asset.status_code == 201, asset.text
    assert asset.json()["model"] == "奥的斯 GEN2"
    vips = client.get(f"{API}/customers", params={"tier": "vip", "q": "中华"}, headers=desk)
    assert [c["code"] for c in vips.json()["items"]] == ["ZHX"]
    at_site = client.get(f"{API}/sites", params={"customer": "ZHX"}, headers=desk).json()
    assert [s["name"] for s in at_site["items"]] == ["浦东大厦"]
    assets = client.get(
        f"{API}/assets",
        params={"site": site.json()["id"], "equipment_type": "elevator"},
        headers=desk,
    ).json()
    assert [a["serial"] for a in assets["items"]] == ["SN-1"]
    patched = client.patch(
        f"{API}/assets/{asset.json()['id']}", headers=desk, json={"warranty_end": "2026-06-30"}
    )
    assert patched.status_code == 200
    trail = _audit(client, desk, "asset", asset.json()["id"])
    assert trail[0]["before"] == {"warranty_end": "2025-01-01"}
    assert trail[0]["after"] == {"warranty_end": "2026-06-30"}
    for kind, row_id in (
        ("assets", asset.json()["id"]),
        ("sites", site.json()["id"]),
        ("customers", cust["id"]),
    ):
        done = client.post(f"{API}/{kind}/{row_id}/deactivate", headers=desk)
        assert done.status_code == 200 and done.json()["active"] is False
    inactive = client.get(f"{API}/customers", params={"active": False}, headers=desk).json()
    assert [c["code"] for c in inactive["items"]] == ["ZHX"]


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("customers", {"code": "NEW", "name": "n", "region": "NOPE"}, 404, "region"),
        (
            "customers",
            {"code": "NEW", "name": "n", "region": "SH-E", "dedicated_engineer": "E999"},
            404,
            "dedicated_engineer",
        ),
        (
            "sites",
            {"customer_id": 1, "name": "s", "address": "a", "lat": 200, "lon": 0},
            422,
            "lat",
        ),
        (
            "sites",
            {
                "customer_id": 1,
                "name": "s",
                "address": "a",
                "lat": 0,
                "lon": 0,
                "access_hours": {"mon": ["18:00", "08:00"]},
            },
            422,
            "access_hours.mon",
        ),
        (
            "assets",
            {
                "site_id": 1,
                "equipment_type": "lift",
                "model": "m",
                "serial": "s",
                "install_date": "2024-01-02",
                "warranty_end": "2024-01-01",
            },
            422,
            "warranty_end",
        ),
        (
            "assets",
            {"site_id": 999999, "equipment_type": "lift", "model": "m", "serial": "s"},
            404,
            "site_id",
        ),
    ],
)
def test_bad_customer_site_asset_input_names_the_field(
    client, database, demo, path, body, status, field
):
    desk = login(client, "dispatcher")
    before = _counts(database)
    response = client.post(f"{API}/{path}", headers=desk, json=body)
    assert response.status_code == status, response.text
    assert response.json()["field"] == field
    assert _counts(database) == before


def test_duplicates_are_409_naming_the_field(client, database, demo):
    desk = login(client, "dispatcher")
    with database.session() as session:
        customer = session.scalars(select(Customer).order_by(Customer.id)).first()
        assert customer is not None
        code, asset = (
            customer.code,
            customer.sites[0].assets[0] if customer.sites[0].assets else None,
        )
    dup = client.post(
        f"{API}/customers", headers=desk, json={"code": code.lower(), "name": "x", "region": "SH-E"}
    )
    assert dup.status_code == 409 and dup.json()["field"] == "code"
    assert (
        client.post(f"{API}/engineers", headers=desk, json=_engineer_body(code="E001")).json()[
            "field"
        ]
        == "code"
    )
    if asset is not None:
        again = client.post(
            f"{API}/assets",
            headers=desk,
            json={
                "site_id": asset.site_id,
                "equipment_type": "x",
                "model": asset.model,
                "serial": asset.serial,
            },
        )
        assert again.status_code == 409 and again.json()["field"] == "serial"


def test_customers_and_sites_with_open_tickets_are_not_deactivated(client, database, demo):
    desk = login(client, "dispatcher")
    with database.session() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.status == "triaged")).first()
        assert ticket is not None
        customer_id, site_id = ticket.customer_id, ticket.site_id
    before = _counts(database)
    customer = client.post(f"{API}/customers/{customer_id}/deactivate", headers=desk)
    assert customer.status_code == 409 and customer.json()["code"] == "customer_in_use"
    site = client.post(f"{API}/sites/{site_id}/deactivate", headers=desk)
    assert site.status_code == 409 and site.json()["code"] == "site_in_use"
    by_patch = client.patch(f"{API}/sites/{site_id}", headers=desk, json={"active": False})
    assert by_patch.status_code == 409
    assert _counts(database) == before


def test_engineers_create_read_filter_update_and_audit(client, database, demo):
    desk = login(client, "dispatcher")
    created = client.post(f"{API}/engineers", headers=desk, json=_engineer_body())
    assert created.status_code == 201, created.text
    engineer = created.json()
    assert engineer["name"] == "王小明" and engineer["region_code"] == "SH-E"
    assert (
        engineer["shifts"][0]["start"] == "08:00" and engineer["shifts"][0]["start_minute"] == 480
    )
    assert engineer["shifts"][0]["break_latest_minute"] == 810
    assert engineer["skills"] == [{"skill": "elevator", "level": 3}, {"skill": "hvac", "level": 1}]
    assert engineer["phone"] == "+86 21 5555 0199"
    eid = engineer["id"]
    found = client.get(
        f"{API}/engineers", params={"q": "王", "level": "senior", "skill": "hvac"}, headers=desk
    ).json()
    assert [e["code"] for e in found["items"]] == ["E900"]
    page = client.get(f"{API}/engineers", params={"limit": 2, "offset": 2}, headers=desk).json()
    assert page["total"] == 7 and [e["code"] for e in page["items"]] == ["E003", "E004"]
    changed = client.patch(
        f"{API}/engineers/{eid}",
        headers=desk,
        json={
            "employment": "contractor",
            "cost_per_job": "35.50",
            "skills": [{"skill": "elevator", "level": 2}],
        },
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["cost_per_job"] == "35.50"
    trail = _audit(client, desk, "engineer", eid)
    assert [e["action"] for e in trail] == ["updated", "created"]
    assert trail[0]["before"] == {
        "cost_per_job": "0.00",
        "employment": "employee",
        "skills": [{"skill": "elevator", "level": 3}, {"skill": "hvac", "level": 1}],
    }
    assert trail[0]["after"] == {
        "cost_per_job": "35.50",
        "employment": "contractor",
        "skills": [{"skill": "elevator", "level": 2}],
    }
    assert trail[1]["after"]["certification_valid_until"] == "2099-12-31"
    assert all(e["actor_id"] is not None for e in trail)


@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        ({"skills": [{"skill": "hvac", "level": 4}]}, 422, "skills.0.level"),
        (
            {"skills": [{"skill": "hvac", "level": 1}, {"skill": "hvac", "level": 2}]},
            422,
            "skills.1.skill",
        ),
        ({"shifts": [{"weekday": 0, "start": "18:00", "end": "08:00"}]}, 422, "shifts.0.end"),
        ({"shifts": [{"weekday": 0, "start": "8am", "end": "17:00"}]}, 422, "shifts.0.start"),
        (
            {"shifts": [{"weekday": 0, "start": "08:00", "end": "17:00", "break_minutes": 30}]},
            422,
            "shifts.0.break_earliest",
        ),
        (
            {
                "shifts": [
                    {
                        "weekday": 0,
                        "start": "08:00",
                        "end": "17:00",
                        "break_minutes": 30,
                        "break_earliest": "13:00",
                        "break_latest": "12:00",
                    }
                ]
            },
            422,
            "shifts.0.break_latest",
        ),
        ({"cost_per_job": "10.00"}, 422, "cost_per_job"),
        ({"home_lat": 95}, 422, "home_lat"),
        ({"region": "NOPE"}, 404, "region"),
        ({"level": "guru"}, 422, "level"),
    ],
)
def test_bad_engineer_input_names_the_field_and_stores_nothing(
    client, database, demo, overrides, status, field
):
    desk = login(client, "dispatcher")
    before = _counts(database)
    response = client.post(f"{API}/engineers", headers=desk, json=_engineer_body(**overrides))
    assert response.status_code == status, response.text
    assert response.json()["field"] == field
    assert _counts(database) == before


def test_engineers_cannot_write_and_read_only_themselves(client, database, demo):
    desk = login(client, "dispatcher")
    field = login(client, "engineer")
    me = client.get(f"{API}/auth/me", headers=field).json()
    own_id = me["engineer_id"]
    own = client.get(f"{API}/engineers/{own_id}", headers=field)
    assert own.status_code == 200 and own.json()["id"] == own_id
    with database.session() as session:
        other = session.scalar(select(Engineer.id).where(Engineer.id != own_id))
    assert client.get(f"{API}/engineers/{other}", headers=field).status_code == 404
    before = _counts(database)
    writes = [
        ("post", f"{API}/engineers", _engineer_body()),
        ("patch", f"{API}/engineers/{own_id}", {"name": "me"}),
        ("post", f"{API}/engineers/{own_id}/deactivate", None),
        ("post", f"{API}/regions", {"code": "X", "name": "x", "timezone": "UTC"}),
        ("post", f"{API}/customers", {"code": "X", "name": "x", "region": "HQ"}),
    ]
    for method, path, body in writes:
        response = client.request(method, path, headers=field, json=body)
        assert response.status_code == 403, (path, response.text)
    for path in ("regions", "customers", "sites", "assets", "audit", "engineers"):
        assert client.get(f"{API}/{path}", headers=field).status_code == 403, path
    assert _counts(database) == before
    assert client.get(f"{API}/engineers/{own_id}", headers=desk).json()["name"] != "me"


def test_an_engineer_created_through_the_api_is_planned(day_client, database):
    desk = login(day_client, "dispatcher")
    created = day_client.post(
        f"{API}/engineers",
        headers=desk,
        json=_engineer_body(code="Q001", skills=[{"skill": "quantum", "level": 3}], region="SH-E"),
    )
    assert created.status_code == 201, created.text
    new_id = created.json()["id"]
    with database.session() as session:
        site = session.scalars(select(Site).where(Site.active).order_by(Site.id)).first()
        assert site is not None
        customer_id, site_id = site.customer_id, site.id
    ticket = day_client.post(
        f"{API}/tickets",
        headers=desk,
        json={
            "customer_id": customer_id,
            "site_id": site_id,
            "kind": "repair",
            "priority": 3,
            "estimated_minutes": 60,
            "required_skill": "quantum",
            "windows": [
                {
                    "start": MORNING.replace(hour=13).isoformat(),
                    "end": MORNING.replace(hour=16).isoformat(),
                }
            ],
        },
    )
    assert ticket.status_code == 201, ticket.text
    tid = ticket.json()["id"]
    triaged = day_client.post(
        f"{API}/tickets/{tid}/transitions", headers=desk, json={"action": "triage"}
    )
    assert triaged.status_code == 200, triaged.text
    plan_id = run_plan(day_client, desk, day=DAY)
    plan = day_client.get(f"{API}/plans/{plan_id}", headers=desk).json()
    visits = [v for r in plan["routes"] for v in r["visits"] if v["ticket_id"] == tid]
    assert [
        r["engineer_id"] for r in plan["routes"] if any(v["ticket_id"] == tid for v in r["visits"])
    ] == [new_id]
    assert len(visits) == 1
    published = day_client.post(f"{API}/plans/{plan_id}/publish", headers=desk)
    assert published.status_code == 200, published.text
    # Published visits from now on: deactivating is refused, forced it sends them back.
    refused = day_client.post(f"{API}/engineers/{new_id}/deactivate", headers=desk)
    assert refused.status_code == 409 and refused.json()["code"] == "engineer_in_use"
    assert refused.json()["field"] == "force"
    assert day_client.get(f"{API}/tickets/{tid}", headers=desk).json()["status"] == "scheduled"
    forced = day_client.post(
        f"{API}/engineers/{new_id}/deactivate", params={"force": True}, headers=desk
    )
    assert forced.status_code == 200, forced.text
    assert forced.json()["returned_ticket_ids"] == [tid]
    assert forced.json()["engineer"]["active"] is False
    # As after an absence, an in-day re-plan of the day is queued (and given its job).
    (rerun_id,) = forced.json()["reoptimization_ids"]
    rerun = day_client.get(f"{API}/optimizations/{rerun_id}", headers=desk).json()
    assert rerun["plan_date"] == plan["plan_date"]
    back = day_client.get(f"{API}/tickets/{tid}", headers=desk).json()
    assert back["status"] == "triaged"
    assert any("engineer deactivated" in (e.get("reason") or "") for e in back["events"])
    trail = _audit(day_client, desk, "engineer", new_id)
    assert trail[0]["after"] == {"active": False, "returned_ticket_ids": [tid]}
    engineer_headers = engineer_login(day_client, database, new_id)
    assert engineer_headers  # the account still logs in; the engineer is just not planned


def test_a_site_code_is_unique_and_can_be_set_later(client, database, demo):
    desk = login(client, "dispatcher")
    customer = client.post(
        f"{API}/customers", headers=desk, json={"code": "SC", "name": "码", "region": "SH-E"}
    )
    assert customer.status_code == 201, customer.text
    body = {"customer": "SC", "name": "一号", "address": "路 1", "lat": 31.2, "lon": 121.4}

    first = client.post(f"{API}/sites", headers=desk, json={**body, "code": "SC-001"})
    plain = client.post(f"{API}/sites", headers=desk, json=body)
    before = _counts(database)
    twin = client.post(f"{API}/sites", headers=desk, json={**body, "code": "SC-001"})
    taken = client.patch(f"{API}/sites/{plain.json()['id']}", headers=desk, json={"code": "SC-001"})

    assert first.status_code == 201 and first.json()["code"] == "SC-001"
    assert plain.status_code == 201 and plain.json()["code"] is None
    for refused in (twin, taken):
        assert refused.status_code == 409, refused.text
        assert refused.json()["field"] == "code"
    assert _counts(database) == before
    named = client.patch(f"{API}/sites/{plain.json()['id']}", headers=desk, json={"code": "SC-2"})
    assert named.status_code == 200 and named.json()["code"] == "SC-2"
    same = client.patch(f"{API}/sites/{first.json()['id']}", headers=desk, json={"code": "SC-001"})
    assert same.status_code == 200, "a site keeps its own code"
