"""Importing a large organisation: 2,000 engineers and 20,000 sites (with their customers
and one asset each) into an empty database, then the same files again (nothing changes).

The files come from :func:`tests.org_files.organisation` (three German regions). The
import runs as ``dispatch import`` does: one session, one transaction, audited.

Usage::

    .venv/bin/python benchmarks/import_org.py [--engineers 2000] [--sites 20000]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/bench_import]

The PostgreSQL database is emptied (every table dropped and migrated again) first: give
it a database of its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dispatch import migrate  # noqa: E402
from dispatch.imports import ImportFile, run_import  # noqa: E402
from dispatch.infra.db import Database, make_engine  # noqa: E402
from dispatch.infra.settings import Settings  # noqa: E402
from tests.org_files import organisation  # noqa: E402

AT = dt.datetime(2026, 11, 23, 19, 0, tzinfo=dt.UTC)


def _fresh_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def timed_imports(url: str, files: list[ImportFile]) -> tuple[float, float, dict[str, int]]:
    """Seconds for the first import and for the same files again, and what was created."""
    migrate.upgrade(url)
    database = Database(Settings(environment="test", database_url=url, secret_key="b" * 40))  # type: ignore[arg-type]
    try:
        started = time.perf_counter()
        with database.session() as session:
            first = run_import(session=session, files=files, at=AT)
        first_seconds = time.perf_counter() - started
        assert first.committed and not first.errors, first.errors[:5]
        started = time.perf_counter()
        with database.session() as session:
            again = run_import(session=session, files=files, at=AT)
        again_seconds = time.perf_counter() - started
        assert sum(again.created.values()) == 0 and sum(again.updated.values()) == 0
    finally:
        database.dispose()
    return first_seconds, again_seconds, first.created


def main() -> None:
    """Generate, import on SQLite (and PostgreSQL when given), print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engineers", type=int, default=2000)
    parser.add_argument("--sites", type=int, default=20000)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_IMPORT_POSTGRES_URL"))
    args = parser.parse_args()
    raw = organisation(engineers=args.engineers, sites=args.sites)
    files = [ImportFile(name, data) for name, data in raw.items()]
    size = sum(len(f.data) for f in files)
    print(
        f"# {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; files {size / 1e6:.1f} MB"
    )
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        runs.append(("SQLite", timed_imports(f"sqlite:///{tmp}/import.db", files)))
    if args.postgres:
        _fresh_postgres(args.postgres)
        runs.append(("PostgreSQL", timed_imports(args.postgres, files)))
    print("| database | records created | first import | same files again |")
    print("| --- | --- | ---: | ---: |")
    for name, (first, again, created) in runs:
        made = ", ".join(f"{n:,} {kind}" for kind, n in created.items())
        print(f"| {name} | {made} | {first:.1f} s | {again:.1f} s |")
    print(f"# load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
