"""Load test of the service against a real server on PostgreSQL (and Redis).

Prepares a fresh database (the demo organisation with N engineers and M tickets, a day
optimised and published, timing the optimisation's own overhead: loading the day and
building the problem, storing the plan), starts ``dispatch serve``, and runs Locust
headless once per phone count: phones poll ``GET /me/jobs`` every 30 s with their ETag plus
bursts, report their position, check in and out (``locustfile.py``). Then times
dispatch-now through the API (against the solver's own insertion time). Prints req/s and
p50 / p99 per endpoint.

    .venv/bin/python benchmarks/load/run.py --engineers 200 --tickets 2000 --users 50,200 \
        --seconds 60 --markdown load.md
    .venv/bin/python benchmarks/load/run.py --engineers 100 --tickets 600 --users 0
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
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psycopg
from sqlalchemy import select
from sqlalchemy.engine import make_url

import solver
from dispatch.demo.org import MetroArea, load_demo
from dispatch.infra import migrate
from dispatch.infra.security import create_access_token
from dispatch.infra.settings import Settings
from dispatch.models import Engineer, Plan, User
from dispatch.org.users import create_user
from dispatch.planning import optimization, publishing
from dispatch.planning import problem as planning
from dispatch.runtime import Runtime

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
    """The next weekday after today in the demo city (every demo engineer works then; the
    demo seeds today's windows as past when its shifts are nearly over)."""
    day = dt.datetime.now(ZoneInfo(MetroArea().timezone)).date() + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def service_morning() -> dt.datetime:
    """08:30 of :func:`service_day` in the demo city: the server's clock starts there, so the
    whole day is ahead whatever the hour of the run (the clock then ticks in real time)."""
    zone = ZoneInfo(MetroArea().timezone)
    return dt.datetime.combine(service_day(), dt.time(8, 30), tzinfo=zone)


class PhaseTimer:
    """Wall time spent in named module functions while installed (benchmark instrumentation)."""

    def __init__(self, targets: dict[str, tuple[Any, str]]) -> None:
        self.seconds = dict.fromkeys(targets, 0.0)
        self._targets = targets
        self._saved: dict[str, Any] = {}

    def __enter__(self) -> PhaseTimer:
        for name, (module, attr) in self._targets.items():
            original = getattr(module, attr)
            self._saved[name] = original
            setattr(module, attr, self._timed(name, original))
        return self

    def _timed(self, name: str, original: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - t0

        return timed

    def __exit__(self, *_exc: object) -> None:
        for name, (module, attr) in self._targets.items():
            setattr(module, attr, self._saved[name])


def optimise(runtime: Runtime, day: dt.date, budget: float) -> tuple[int, str]:
    """Optimise the day; return the plan id and a line on where the wall time went."""
    with runtime.session() as session:
        plan_id = optimization.request_optimization(
            session=session,
            region_code="HQ",
            day=day,
            time_budget_seconds=budget,
            options=optimization.RunOptions(),
            actor=None,
            now=runtime.clock(),
        ).id
    targets = {
        "build": (planning, "build_problem"),
        # Where the run looks them up: ``solver.solve`` through the package, the store
        # under the name optimization imported it by.
        "solve": (solver, "solve"),
        "store": (optimization, "store_solution"),
    }
    t0 = time.perf_counter()
    with PhaseTimer(targets) as timer:
        status = optimization.run_optimization(plan_id, runtime=runtime)
    wall = time.perf_counter() - t0
    assert status == "succeeded", status
    overhead = wall - timer.seconds["solve"]
    line = (
        f"Optimisation of the day, budget {budget:g} s: wall {wall:.2f} s, solver "
        f"{timer.seconds['solve']:.2f} s, overhead {overhead:.2f} s "
        f"({100 * overhead / budget:.1f} % of the budget): load + build "
        f"{timer.seconds['build']:.2f} s, store {timer.seconds['store']:.2f} s, "
        f"the rest (claim, commits, heartbeat) {overhead - timer.seconds['build'] - timer.seconds['store']:.2f} s."
    )
    return plan_id, line


def phone_token(settings: Settings, user: User) -> str:
    """The access token a phone keeps from its log-in, minted by the app's own function.

    A phone logs in once a shift and keeps its token (``access_token_minutes``, 12 h), so the
    load run measures polling in steady state, not 200 argon2 log-ins at once; the server
    checks these tokens exactly as it checks a log-in's (same function, same secret)."""
    return create_access_token(
        user_id=user.id,
        role=user.role,
        secret=settings.secret_key.get_secret_value(),
        minutes=settings.access_token_minutes,
    )


def prepare(
    settings: Settings, engineers: int, tickets: int, budget: float
) -> tuple[list[dict], list[str]]:
    """Load the organisation, optimise and publish the day; return the phones' tokens."""
    migrate.upgrade(settings.database_url)
    day = service_day()
    runtime = Runtime(settings)
    try:
        with runtime.session() as session:
            load_demo(session=session, seed=11, day=day, engineers=engineers, tickets=tickets)
        plan_id, overhead = optimise(runtime, day, budget)
        phones: list[dict] = []
        t0 = time.perf_counter()
        with runtime.session() as session:
            publishing.publish_plan(
                session=session, plan_id=plan_id, actor=None, at=runtime.clock()
            )
        published_s = time.perf_counter() - t0
        with runtime.session() as session:
            plan = session.get(Plan, plan_id)
            assert plan is not None
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
                user = create_user(
                    session=session,
                    username=username,
                    password="load-pass-1",
                    role="engineer",
                    engineer_code=code,
                )
                session.flush()
                phones.append({"token": phone_token(settings, user), "day": str(day), "jobs": jobs})
            served = len(plan.visits)
        lines = [
            overhead,
            f"Publish of {served} visits (service call and commit, no HTTP): {published_s:.2f} s.",
        ]
        print(f"prepared {day}: plan {plan_id} with {served} visits, {len(phones)} phones")
        print("\n".join(lines))
        return phones, lines
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
    deadline = time.monotonic() + 300  # start-up imports and the SLA sweep, on a busy machine
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
    from dispatch.infra.db import Database
    from dispatch.models import Asset, Site

    token = httpx.post(
        f"{base}/api/v1/auth/token",
        data={"username": "dispatcher", "password": "demo"},
        timeout=60,  # the server may still be draining the last Locust run's queue
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
        try:
            results.append(dispatch_one(base, headers, customer_id, site_id, asset_id))
        except httpx.HTTPError as exc:
            results.append(
                {"status": type(exc).__name__, "ms": None, "insertion_ms": None, "detail": ""}
            )
    return results


def dispatch_one(
    base: str, headers: dict[str, str], customer_id: int, site_id: int, asset_id: int
) -> dict[str, object]:
    """Create one P1 ticket at the site and dispatch it now; the call's status and time."""
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
        timeout=30,
    ).json()
    started = time.perf_counter()
    response = httpx.post(
        f"{base}/api/v1/tickets/{ticket['id']}/dispatch-now", headers=headers, timeout=60
    )
    elapsed = time.perf_counter() - started
    body = response.json()
    return {
        "status": response.status_code,
        "ms": round(elapsed * 1000, 1),
        "insertion_ms": body.get("insertion_ms"),
        "detail": body.get("detail"),
    }


def read_stats(prefix: Path) -> list[dict[str, str]]:
    """Rows of Locust's ``*_stats.csv``."""
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def table(rows: list[dict[str, str]], args: argparse.Namespace, users: int, load: str) -> str:
    """The figures of one Locust run as Markdown."""
    lines = [
        f"Load test {dt.date.today()} on {platform.node()} ({os.cpu_count()} CPUs, "
        f"{platform.python_implementation()} {platform.python_version()}): {users} phones, "
        f"{args.seconds} s, {args.workers} uvicorn workers, {args.engineers} engineers / "
        f"{args.tickets} tickets, PostgreSQL{' + Redis' if args.redis_url else ''}; Locust on "
        f"the same machine; load average before: {load}, after: {load_average()}.",
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


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (the machine is shared)."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of ``values``; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def dispatch_now_report(base: str, args: argparse.Namespace) -> str:
    """Time ``args.emergencies`` dispatch-now calls; the figures as Markdown."""
    load = load_average()
    timed = dispatch_now_latency(base, args.emergencies, args.database_url)
    placed = [r for r in timed if r["status"] == 200]
    ms = [float(str(r["ms"])) for r in placed]
    inner = [float(str(r["insertion_ms"])) for r in placed if r["insertion_ms"] is not None]
    ratio = [float(str(r["ms"])) / max(float(str(r["insertion_ms"])), 0.1) for r in placed]
    text = (
        f"\nDispatch now ({args.engineers} engineers, {args.tickets} tickets, published day; "
        f"load average before {load}, after {load_average()}): {len(placed)} of {len(timed)} placed; HTTP round "
        f"trip p50 {percentile(ms, 0.5):.0f} ms, p99 {percentile(ms, 0.99):.0f} ms "
        f"(max of {len(ms)}); solver insertion p50 {percentile(inner, 0.5):.0f} ms; "
        f"round trip / insertion p50 {percentile(ratio, 0.5):.1f}x.\n"
    )
    for r in timed:
        if r["status"] != 200:
            text += f"- {r['status']}: {r['detail']}\n"
    return text


def split_jobs(phones: list[dict[str, Any]], runs: int, index: int) -> list[dict[str, Any]]:
    """The phones with every ``runs``-th of their jobs (each Locust run works its own)."""
    return [{**phone, "jobs": phone["jobs"][index::runs]} for phone in phones]


def run_locust(args: argparse.Namespace, env: dict[str, str], users: int, tmp: Path) -> str:
    """One headless Locust run against the server; its table."""
    prefix = tmp / f"load{users}"
    load = load_average()
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(HERE / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 5)),
            "--run-time",
            f"{args.seconds}s",
            "--host",
            f"http://127.0.0.1:{args.port}",
            "--csv",
            str(prefix),
            "--only-summary",
            # the phones start within 5 s (each fetches its whole day once): count from then
            "--reset-stats",
        ],
        env=env,
        check=False,
    )
    return table(read_stats(prefix), args, users, load)


def main() -> None:
    """Prepare, serve, load, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/dispatch_load"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument(
        "--pool",
        help="DISPATCH_DB_POOL_SIZE,DISPATCH_DB_MAX_OVERFLOW for the server (default: its own)",
    )
    parser.add_argument(
        "--users", default="50,200", help="concurrent phones, one Locust run per count (0: none)"
    )
    parser.add_argument(
        "--in-flight",
        type=int,
        help="DISPATCH_MAX_REQUESTS_IN_FLIGHT for the server (default: its pool's size; "
        "40, the handler threads, admits as many as before admission control)",
    )
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--engineers", type=int, default=200)
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--budget", type=float, default=10.0, help="solver seconds for the day")
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--markdown", type=Path, help="also write the tables here")
    parser.add_argument(
        "--emergencies", type=int, default=10, help="dispatch-now calls timed after the load"
    )
    args = parser.parse_args()
    user_counts = [int(u) for u in args.users.split(",") if int(u) > 0]

    fresh_database(args.database_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPATCH_")}
    env.update(
        DISPATCH_DATABASE_URL=args.database_url,
        # "development": production refuses a set clock; nothing else on these paths differs
        DISPATCH_ENVIRONMENT="development",
        DISPATCH_CLOCK_AT=service_morning().isoformat(),
        DISPATCH_SECRET_KEY="load-test-secret-" + "x" * 32,
        DISPATCH_LOG_LEVEL="WARNING",
        # the dispatcher's log-in for dispatch-now comes from 127.0.0.1 like everything here
        DISPATCH_LOGIN_FAILURES_PER_ADDRESS="100000",
    )
    if args.pool:
        size, overflow = args.pool.split(",")
        env.update(DISPATCH_DB_POOL_SIZE=size, DISPATCH_DB_MAX_OVERFLOW=overflow)
    if args.in_flight:
        env["DISPATCH_MAX_REQUESTS_IN_FLIGHT"] = str(args.in_flight)
    if args.redis_url:
        env["DISPATCH_REDIS_URL"] = args.redis_url
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
    settings = Settings(
        database_url=args.database_url,
        redis_url=args.redis_url or None,
        secret_key=env["DISPATCH_SECRET_KEY"],  # type: ignore[arg-type]
        clock_at=service_morning(),
    )
    phones, lines = prepare(settings, args.engineers, args.tickets, args.budget)
    record(args, "\n".join(lines) + "\n", fresh=True)
    with tempfile.TemporaryDirectory() as tmp:
        log = args.markdown.with_suffix(".server.log") if args.markdown else Path(tmp) / "log"
        server = serve(env, args.port, args.workers, log)
        try:
            for index, users in enumerate(user_counts):
                phones_file = Path(tmp) / f"phones{users}.json"
                phones_file.write_text(json.dumps(split_jobs(phones, len(user_counts), index)))
                load_env = {**env, "DISPATCH_LOAD_PHONES": str(phones_file)}
                record(args, run_locust(args, load_env, users, Path(tmp)))
            if args.emergencies:
                time.sleep(10)  # let the server drain what the last run left queued
                record(args, dispatch_now_report(f"http://127.0.0.1:{args.port}", args))
        finally:
            server.terminate()
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()


def record(args: argparse.Namespace, text: str, *, fresh: bool = False) -> None:
    """Print ``text`` and add it to the Markdown file at once (a later failure keeps it)."""
    print(text, flush=True)
    if args.markdown:
        with args.markdown.open("w" if fresh else "a", encoding="utf-8") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
