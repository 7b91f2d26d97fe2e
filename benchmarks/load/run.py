"""Load test of the engineers' app API against a real server on PostgreSQL (and Redis).

Prepares a fresh database (demo organisation, an optimised and published day), starts
``dispatch serve``, and runs Locust headless: phones poll ``GET /me/jobs`` with their
ETag and now and then check in (retried once with the same Idempotency-Key) and check
out. Prints p50 / p99 latency and requests per second per endpoint.

    .venv/bin/python benchmarks/load/run.py --users 50 --seconds 60 --markdown load.md
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import psycopg
from sqlalchemy import select
from sqlalchemy.engine import make_url

from dispatch import migrate, optimization, publishing
from dispatch.demo import MetroArea, load_demo
from dispatch.models import Engineer, User
from dispatch.runtime import Runtime
from dispatch.settings import Settings
from dispatch.users import create_user

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def fresh_database(url: str) -> None:
    """Drop and create the database ``url`` names (PostgreSQL, trust or password auth)."""
    target = make_url(url)
    admin = target.set(database="postgres").render_as_string(hide_password=False)
    admin = admin.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target.database}"')


def service_day() -> dt.date:
    """Today in the demo city, or the next weekday (every demo engineer works then)."""
    day = dt.datetime.now(ZoneInfo(MetroArea().timezone)).date()
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def prepare(settings: Settings, engineers: int, tickets: int, budget: float) -> list[dict]:
    """Load the organisation, optimise and publish the day; return the phones' log-ins."""
    migrate.upgrade(settings.database_url)
    day = service_day()
    runtime = Runtime(settings)
    try:
        with runtime.session() as session:
            load_demo(session=session, seed=11, day=day, engineers=engineers, tickets=tickets)
        with runtime.session() as session:
            plan = optimization.request_optimization(
                session=session,
                region_code="HQ",
                day=day,
                time_budget=budget,
                options=optimization.RunOptions(),
                actor=None,
                now=runtime.clock(),
            )
            plan_id = plan.id
        status = optimization.run_optimization(plan_id, runtime=runtime)
        assert status == "succeeded", status
        phones: list[dict] = []
        with runtime.session() as session:
            plan = publishing.publish_plan(session=session, plan_id=plan_id, actor=None)
            routes: dict[int, list[dict]] = {}
            for v in sorted(plan.visits, key=lambda v: (v.engineer_id, v.sequence)):
                routes.setdefault(v.engineer_id, []).append(
                    {"ticket_id": v.ticket_id, "lat": v.ticket.site.lat, "lon": v.ticket.site.lon}
                )
            bound = set(
                session.scalars(select(User.engineer_id).where(User.engineer_id.is_not(None)))
            )
            for engineer_id, jobs in sorted(routes.items()):
                code = session.get(Engineer, engineer_id).code  # type: ignore[union-attr]
                username = f"load-{code.lower()}"
                if engineer_id in bound:
                    continue
                create_user(
                    session=session,
                    username=username,
                    password="load-pass-1",
                    role="engineer",
                    engineer_code=code,
                )
                phones.append(
                    {"username": username, "password": "load-pass-1", "day": str(day), "jobs": jobs}
                )
            served = len(plan.visits)
        print(f"prepared {day}: plan {plan_id} with {served} visits, {len(phones)} phones")
        return phones
    finally:
        runtime.close()


def serve(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    """Start ``dispatch serve`` and wait until it answers."""
    process = subprocess.Popen(
        [str(BIN / "dispatch"), "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"server did not start: {log.read_text()}")


def dispatch_now_latency(base: str, count: int, database_url: str) -> list[dict[str, object]]:
    """Create ``count`` P1 tickets and dispatch each now through the API; time each call."""
    from dispatch.db import Database
    from dispatch.models import Asset, Site

    token = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": "dispatcher", "password": "demo"}
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    database = Database(Settings(database_url=database_url))
    with database.session() as session:
        places = [
            (session.get(Site, a.site_id), a)
            for a in session.scalars(select(Asset).order_by(Asset.id.desc()).limit(count))
        ]
        rows = [(site.customer_id, site.id, a.id) for site, a in places if site is not None]
    database.dispose()
    results: list[dict[str, object]] = []
    for customer_id, site_id, asset_id in rows:
        ticket = httpx.post(
            f"{base}/api/v1/tickets",
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
        started = time.perf_counter()
        response = httpx.post(
            f"{base}/api/v1/tickets/{ticket['id']}/dispatch-now", headers=headers, timeout=30
        )
        elapsed = time.perf_counter() - started
        body = response.json()
        results.append(
            {
                "status": response.status_code,
                "ms": round(elapsed * 1000, 1),
                "insertion_ms": body.get("insertion_ms"),
                "detail": body.get("detail"),
            }
        )
    return results


def read_stats(prefix: Path) -> list[dict[str, str]]:
    """Rows of Locust's ``*_stats.csv``."""
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def table(rows: list[dict[str, str]], args: argparse.Namespace) -> str:
    """The figures as Markdown."""
    lines = [
        f"Load test {dt.date.today()} on {platform.node()} ({os.cpu_count()} CPUs, "
        f"{platform.python_implementation()} {platform.python_version()}): {args.users} phones, "
        f"{args.seconds} s, {args.workers} uvicorn workers, PostgreSQL"
        f"{' + Redis' if args.redis_url else ''}; Locust on the same machine.",
        "",
        "| endpoint | requests | failures | p50 ms | p99 ms | req/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['Name']} | {r['Request Count']} | {r['Failure Count']} | "
            f"{r['50%']} | {r['99%']} | {float(r['Requests/s']):.1f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    """Prepare, serve, load, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/dispatch_load"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--users", type=int, default=50, help="concurrent phones")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--engineers", type=int, default=100)
    parser.add_argument("--tickets", type=int, default=600)
    parser.add_argument("--budget", type=float, default=20.0, help="solver seconds for the day")
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--markdown", type=Path, help="also write the table here")
    parser.add_argument(
        "--emergencies", type=int, default=10, help="dispatch-now calls timed after the load"
    )
    args = parser.parse_args()

    fresh_database(args.database_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPATCH_")}
    env.update(
        DISPATCH_DATABASE_URL=args.database_url,
        DISPATCH_ENVIRONMENT="production",
        DISPATCH_SECRET_KEY="load-test-secret-" + "x" * 32,
        DISPATCH_LOG_LEVEL="WARNING",
    )
    if args.redis_url:
        env["DISPATCH_REDIS_URL"] = args.redis_url
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
    settings = Settings(
        database_url=args.database_url,
        redis_url=args.redis_url or None,
        secret_key=env["DISPATCH_SECRET_KEY"],  # type: ignore[arg-type]
    )
    phones = prepare(settings, args.engineers, args.tickets, args.budget)
    with tempfile.TemporaryDirectory() as tmp:
        phones_file = Path(tmp) / "phones.json"
        phones_file.write_text(json.dumps(phones))
        server = serve(env, args.port, args.workers, Path(tmp) / "server.log")
        try:
            prefix = Path(tmp) / "load"
            subprocess.run(
                [
                    str(BIN / "locust"),
                    "-f",
                    str(HERE / "locustfile.py"),
                    "--headless",
                    "--users",
                    str(args.users),
                    "--spawn-rate",
                    str(max(1, args.users // 5)),
                    "--run-time",
                    f"{args.seconds}s",
                    "--host",
                    f"http://127.0.0.1:{args.port}",
                    "--csv",
                    str(prefix),
                    "--only-summary",
                ],
                env={**env, "DISPATCH_LOAD_PHONES": str(phones_file)},
                check=False,
            )
            text = table(read_stats(prefix), args)
            if args.emergencies:
                timed = dispatch_now_latency(
                    f"http://127.0.0.1:{args.port}", args.emergencies, args.database_url
                )
                ok = sorted(float(str(r["ms"])) for r in timed if r["status"] == 200)
                inner = sorted(float(str(r["insertion_ms"])) for r in timed if r["status"] == 200)
                text += (
                    f"\nDispatch now ({args.engineers} engineers, {args.tickets} tickets, "
                    f"published day): {len(ok)} of {len(timed)} placed; HTTP round trip "
                    f"p50 {ok[len(ok) // 2] if ok else float('nan'):.0f} ms, "
                    f"max {ok[-1] if ok else float('nan'):.0f} ms; solver insertion p50 "
                    f"{inner[len(inner) // 2] if inner else float('nan'):.0f} ms.\n"
                )
                for r in timed:
                    if r["status"] != 200:
                        text += f"- {r['status']}: {r['detail']}\n"
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
