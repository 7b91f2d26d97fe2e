"""Wall time of publishing a large plan and of reading it back through the API.

Seeds the demo organisation for a day in a fresh database (SQLite file by default, or
``--database-url``), optimises that day once with a short budget, then times
``POST /api/v1/plans/{id}/publish`` and ``GET /api/v1/plans/{id}`` (whole, and one page of
20 routes) through the ASGI app in this process. The service's clock is set to the evening
before the day, so the whole day is planned.

Run: ``.venv/bin/python benchmarks/publish_plan.py --engineers 200 --tickets 2500``.
Figures go to ``RESULTS.md`` with machine and date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from api.app import create_app
from dispatch.demo.org import load_demo
from dispatch.infra import migrate
from dispatch.infra.settings import Settings
from dispatch.planning import optimization

ZONE = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 12, 8)
EVENING = dt.datetime(2026, 12, 7, 18, 0, tzinfo=ZONE)


def main() -> None:
    """Parse the arguments, run once and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engineers", type=int, default=200)
    parser.add_argument("--tickets", type=int, default=2500)
    parser.add_argument("--seconds", type=float, default=20.0, help="optimisation budget")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'publish.db'}"
    migrate.upgrade(url)
    settings = Settings(
        environment="test", database_url=url, log_json=False, log_level="WARNING",
        clock_at=EVENING,
    )  # fmt: skip
    with TestClient(create_app(settings)) as client:
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        with runtime.session() as session:
            load_demo(
                session=session, seed=11, day=DAY, engineers=args.engineers, tickets=args.tickets
            )
        with runtime.session() as session:
            plan_id = optimization.request_optimization(
                session=session,
                region_code="HQ",
                day=DAY,
                time_budget_seconds=args.seconds,
                options=optimization.RunOptions(),
                actor=None,
                now=runtime.clock(),
            ).id
        assert optimization.run_optimization(plan_id, runtime=runtime) == "succeeded"
        token = client.post(
            "/api/v1/auth/token", data={"username": "dispatcher", "password": "demo"}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        t0 = time.perf_counter()
        published = client.post(f"/api/v1/plans/{plan_id}/publish", headers=headers)
        publish_s = time.perf_counter() - t0
        assert published.status_code == 200, published.text
        visits = sum(len(r["visits"]) for r in published.json()["routes"])
        t0 = time.perf_counter()
        whole = client.get(f"/api/v1/plans/{plan_id}", headers=headers)
        read_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        client.get(f"/api/v1/plans/{plan_id}", params={"route_limit": 20}, headers=headers)
        page_s = time.perf_counter() - t0
    print(f"machine: {platform.machine()} {platform.python_version()}, database: {url[:10]}")
    print(f"visits published: {visits}")
    print(f"publish: {publish_s:.2f} s")
    print(f"GET plan (all routes): {read_s:.2f} s, {len(whole.content) / 1e6:.2f} MB")
    print(f"GET plan (20 routes): {page_s:.2f} s")


if __name__ == "__main__":
    main()
