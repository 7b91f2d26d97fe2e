"""The connection pool is sized by the settings: beyond size + overflow a request waits, then fails.

The same on PostgreSQL and on a SQLite file (the admission limit, ``api.admission``, is derived
from these settings, so both must honour them); an in-memory SQLite database keeps its one
connection.
"""

from __future__ import annotations

from contextlib import ExitStack

import pytest
from sqlalchemy import text
from sqlalchemy.exc import TimeoutError as PoolTimeout

from dispatch.infra.db import Database
from dispatch.infra.settings import Settings


def test_sessions_beyond_the_pool_time_out(migrated_database_url):
    settings = Settings(
        database_url=migrated_database_url,
        db_pool_size=2,
        db_max_overflow=1,
        db_pool_timeout_seconds=0.2,
    )
    database = Database(settings)
    try:
        with ExitStack() as held:
            for _ in range(3):  # size 2 + overflow 1: all three get a connection
                session = held.enter_context(database.session())
                assert session.execute(text("SELECT 1")).scalar_one() == 1
            with pytest.raises(PoolTimeout), database.session() as fourth:
                fourth.execute(text("SELECT 1"))
        with database.session() as again:  # given back: usable again
            assert again.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        database.dispose()


def test_in_memory_sqlite_ignores_the_pool_settings():
    database = Database(Settings(database_url="sqlite://", db_pool_size=1, db_max_overflow=0))
    try:
        with ExitStack() as held:
            for _ in range(3):  # one connection, shared: nobody waits
                session = held.enter_context(database.session())
                assert session.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        database.dispose()
