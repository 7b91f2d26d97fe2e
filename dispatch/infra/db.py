"""Engines and sessions. Created on demand from :class:`~dispatch.infra.settings.Settings`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from dispatch.infra.settings import Settings


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets foreign keys on and a writable parent directory.

    Parameters
    ----------
    database_url
        A ``sqlite://`` or ``postgresql+psycopg://`` URL.
    **kwargs
        Passed to :func:`sqlalchemy.create_engine`.
    """
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///")
        if path and ":memory:" not in path and database_url.startswith("sqlite:///"):
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(database_url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(database_url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to ``engine`` (objects stay usable after commit)."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@contextmanager
def unit_of_work(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session from ``sessions`` that commits on success, rolls back on error, and closes."""
    session = sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def pool_options(settings: Settings) -> dict[str, Any]:
    """The connection pool's size from ``settings`` (PostgreSQL and SQLite files).

    An in-memory SQLite database keeps SQLAlchemy's single-connection pool.

    Parameters
    ----------
    settings
        ``db_pool_size``, ``db_max_overflow`` and ``db_pool_timeout_seconds`` are used.
    """
    if settings.database_url.startswith("sqlite") and settings.sqlite_path() is None:
        return {}
    return {
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_pool_timeout_seconds,
    }


class Database:
    """The engine and session factory of one process, built from settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = make_engine(settings.database_url, **pool_options(settings))
        self.sessions = make_session_factory(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work at an edge: commits on success, rolls back on error."""
        with unit_of_work(self.sessions) as session:
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
