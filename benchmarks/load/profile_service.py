"""Where the time of the phones' calls and of dispatch-now goes (cProfile, in process).

Prepares the day like ``run.py`` (fresh PostgreSQL database, demo organisation, optimised and
published day), then profiles through the ASGI app in this process: ``GET /me/jobs`` whole
and with its ETag (304), a check-in and check-out, and dispatch-now. Prints the wall time
per call and the top functions by cumulative time of each.

    .venv/bin/python benchmarks/load/profile_service.py --engineers 200 --tickets 2000
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import fresh_database, phone_token, prepare, service_morning

from api.app import create_app
from dispatch.infra.settings import Settings


def profiled(label: str, calls: int, call: Callable[[], Any], top: int) -> None:
    """Run ``call`` ``calls`` times under cProfile; print the mean wall time and the top rows."""
    profile = cProfile.Profile()
    t0 = time.perf_counter()
    profile.enable()
    for _ in range(calls):
        call()
    profile.disable()
    wall = (time.perf_counter() - t0) / calls
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out).sort_stats("cumulative")
    stats.print_stats(top)
    print(f"\n### {label}: {wall * 1000:.1f} ms per call (mean of {calls}, under the profiler)")
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[-6000:])


def main() -> None:
    """Prepare, then profile each call."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/dispatch_load"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--engineers", type=int, default=200)
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--budget", type=float, default=10.0)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--reuse", action="store_true", help="profile the day a run.py run left in the database"
    )
    args = parser.parse_args()
    if not args.reuse:
        fresh_database(args.database_url)
    if args.redis_url and not args.reuse:
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
    settings = Settings(
        environment="test",
        database_url=args.database_url,
        redis_url=args.redis_url or None,
        log_level="WARNING",
        log_json=False,
        clock_at=service_morning(),
    )
    if args.reuse:
        phones = left_phones(settings)
    else:
        phones, lines = prepare(settings, args.engineers, args.tickets, args.budget)
        print("\n".join(lines))
    with TestClient(create_app(settings)) as client:
        phone = phones[0]
        headers = {"Authorization": f"Bearer {phone['token']}"}
        url = f"/api/v1/me/jobs?date={phone['day']}"
        etag = client.get(url, headers=headers).headers["ETag"]
        profiled("GET /me/jobs (whole)", 50, lambda: client.get(url, headers=headers), args.top)
        conditional = {**headers, "If-None-Match": etag}
        profiled("GET /me/jobs (304)", 50, lambda: client.get(url, headers=conditional), args.top)
        jobs = iter(phone["jobs"])

        def work() -> None:
            job = next(jobs)
            body = {"lat": job["lat"], "lon": job["lon"]}
            client.post(f"/api/v1/me/jobs/{job['ticket_id']}/check-in", json=body, headers=headers)
            client.post(
                f"/api/v1/me/jobs/{job['ticket_id']}/check-out",
                json={"outcome": "fixed", "customer_accepted": True},
                headers=headers,
            )

        profiled("check-in + check-out", min(3, len(phone["jobs"])), work, args.top)
        ping = {"lat": phone["jobs"][0]["lat"], "lon": phone["jobs"][0]["lon"]}
        profiled(
            "POST /me/location",
            50,
            lambda: client.post("/api/v1/me/location", json=ping, headers=headers),
            args.top,
        )
    profile_dispatch_now(settings, args)


def left_phones(settings: Settings) -> list[dict[str, Any]]:
    """The load test's phones with the jobs of theirs not yet started, from the database."""
    from sqlalchemy import select

    from dispatch.models import Plan, PlanStatus, Ticket, User
    from dispatch.runtime import Runtime

    runtime = Runtime(settings)
    try:
        with runtime.session() as session:
            plan = session.scalars(
                select(Plan)
                .where(Plan.status == PlanStatus.PUBLISHED.value)
                .order_by(Plan.id.desc())
            ).first()
            assert plan is not None, "no published day to reuse"
            phones = []
            for user in session.scalars(select(User).where(User.username.like("load-%"))):
                jobs = [
                    {"ticket_id": v.ticket_id, "lat": v.ticket.site.lat, "lon": v.ticket.site.lon}
                    for v in sorted(plan.visits, key=lambda v: v.sequence)
                    if v.engineer_id == user.engineer_id
                    and session.get(Ticket, v.ticket_id).status in ("scheduled", "dispatched")  # type: ignore[union-attr]
                ]
                if jobs:
                    phones.append(
                        {
                            "token": phone_token(settings, user),
                            "day": str(plan.plan_date),
                            "jobs": jobs,
                        }
                    )
        return sorted(phones, key=lambda p: -len(p["jobs"]))
    finally:
        runtime.close()


def profile_dispatch_now(settings: Settings, args: argparse.Namespace) -> None:
    """Profile one dispatch-now through the ASGI app (an emergency at the last asset)."""
    from sqlalchemy import select

    from dispatch.models import Asset, Site

    with TestClient(create_app(settings)) as client:
        token = client.post(
            "/api/v1/auth/token", data={"username": "dispatcher", "password": "demo"}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        with runtime.session() as session:
            assets = list(session.scalars(select(Asset).order_by(Asset.id.desc()).limit(3)))
            places = [(session.get(Site, a.site_id), a) for a in assets]
            rows = [(s.customer_id, s.id, a.id) for s, a in places if s is not None]
        created = iter(rows)

        def one() -> None:
            customer_id, site_id, asset_id = next(created)
            ticket = client.post(
                "/api/v1/tickets",
                json={
                    "customer_id": customer_id,
                    "site_id": site_id,
                    "asset_id": asset_id,
                    "kind": "repair",
                    "priority": 1,
                    "estimated_minutes": 45,
                },
                headers=headers,
            ).json()
            response = client.post(f"/api/v1/tickets/{ticket['id']}/dispatch-now", headers=headers)
            insertion = response.json().get("insertion_ms")
            print(f"dispatch-now: {response.status_code}, solver insertion {insertion} ms")

        profiled("dispatch-now (with the ticket's creation)", len(rows), one, args.top)


if __name__ == "__main__":
    main()
