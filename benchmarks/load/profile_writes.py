"""Where the time of publishing a day and of dispatch-now goes (cProfile, service calls).

``profile_service.py`` goes through the ASGI app, whose sync handlers run on anyio's worker
threads, so cProfile there sees the plumbing but not the handler. This script calls the
services themselves in this thread, the way a request's handler does (one session, one
commit), so the profile shows the whole call: loading the day, the solver, the rows written,
the commit and its hooks.

Prepares the day like ``run.py`` (fresh PostgreSQL database, demo organisation, optimised and
published day), then optimises the day again and profiles publishing that plan, then profiles
dispatch-now of new P1 tickets into the published day.

    .venv/bin/python benchmarks/load/profile_writes.py --engineers 200 --tickets 2000
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

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import fresh_database, optimise, prepare, service_day, service_morning

from dispatch.infra.settings import Settings
from dispatch.models import Asset, Site, User
from dispatch.planning import emergency, publishing
from dispatch.runtime import Runtime
from dispatch.tickets.records import TicketDraft, create_ticket


def profiled(label: str, call: Callable[[], Any], top: int) -> Any:
    """Run ``call`` once under cProfile; print its wall time and the top rows; return its value."""
    profile = cProfile.Profile()
    t0 = time.perf_counter()
    profile.enable()
    value = call()
    profile.disable()
    print(f"\n## {label}: {1000 * (time.perf_counter() - t0):.0f} ms\n")
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(top)
        print(out.getvalue())
    return value


def profile_publish(runtime: Runtime, budget: float, top: int) -> None:
    """Optimise the day again, then profile publishing the new plan (one session, commit)."""
    plan_id, line = optimise(runtime, service_day(), budget)
    print(line)

    def publish() -> None:
        with runtime.session() as session:
            publishing.publish_plan(
                session=session, plan_id=plan_id, actor=None, at=runtime.clock()
            )

    profiled("publish (service call and commit)", publish, top)


def profile_dispatch_now(runtime: Runtime, calls: int, top: int) -> None:
    """Create a P1 ticket at one of the last assets and dispatch it now, ``calls`` times."""
    with runtime.session() as session:
        assets = list(session.scalars(select(Asset).order_by(Asset.id.desc()).limit(calls)))
        places = [(session.get(Site, a.site_id), a.id) for a in assets]
        dispatcher = session.scalars(select(User).where(User.username == "dispatcher")).one()
    for n, (site, asset_id) in enumerate(places, start=1):
        assert site is not None

        def one(site: Site = site, asset_id: int = asset_id) -> float:
            with runtime.session() as session:
                now = runtime.clock()
                draft = TicketDraft(
                    customer_id=site.customer_id,
                    site_id=site.id,
                    asset_id=asset_id,
                    kind="repair",
                    priority=1,
                    estimated_minutes=45,
                )
                actor = session.get(User, dispatcher.id)
                ticket = create_ticket(session=session, draft=draft, actor=actor, at=now)
                session.flush()
                result = emergency.dispatch_now(
                    session=session,
                    ticket_id=ticket.id,
                    actor=actor,
                    now=now,
                    travel=runtime.travel,
                )
                return result.insertion_seconds

        seconds = profiled(f"dispatch-now {n} (with the ticket's creation)", one, top)
        print(f"solver insertion: {1000 * seconds:.0f} ms")


def main() -> None:
    """Prepare the day, then profile publishing and dispatch-now."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/dispatch_load"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--engineers", type=int, default=200)
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--budget", type=float, default=10.0)
    parser.add_argument("--dispatch-now", type=int, default=2, help="dispatch-now calls")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    fresh_database(args.database_url)
    if args.redis_url:
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
    _phones, lines = prepare(settings, args.engineers, args.tickets, args.budget)
    print("\n".join(lines))
    runtime = Runtime(settings)
    try:
        profile_publish(runtime, args.budget, args.top)
        profile_dispatch_now(runtime, args.dispatch_now, args.top)
    finally:
        runtime.close()


if __name__ == "__main__":
    main()
