"""The console's engineers, import and ticket-editing pages in a real browser (Debian's
Chromium through Playwright) against a real server on the test database, in English and in
Chinese: the browser's language picks the console's, the switch changes and keeps it."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from dispatch.infra.db import Database
from dispatch.models import Engineer
from tests.api.console_server import CHROMIUM, CHROMIUM_ARGS, require_chromium, start_server, token
from tests.api.service_world import DAY, MORNING, ZONE, world

pytestmark = pytest.mark.browser

__all__ = ["world"]

TEXT = {
    "en": {
        "engineers": "Engineers",
        "absences": "Absences",
        "recorded": "Absence recorded.",
        "sick": "sick",
        "cancelled": "cancelled",
        "level": "(level",
        "column": "Column",
        "errors": "row errors",
        "clean": "No errors: ready to commit.",
        "committed": "Imported and committed.",
        "created": "Created",
    },
    "zh-CN": {
        "engineers": "工程师",
        "absences": "缺勤",
        "recorded": "缺勤已登记。",
        "sick": "病假",
        "cancelled": "已取消",
        "level": "级）",
        "column": "列",
        "errors": "行错误",
        "clean": "没有错误：可以提交。",
        "committed": "已导入并提交。",
        "created": "新建",
    },
}
"""What each language must show (from messages/en.js and messages/zh-CN.js)."""
LANGUAGES = sorted(TEXT)


@pytest.fixture
def live_server(
    world: None, database_url: str, redis_url: str | None, tmp_path: Path
) -> Iterator[str]:
    """The API serving the demo day, its clock at 09:30 of that day."""
    require_chromium()
    yield from start_server(database_url, redis_url, tmp_path, workers=False, clock_at=MORNING)


@pytest.fixture
def browser() -> Iterator[Any]:
    """A headless Chromium; assertions wait up to 20 s (a busy two-core machine), then 5 s
    again (Playwright's default) for the other tests."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=20_000)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            expect.set_options(timeout=5_000)


class Console:
    """A logged-in console whose browser prefers ``locale``; records page errors and any
    request that leaves the server."""

    def __init__(self, browser: Any, base: str, locale: str, username: str = "dispatcher") -> None:
        from playwright.sync_api import expect

        self.expect = expect
        self.context = browser.new_context(viewport={"width": 1400, "height": 900}, locale=locale)
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on(
            "request",
            lambda r: (
                None if r.url.startswith((base, "data:", "blob:")) else self.outside.append(r.url)
            ),
        )
        self.page.goto(f"{base}/console")
        expect(self.page.locator("html")).to_have_attribute("lang", locale)
        self.page.fill("#username", username)
        self.page.fill("#password", "demo")
        self.page.click("#login-form button[type=submit]")
        expect(self.page.locator("#main")).to_be_visible()
        expect(self.page.locator("#live-status")).to_have_attribute("data-state", "live")

    def close(self) -> None:
        assert self.errors == []
        assert self.outside == [], "the console must not fetch anything from elsewhere"
        self.context.close()


def local_input(at: dt.datetime) -> str:
    """The value of a datetime-local input for ``at`` in the demo's zone."""
    return at.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M")


def absences_of(base: str, headers: dict[str, str], engineer_id: int) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{base}/api/v1/engineers/{engineer_id}/absences",
        params={"include_cancelled": "true"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    return list(body if isinstance(body, list) else body["items"])


@pytest.mark.parametrize("locale", LANGUAGES)
def test_a_dispatcher_marks_an_engineer_absent_and_cancels_it(
    live_server: str, browser: Any, locale: str
) -> None:
    base, text = live_server, TEXT[locale]
    headers = token(base, "dispatcher")
    engineer = httpx.get(f"{base}/api/v1/engineers", headers=headers).json()["items"][0]
    console = Console(browser, base, locale)
    page, expect = console.page, console.expect

    page.click('#pages-nav a[data-page="engineers"]')
    expect(page.locator("#engineers-title")).to_have_text(text["engineers"])
    row = page.locator(f'#engineers-table tr[data-code="{engineer["code"]}"]')
    expect(row.locator("td.skills")).to_contain_text(text["level"])
    expect(row.locator("td.shifts")).not_to_be_empty()
    row.get_by_role("button", name=engineer["code"]).click()
    expect(page.locator("#absences-title")).to_have_text(text["absences"])

    # The end before the start: the server's error is shown by the form, nothing stored.
    start = dt.datetime.combine(DAY, dt.time(12, 0), ZONE)
    page.fill("#absence-start", local_input(start))
    page.fill("#absence-end", local_input(start - dt.timedelta(hours=2)))
    page.click("#absence-submit")
    expect(page.locator("#absence-form .field-error:not([hidden])").first).to_be_visible()
    assert absences_of(base, headers, engineer["id"]) == []

    page.fill("#absence-end", local_input(start + dt.timedelta(hours=6)))
    page.select_option("#absence-reason", "sick")
    page.click("#absence-submit")
    expect(page.locator("#absence-status")).to_contain_text(text["recorded"])
    (stored,) = absences_of(base, headers, engineer["id"])
    assert dt.datetime.fromisoformat(stored["start"]) == start
    assert dt.datetime.fromisoformat(stored["end"]) == start + dt.timedelta(hours=6)
    assert stored["reason"] == "sick" and stored["cancelled_at"] is None
    shown = page.locator(f'#absences-table tr[data-absence-id="{stored["id"]}"]')
    expect(shown).to_contain_text(text["sick"])

    shown.locator("button.cancel-absence").click()
    expect(shown).to_have_attribute("data-cancelled", "true")
    expect(shown).to_contain_text(text["cancelled"])
    (after,) = absences_of(base, headers, engineer["id"])
    assert after["cancelled_at"] is not None

    # The switch changes the language and the console keeps it.
    other = next(x for x in LANGUAGES if x != locale)
    page.select_option("#lang", other)
    expect(page.locator("#engineers-title")).to_have_text(TEXT[other]["engineers"])
    expect(page.locator("#absences-title")).to_have_text(TEXT[other]["absences"])
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", other)
    expect(page.locator('#pages-nav a[data-page="engineers"]')).to_have_text(
        TEXT[other]["engineers"]
    )
    console.close()


ENGINEER_COLUMNS = [
    "code", "name", "region", "level", "skills", "home_lat", "home_lon", "shift_days",
    "shift_start", "shift_end", "break_minutes", "break_earliest", "break_latest",
    "max_jobs_per_day", "max_work_minutes_per_day", "parts_capacity", "employment",
    "cost_per_job", "certification_valid_until", "phone", "email",
]  # fmt: skip


def engineers_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    """An engineers.csv with the import's columns (empty cells take the defaults)."""
    with (path / "engineers.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, ENGINEER_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path / "engineers.csv"


def newcomer(code: str, region: str, **changes: str) -> dict[str, str]:
    row = {"code": code, "name": "张伟", "region": region, "level": "mid", "skills": "hvac:2",
           "home_lat": "31.2", "home_lon": "121.5", "shift_days": "mon-fri",
           "shift_start": "08:00", "shift_end": "17:00"}  # fmt: skip
    return {**row, **changes}


def engineers_named(database: Database, codes: list[str]) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).where(Engineer.code.in_(codes))) or 0)


@pytest.mark.parametrize("locale", LANGUAGES)
def test_an_import_with_errors_shows_every_bad_row_and_cannot_be_committed(
    live_server: str, browser: Any, database: Database, locale: str, tmp_path: Path
) -> None:
    base, text = live_server, TEXT[locale]
    region = httpx.get(f"{base}/api/v1/engineers", headers=token(base, "dispatcher")).json()[
        "items"
    ][0]["region_code"]
    bad_dir, good_dir = tmp_path / "bad", tmp_path / "good"
    bad_dir.mkdir()
    good_dir.mkdir()
    codes = ["IMP01", "IMP02", "IMP03"]
    bad = engineers_csv(bad_dir, [
        newcomer(codes[0], region),
        newcomer(codes[1], region, skills="hvac:5"),
        newcomer(codes[2], region, home_lat="200"),
    ])  # fmt: skip
    console = Console(browser, base, locale)
    page, expect = console.page, console.expect
    page.click('#pages-nav a[data-page="import"]')
    expect(page.locator("#import-commit")).to_be_disabled()

    page.set_input_files("#import-files", [str(bad)])
    page.click("#import-check")
    verdict = page.locator("#import-verdict")
    expect(verdict).to_contain_text(text["errors"])
    expect(verdict).to_have_attribute("data-committed", "false")
    errors = page.locator("#import-errors")
    expect(errors.locator("thead")).to_contain_text(text["column"])
    expect(
        errors.locator('tr[data-file="engineers.csv"][data-row="3"][data-column="skills"]')
    ).to_have_count(1)
    expect(
        errors.locator('tr[data-file="engineers.csv"][data-row="4"][data-column="home_lat"]')
    ).to_have_count(1)
    expect(page.locator("#import-commit")).to_be_disabled()
    assert engineers_named(database, codes) == 0

    # Fixed files: a clean dry run (nothing stored yet), then the commit.
    good = engineers_csv(good_dir, [newcomer(code, region) for code in codes])
    page.set_input_files("#import-files", [str(good)])
    expect(page.locator("#import-verdict")).to_have_count(0)
    page.click("#import-check")
    expect(page.locator("#import-verdict")).to_have_text(text["clean"])
    expect(
        page.locator('#import-counts td[data-kind="engineers"][data-group="created"]')
    ).to_have_text("3")
    expect(page.locator("#import-counts thead")).to_contain_text(text["created"])
    assert engineers_named(database, codes) == 0
    page.click("#import-commit")
    expect(page.locator("#import-verdict")).to_have_text(text["committed"])
    expect(page.locator("#import-commit")).to_be_disabled()
    assert engineers_named(database, codes) == 3
    console.close()


def test_a_dispatcher_edits_a_ticket_and_sees_the_servers_field_errors(
    live_server: str, browser: Any
) -> None:
    base = live_server
    headers = token(base, "dispatcher")
    console = Console(browser, base, "en")
    page, expect = console.page, console.expect

    engineers = httpx.get(f"{base}/api/v1/engineers", headers=headers).json()["items"]

    def able(e: dict[str, Any]) -> bool:
        return any(
            s["skill"] == before["required_skill"] and s["level"] >= before["min_level"]
            for s in e["skills"]
        )

    rows = page.locator("#unassigned-body .waiting li")
    expect(rows.first).to_be_visible()
    for ticket_id in [int(x) for x in rows.evaluate_all("r => r.map((x) => x.dataset.ticketId)")]:
        before = httpx.get(f"{base}/api/v1/tickets/{ticket_id}", headers=headers).json()
        if any(able(e) for e in engineers):
            break
    waiting = page.locator(f'#unassigned-body .waiting li[data-ticket-id="{ticket_id}"]')
    waiting.get_by_role("button", name=before["number"]).click()
    details = page.locator("#details")
    expect(details).to_have_attribute("data-ticket-id", str(ticket_id))

    # Navigation to the site: Amap (WGS-84, by car) and OpenStreetMap.
    site = before["site"]
    amap = details.locator("a.nav-amap")
    assert (amap.get_attribute("href") or "").startswith(
        f"https://uri.amap.com/navigation?to={site['lon']},{site['lat']},"
    )
    assert "mode=car" in (amap.get_attribute("href") or "")
    assert "coordinate=wgs84" in (amap.get_attribute("href") or "")
    osm = details.locator("a.nav-osm").get_attribute("href") or ""
    assert osm.startswith("https://www.openstreetmap.org/directions?") and f"{site['lat']}" in osm

    details.locator("#edit-ticket").click()
    form = page.locator("#ticket-edit")
    form.locator("#edit-estimated_minutes").fill("0")
    form.locator("#save-ticket").click()
    error = form.locator('[data-error-for="estimated_minutes"]')
    expect(error).to_be_visible()
    expect(error).not_to_be_empty()
    expect(form.locator("#edit-estimated_minutes")).to_have_attribute("aria-invalid", "true")
    unchanged = httpx.get(f"{base}/api/v1/tickets/{ticket_id}", headers=headers).json()
    assert unchanged["estimated_minutes"] == before["estimated_minutes"]

    # A domain error (pinning an engineer without the skill) is shown at its field too.
    unable = [e for e in engineers if not able(e)]
    if unable:
        form.locator("#edit-estimated_minutes").fill(str(before["estimated_minutes"]))
        form.locator("#edit-pinned_engineer_id").select_option(str(unable[0]["id"]))
        form.locator("#save-ticket").click()
        expect(form.locator('[data-error-for="pinned_engineer_id"]')).to_contain_text(
            unable[0]["code"]
        )
        expect(error).to_be_hidden()

    priority = 2 if before["priority"] != 2 else 3
    engineer = next(e for e in engineers if able(e))
    form.locator("#edit-priority").select_option(str(priority))
    form.locator("#edit-estimated_minutes").fill("75")
    form.locator("#add-window").click()
    start = dt.datetime.combine(DAY, dt.time(14, 0), ZONE)
    form.locator(".window-row .window-start").last.fill(local_input(start))
    form.locator(".window-row .window-end").last.fill(local_input(start + dt.timedelta(hours=2)))
    form.locator("#edit-pinned_engineer_id").select_option(str(engineer["id"]))
    form.locator("#save-ticket").click()
    expect(page.locator("#details-notice")).to_have_text("Ticket saved.")
    expect(details.locator("dl")).to_contain_text(f"P{priority}")
    expect(page.locator("#ticket-edit")).to_have_count(0)
    after = httpx.get(f"{base}/api/v1/tickets/{ticket_id}", headers=headers).json()
    assert after["priority"] == priority
    assert after["estimated_minutes"] == 75
    windows = [
        (dt.datetime.fromisoformat(w["start"]), dt.datetime.fromisoformat(w["end"]))
        for w in after["windows"]
    ]
    assert (start, start + dt.timedelta(hours=2)) in windows
    assert after["pinned_engineer_id"] == engineer["id"]
    console.close()
