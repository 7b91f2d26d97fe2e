"""Take docs/console.png: the console on the demo data after an optimisation and a check-in.

Run against a server with the demo data loaded (``make run`` in another shell)::

    .venv/bin/python scripts/console_screenshot.py http://127.0.0.1:8000 docs/console.png
"""

from __future__ import annotations

import sys

import httpx
from playwright.sync_api import expect, sync_playwright

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def main(base: str, out: str) -> None:
    """Log in as the dispatcher, optimise and publish, check E001 in, screenshot."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 960})
        page.goto(f"{base}/console")
        page.fill("#username", "dispatcher")
        page.fill("#password", "demo")
        page.click("#login-form button[type=submit]")
        expect(page.locator("#live-status")).to_have_text("live", timeout=30_000)
        page.fill("#opt-budget", "10")
        page.click("#opt-start")
        expect(page.locator("#diff-panel")).to_be_visible(timeout=180_000)
        page.click("#publish")
        expect(page.locator("#plan-status")).to_have_attribute("data-status", "published")
        engineer = httpx.post(
            f"{base}/api/v1/auth/token", data={"username": "engineer", "password": "demo"}
        ).json()["access_token"]
        jobs = httpx.get(
            f"{base}/api/v1/me/jobs", headers={"Authorization": f"Bearer {engineer}"}
        ).json()["jobs"]
        if jobs:
            site = jobs[0]["site"]
            httpx.post(
                f"{base}/api/v1/me/jobs/{jobs[0]['ticket_id']}/check-in",
                json={"lat": site["lat"], "lon": site["lon"]},
                headers={"Authorization": f"Bearer {engineer}"},
            )
            page.wait_for_selector('#events li[data-kind="engineer.checked_in"]')
        page.wait_for_timeout(1000)
        page.screenshot(path=out)
        browser.close()


if __name__ == "__main__":
    main(
        sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000",
        sys.argv[2] if len(sys.argv) > 2 else "docs/console.png",
    )
