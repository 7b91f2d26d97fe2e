"""The dispatcher console in a real browser (Debian's Chromium through Playwright) against a
real server on the test database: log in, optimise, review the diff, publish (and the 409 of
a stale plan), and watch a check-in made through the API move the engineer on the map."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from dispatch.infra.db import Database
from dispatch.org.users import create_user
from tests.api.console_server import (
    CHROMIUM,
    CHROMIUM_ARGS,
    require_chromium,
    start_server,
    token,
)
from tests.api.service_world import MORNING, world

pytestmark = pytest.mark.browser

__all__ = ["world"]

WAIT_MS = 120_000
"""Generous: an optimisation on a busy two-core machine."""
ENGINEERS = 6
"""Active engineers of the ``demo`` fixture (all shown in the headquarters' view)."""


@pytest.fixture
def live_server(
    world: None, database_url: str, redis_url: str | None, tmp_path: Path
) -> Iterator[str]:
    """The API (and a worker with Redis) serving the demo day of the test database, its
    clock starting at 09:30 of that day (so the day is plannable whatever the hour)."""
    require_chromium()
    yield from start_server(database_url, redis_url, tmp_path, clock_at=MORNING)


@pytest.fixture
def browser() -> Iterator[Any]:
    """A headless Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Console:
    """One logged-in console page, recording page errors and requests leaving the server."""

    def __init__(self, browser: Any, base: str, username: str, password: str = "demo") -> None:
        from playwright.sync_api import expect

        self.expect = expect
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on(
            "request",
            lambda request: (
                None
                if request.url.startswith((base, "data:"))
                else self.outside.append(request.url)
            ),
        )
        self.page.goto(f"{base}/console")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        self.page.click("#login-form button[type=submit]")
        expect(self.page.locator("#main")).to_be_visible()
        expect(self.page.locator("#live-status")).to_have_text("live")

    def close(self) -> None:
        self.context.close()


def wait_until(check: Callable[[], bool], what: str) -> None:
    """Poll ``check``: the API answers before its transaction is visible to the next read."""
    deadline = time.monotonic() + 30
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.1)


def ticket_status(base: str, headers: dict[str, str], ticket_id: int) -> str:
    response = httpx.get(f"{base}/api/v1/tickets/{ticket_id}", headers=headers)
    assert response.status_code == 200, response.text
    return str(response.json()["status"])


def today(base: str, headers: dict[str, str]) -> str:
    """The demo's day, the one the console opens on (today while its work is to come)."""
    config = httpx.get(f"{base}/api/v1/console/config", headers=headers).json()
    return str(config["regions"][0]["open_day"])


def plan_of(base: str, headers: dict[str, str], plan_id: int) -> dict[str, Any]:
    response = httpx.get(f"{base}/api/v1/plans/{plan_id}", headers=headers)
    assert response.status_code == 200, response.text
    plan: dict[str, Any] = response.json()
    return plan


def optimise_and_publish(base: str, headers: dict[str, str]) -> dict[str, Any]:
    """A published plan of the headquarters (all regions), made through the API."""
    body = {"region": "HQ", "date": today(base, headers), "time_budget_seconds": 2}
    run = httpx.post(f"{base}/api/v1/optimizations", json=body, headers=headers).json()
    deadline = time.monotonic() + WAIT_MS / 1000
    while (
        status := httpx.get(f"{base}/api/v1/optimizations/{run['id']}", headers=headers).json()[
            "status"
        ]
    ) in ("queued", "running"):
        assert time.monotonic() < deadline, "the run did not finish"
        time.sleep(0.3)
    assert status == "succeeded", status
    response = httpx.post(f"{base}/api/v1/plans/{run['id']}/publish", headers=headers)
    assert response.status_code == 200, response.text
    published: dict[str, Any] = response.json()
    query = {"region": "HQ", "date": body["date"], "status": "published"}
    wait_until(
        lambda: (
            [
                p["id"]
                for p in httpx.get(f"{base}/api/v1/plans", params=query, headers=headers).json()
            ]
            == [published["id"]]
        ),
        "the plan is published",
    )
    return published


def engineer_account(
    database: Database, plan: dict[str, Any]
) -> tuple[str, str, dict[str, Any], list[dict[str, Any]]]:
    """The demo ``engineer`` when E001 has visits in ``plan``, else a new account bound to
    the first engineer with visits: (username, password, route, visits)."""
    routes = [r for r in plan["routes"] if r["visits"]]
    assert routes, "the demo day should plan something"
    for route in routes:
        if route["engineer_code"] == "E001":
            return "engineer", "demo", route, route["visits"]
    route = routes[0]
    username = f"field-{route['engineer_code'].lower()}"
    with database.session() as session:
        create_user(
            session=session,
            username=username,
            password="field-pass-1",
            role="engineer",
            engineer_code=route["engineer_code"],
        )
    return username, "field-pass-1", route, route["visits"]


def test_dispatcher_optimises_publishes_and_sees_a_check_in_move_the_engineer(
    live_server: str, browser: Any, database: Database
) -> None:
    base = live_server
    dispatcher = token(base, "dispatcher")
    console = Console(browser, base, "dispatcher")
    page, expect = console.page, console.expect

    # Every engineer on the map, no plan yet.
    expect(page.locator(".eng-marker")).to_have_count(ENGINEERS)
    expect(page.locator("#plan-status")).to_have_attribute("data-status", "none")

    # A run can be called off while it runs. (The solve itself goes on to its budget in the
    # worker, which the next run waits for: keep it short.)
    page.fill("#opt-budget", "10")
    page.click("#opt-start")
    expect(page.locator("#opt-progress")).to_be_visible()
    page.click("#opt-cancel")
    expect(page.locator("#opt-status")).to_contain_text("cancelled", timeout=WAIT_MS)
    expect(page.locator("#opt-cancel")).to_be_hidden()
    expect(page.locator("#diff-panel")).to_be_hidden()

    # Optimise: progress, then the candidate with its diff against (no) published plan.
    page.fill("#opt-budget", "2")
    page.click("#opt-start")
    expect(page.locator("#diff-panel")).to_be_visible(timeout=WAIT_MS)
    first_id = int(page.get_attribute("#diff-panel", "data-plan-id") or 0)
    first = plan_of(base, dispatcher, first_id)
    planned = sum(len(r["visits"]) for r in first["routes"])
    assert planned > 0
    expect(page.locator("#diff-summary")).to_contain_text(
        f"{planned} added, 0 dropped, 0 moved against no published plan"
    )
    expect(page.locator("#plan-status")).to_have_attribute("data-status", "candidate")
    expect(page.locator("path.route")).to_have_count(len(first["routes"]))

    # The plan goes stale (a customer puts a planned ticket on hold): publishing says why.
    victim = first["routes"][0]["visits"][0]
    held = httpx.post(
        f"{base}/api/v1/tickets/{victim['ticket_id']}/transitions",
        json={"action": "hold_customer", "reason": "customer away"},
        headers=dispatcher,
    )
    assert held.status_code == 200, held.text
    wait_until(
        lambda: ticket_status(base, dispatcher, victim["ticket_id"]) == "on_hold_customer",
        "the hold is stored",
    )
    page.click("#publish")
    conflict = page.locator("#conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text(victim["ticket_number"])
    assert plan_of(base, dispatcher, first_id)["status"] == "succeeded"

    # Re-optimise and publish the fresh plan.
    page.click("#opt-start")
    expect(conflict).to_be_hidden()
    page.wait_for_function(
        "old => (document.querySelector('#diff-panel').dataset.planId || old) !== old",
        arg=str(first_id),
        timeout=WAIT_MS,
    )
    expect(page.locator("#diff-panel")).to_be_visible()
    second_id = int(page.get_attribute("#diff-panel", "data-plan-id") or 0)
    page.click("#publish")
    expect(page.locator("#plan-status")).to_have_attribute("data-status", "published")
    expect(page.locator("#plan-status")).to_have_text(f"Published plan #{second_id}")
    expect(page.locator("#diff-panel")).to_be_hidden()
    wait_until(
        lambda: plan_of(base, dispatcher, second_id)["status"] == "published", "it is published"
    )
    published = plan_of(base, dispatcher, second_id)
    assert victim["ticket_id"] not in {
        v["ticket_id"] for r in published["routes"] for v in r["visits"]
    }
    expect(page.locator("path.route")).to_have_count(len(published["routes"]))

    # A check-in through the API moves the engineer's marker, live.
    username, password, route, visits = engineer_account(database, published)
    job = visits[0]
    marker = page.locator(f'.eng-marker[data-engineer-id="{route["engineer_id"]}"]')
    lat, lon = job["lat"] + 0.0004, job["lon"] - 0.0003  # ~50 m from the site
    assert marker.get_attribute("data-lat") != f"{lat:.6f}"
    response = httpx.post(
        f"{base}/api/v1/me/jobs/{job['ticket_id']}/check-in",
        json={"lat": lat, "lon": lon, "device_time": "2026-01-01T09:00:00+08:00"},
        headers=token(base, username, password),
    )
    assert response.status_code == 200, response.text
    assert response.json()["flagged"] is False
    expect(marker).to_have_attribute("data-lat", f"{lat:.6f}")
    expect(marker).to_have_attribute("data-lon", f"{lon:.6f}")
    expect(page.locator('#events li[data-kind="engineer.checked_in"]')).to_have_count(1)
    expect(page.locator(f'.ticket-marker[data-ticket-id="{job["ticket_id"]}"]')).to_have_attribute(
        "data-status", "on_site"
    )
    expect(page.locator(f'.gantt-lane .actual[data-ticket-id="{job["ticket_id"]}"]')).to_have_count(
        1
    )

    # An emergency comes in: it shows up live and is dispatched from the console.
    emergency = new_emergency(base, dispatcher, visits[-1]["ticket_id"])
    row = page.locator(f'#unassigned-body .waiting li[data-ticket-id="{emergency}"]')
    expect(row).to_be_visible()
    row.get_by_role("button", name="Dispatch now").click()
    outcome = page.locator(f'#dispatch-result [data-ticket-id="{emergency}"]')
    expect(outcome).to_be_visible(timeout=WAIT_MS)
    if "dispatched" in (outcome.get_attribute("class") or "").split():  # not "not-dispatched"
        wait_until(
            lambda: ticket_status(base, dispatcher, emergency) == "dispatched", "it is dispatched"
        )
        ticket = httpx.get(f"{base}/api/v1/tickets/{emergency}", headers=dispatcher).json()
        engineers = httpx.get(f"{base}/api/v1/engineers", headers=dispatcher).json()["items"]
        codes = {e["id"]: e["code"] for e in engineers}
        assert ticket["status"] == "dispatched"
        assert outcome.get_attribute("data-engineer") == codes[ticket["assigned_engineer_id"]]
        expect(page.locator(f'.ticket-marker[data-ticket-id="{emergency}"]')).to_have_count(1)
        expect(row).to_be_hidden()  # it is in the (new) published plan now
    else:  # refused: the console says so and nothing was dispatched
        expect(outcome).to_have_attribute("role", "alert")
        assert ticket_status(base, dispatcher, emergency) in ("new", "triaged")

    # Usable without map tiles, and every control has a name a screen reader can say.
    expect(page.locator("#map")).to_have_class(re.compile(r"\bno-tiles\b"))
    unnamed = page.evaluate(UNNAMED_CONTROLS)
    assert unnamed == [], unnamed

    assert console.errors == []
    assert console.outside == [], "the console must not fetch anything from elsewhere"
    console.close()


UNNAMED_CONTROLS = """() => [...document.querySelectorAll("button, input, select, a[href], [role=button]")]
  .filter((e) => e.offsetParent !== null)
  .filter((e) => !(e.getAttribute("aria-label") || e.getAttribute("title")
    || (e.labels && e.labels.length) || e.textContent.trim()))
  .map((e) => e.outerHTML.slice(0, 80))"""


def new_emergency(base: str, headers: dict[str, str], like: int) -> int:
    """A P1 repair at the site (and on the asset) of ticket ``like``, through the API."""
    model = httpx.get(f"{base}/api/v1/tickets/{like}", headers=headers).json()
    body = {
        "customer_id": model["customer"]["id"],
        "site_id": model["site"]["id"],
        "asset_id": model["asset_id"],
        "kind": "repair",
        "priority": 1,
        "estimated_minutes": 30,
        "required_skill": model["required_skill"],
        "symptoms": "stuck between floors",
    }
    response = httpx.post(f"{base}/api/v1/tickets", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_an_engineer_sees_only_their_own_route(
    live_server: str, browser: Any, database: Database
) -> None:
    base = live_server
    published = optimise_and_publish(base, token(base, "dispatcher"))
    username, password, route, visits = engineer_account(database, published)
    console = Console(browser, base, username, password)
    page, expect = console.page, console.expect

    expect(page.locator("path.route")).to_have_count(1)
    expect(page.locator(f"path.route-{route['engineer_code']}")).to_have_count(1)
    expect(page.locator(".ticket-marker")).to_have_count(len(visits))
    expect(page.locator(".gantt-row[data-engineer-id]")).to_have_count(1)
    expect(page.locator("#opt-start")).to_be_hidden()
    expect(page.locator("#unassigned-body")).to_be_hidden()

    # No position yet: the marker appears with the first ping, live.
    expect(page.locator(".eng-marker")).to_have_count(0)
    ping = httpx.post(
        f"{base}/api/v1/me/location",
        json={"lat": 31.2, "lon": 121.5},
        headers=token(base, username, password),
    )
    assert ping.status_code == 200, ping.text
    marker = page.locator(f'.eng-marker[data-engineer-id="{route["engineer_id"]}"]')
    expect(marker).to_have_attribute("data-lat", "31.200000")

    assert console.errors == []
    assert console.outside == []
    console.close()
