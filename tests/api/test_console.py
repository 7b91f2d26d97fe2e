"""The console's server side: the page and its shipped assets, its settings document, and the
read endpoints it draws from (engineers' positions, the day's site visits)."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.console import STATIC_DIR
from dispatch.infra.settings import Settings
from tests.api.service_world import DAY, day_client, engineer_login, run_plan, world
from tests.conftest import login

__all__ = ["day_client", "world"]

ROOT = Path(__file__).resolve().parents[2]
ASSET = re.compile(r'(?:src|href)="([^"]+)"')
IMPORT = re.compile(r'from\s+"(\./[^"]+)"')
CSS_URL = re.compile(r"url\(([^)]+)\)")


def test_the_page_needs_no_login_and_every_asset_it_loads_is_served_from_here(client):
    page = client.get("/console")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp
    assets = [a for a in ASSET.findall(page.text) if not a.startswith("#")]
    assert "/console/static/vendor/leaflet/leaflet.js" in assets
    assert all(a.startswith("/console/static/") for a in assets), assets
    modules = [a for a in assets if a.endswith(".js")]
    seen: set[str] = set()
    while modules:  # follow the ES module graph: every import must resolve
        path = modules.pop()
        if path in seen:
            continue
        seen.add(path)
        script = client.get(path)
        assert script.status_code == 200, path
        assert "javascript" in script.headers["content-type"], path
        base = path.rsplit("/", 1)[0]
        modules += [f"{base}/{name[2:]}" for name in IMPORT.findall(script.text)]
    assert {"app.js", "api.js", "map.js", "gantt.js", "panels.js", "state.js"} <= {
        p.rsplit("/", 1)[1] for p in seen
    }
    css = client.get("/console/static/vendor/leaflet/leaflet.css")
    urls = {u.strip("'\"") for u in CSS_URL.findall(css.text)}
    images = {u for u in urls if u.startswith("images/")}  # (not data: URIs or IE's VML)
    assert images
    for image in images:
        assert client.get(f"/console/static/vendor/leaflet/{image}").status_code == 200, image


def test_static_files_are_package_data():
    """A wheel ships only the patterns pyproject lists: every console file must match one."""
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["*"]
    files = [p for p in STATIC_DIR.rglob("*") if p.is_file() and p.name != "LICENSE"]
    assert len(files) > 10
    unshipped = [str(p) for p in files if not any(fnmatch(p.name, pat) for pat in patterns)]
    assert unshipped == []


def test_config_needs_a_login_and_names_the_tiles_and_regions(client, demo):
    assert client.get("/api/v1/console/config").status_code == 401
    headers = login(client, "dispatcher")
    zone = ZoneInfo("Asia/Shanghai")
    before = dt.datetime.now(zone).date()

    config = client.get("/api/v1/console/config", headers=headers).json()

    after = dt.datetime.now(zone).date()
    assert config["tile_url"] == Settings().tile_url
    codes = [r["code"] for r in config["regions"]]
    assert codes[0] == "HQ" and set(codes) == {"HQ", "SH-E", "SH-W"}
    by_code = {r["code"]: r for r in config["regions"]}
    assert by_code["HQ"]["kind"] == "hq" and by_code["SH-E"]["kind"] == "region"
    assert by_code["HQ"]["engineers"] == 0
    assert by_code["SH-E"]["engineers"] + by_code["SH-W"]["engineers"] == 6
    assert all(r["timezone"] == "Asia/Shanghai" for r in config["regions"])
    assert dt.date.fromisoformat(by_code["SH-E"]["today"]) in {before, after}


def test_the_tile_server_is_a_setting_and_the_page_works_without_one(settings, demo):
    tiles = settings.model_copy(
        update={"tile_url": "https://{s}.tiles.example.org/{z}/{x}/{y}.png"}
    )
    with TestClient(create_app(tiles)) as client:
        csp = client.get("/console").headers["content-security-policy"]
        assert "img-src 'self' data: https://*.tiles.example.org;" in csp
        config = client.get("/api/v1/console/config", headers=login(client, "engineer")).json()
        assert config["tile_url"] == "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    with TestClient(create_app(settings.model_copy(update={"tile_url": ""}))) as client:
        assert "img-src 'self' data:;" in client.get("/console").headers["content-security-policy"]
        config = client.get("/api/v1/console/config", headers=login(client, "dispatcher")).json()
        assert config["tile_url"] is None


def test_positions_dispatchers_see_everyone_engineers_only_themselves(client, demo, database):
    dispatcher = login(client, "dispatcher")
    engineer = login(client, "engineer")
    assert client.get("/api/v1/engineers/positions", headers=dispatcher).json() == {"items": []}
    me = client.get("/api/v1/auth/me", headers=engineer).json()
    engineers = client.get("/api/v1/engineers", headers=dispatcher).json()["items"]
    other = next(e for e in engineers if e["id"] != me["engineer_id"])
    colleague = engineer_login(client, database, other["id"])

    assert (
        client.post(
            "/api/v1/me/location", json={"lat": 31.21, "lon": 121.45}, headers=engineer
        ).status_code
        == 200
    )
    assert (
        client.post(
            "/api/v1/me/location", json={"lat": 31.3, "lon": 121.6}, headers=colleague
        ).status_code
        == 200
    )

    seen = client.get("/api/v1/engineers/positions", headers=dispatcher).json()["items"]
    assert {(p["engineer_code"], p["lat"], p["lon"]) for p in seen} == {
        (me["engineer_code"], 31.21, 121.45),
        (other["code"], 31.3, 121.6),
    }
    own = client.get("/api/v1/engineers/positions", headers=engineer).json()["items"]
    assert [(p["engineer_id"], p["lat"]) for p in own] == [(me["engineer_id"], 31.21)]

    mine = next(e for e in engineers if e["id"] == me["engineer_id"])
    in_region = client.get(
        f"/api/v1/engineers/positions?region={mine['region_code']}", headers=dispatcher
    ).json()["items"]
    expected = {me["engineer_id"]} | (
        {other["id"]} if other["region_code"] == mine["region_code"] else set()
    )
    assert {p["engineer_id"] for p in in_region} == expected
    everyone = client.get("/api/v1/engineers/positions?region=HQ", headers=dispatcher).json()
    assert len(everyone["items"]) == 2
    missing = client.get("/api/v1/engineers/positions?region=NOPE", headers=dispatcher)
    assert missing.status_code == 404
    assert missing.json()["field"] == "region"


def test_site_visits_of_a_day_show_check_ins_to_their_engineer_and_dispatchers(
    day_client, database
):
    dispatcher = login(day_client, "dispatcher")
    plan_id = run_plan(day_client, dispatcher)
    assert (
        day_client.post(f"/api/v1/plans/{plan_id}/publish", headers=dispatcher).status_code == 200
    )
    plan = day_client.get(f"/api/v1/plans/{plan_id}", headers=dispatcher).json()
    route = plan["routes"][0]
    visit = route["visits"][0]
    engineer = engineer_login(day_client, database, route["engineer_id"])
    checked = day_client.post(
        f"/api/v1/me/jobs/{visit['ticket_id']}/check-in",
        json={"lat": visit["lat"], "lon": visit["lon"], "device_time": None},
        headers=engineer,
    )
    assert checked.status_code == 200, checked.text

    day = DAY.isoformat()
    seen = day_client.get(f"/api/v1/engineers/site-visits?date={day}", headers=dispatcher).json()
    assert [(v["ticket_id"], v["engineer_id"], v["ticket_number"]) for v in seen["items"]] == [
        (visit["ticket_id"], route["engineer_id"], visit["ticket_number"])
    ]
    assert seen["items"][0]["checked_out_at"] is None
    assert seen["items"][0]["flagged"] is False
    own = day_client.get(f"/api/v1/engineers/site-visits?date={day}", headers=engineer).json()
    assert [v["ticket_id"] for v in own["items"]] == [visit["ticket_id"]]
    others = login(day_client, "engineer")
    if (
        day_client.get("/api/v1/auth/me", headers=others).json()["engineer_id"]
        != route["engineer_id"]
    ):
        hidden = day_client.get(f"/api/v1/engineers/site-visits?date={day}", headers=others)
        assert hidden.json()["items"] == []
    next_day = (DAY + dt.timedelta(days=1)).isoformat()
    later = day_client.get(f"/api/v1/engineers/site-visits?date={next_day}", headers=dispatcher)
    assert later.json()["items"] == []


@pytest.mark.parametrize("path", ["/api/v1/engineers/positions", "/api/v1/console/config"])
def test_console_reads_need_a_login(client, path):
    assert client.get(path).status_code == 401
