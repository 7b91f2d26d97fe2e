"""The service's one settings object (environment variables with the ``DISPATCH_`` prefix).

Built on demand with :func:`load_settings`; nothing reads the environment at import time.
Every value with a grammar (URLs, the travel spec, numbers, the policy file) is checked
when the settings are built, so a bad one stops a command at start with one line naming
the variable (:class:`InvalidSettings`).

Where the embedded database lives: ``DISPATCH_HOME`` (:func:`default_home` when unset),
never the directory a command happens to run in.
"""

from __future__ import annotations

import datetime as dt
import os
import urllib.parse
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings import SettingsError as SourceError

DEV_SECRET = "dev-only-secret-change-me-0123456789abcdef"
ENV_PREFIX = "DISPATCH_"
HANDLER_THREADS = 40
"""Worker threads anyio gives a process's sync handlers (its default)."""
CHECKOUT = Path(__file__).resolve().parents[2]
"""The source tree this package runs from (a checkout when it holds ``pyproject.toml``)."""

_SECRET_VALUED = frozenset({"secret_key", "database_url", "redis_url"})
"""Fields whose value is never echoed in an error (keys, passwords inside URLs)."""


def default_home() -> Path:
    """Where the service keeps its files when ``DISPATCH_HOME`` is unset.

    The checkout's ``var/`` when running from a source checkout (``make run``, an
    editable install), else the per-user data folder
    ``$XDG_DATA_HOME/fieldops-dispatch`` (``~/.local/share/fieldops-dispatch``).
    Neither depends on the current directory.
    """
    if (CHECKOUT / "pyproject.toml").is_file():
        return CHECKOUT / "var"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "fieldops-dispatch"


class Settings(BaseSettings):
    """Typed configuration; invalid values fail when the settings are built.

    Attributes
    ----------
    home
        Folder of the service's own files (``DISPATCH_HOME``, default
        :func:`default_home`), made absolute when the settings are built.
    database_url
        SQLAlchemy URL. Default (unset or empty): the embedded SQLite file
        ``dispatch.db`` in ``home``.
    redis_url
        Redis URL for the job queue, events and caches; ``None`` runs jobs in-process
        and keeps events in memory (embedded mode).
    secret_key
        Key that signs access tokens. Must be set (32+ characters) in production.
    db_pool_size, db_max_overflow
        Connections each process keeps open to PostgreSQL, and how many more it may open
        under a burst (SQLAlchemy's ``pool_size`` / ``max_overflow``). A uvicorn worker
        runs the API's handlers on up to 40 threads; a request waiting for a connection
        longer than ``db_pool_timeout_seconds`` fails with a 500. Every process (each
        uvicorn worker, each job worker) has its own pool: their sum must stay under the
        server's ``max_connections``. Not used for an in-memory SQLite database.
    db_pool_timeout_seconds
        How long a request waits for a free connection before failing.
    max_requests_in_flight
        API requests a process runs at once; the others wait in the event loop and get a 503
        after ``db_pool_timeout_seconds`` (``api.admission``). Default (unset): the pool's
        ``db_pool_size + db_max_overflow``, so an admitted request always gets a connection
        and a thread. Keep it at or under the 40 handler threads.
    phone_cache
        Answer ``GET /me/jobs`` from the day cache (:mod:`dispatch.infra.day_cache`); off when
        several processes serve without Redis (no shared version).
    clock_at
        Start the service's clock at this instant (ISO 8601 with offset); it ticks from
        there. For tests, demos and replaying a day; refused in production.
    """

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=None, extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    home: Path = Field(default_factory=default_home)
    database_url: str = ""
    redis_url: str | None = None
    secret_key: SecretStr = SecretStr(DEV_SECRET)
    access_token_minutes: int = Field(default=12 * 60, gt=0, le=60 * 24 * 30)
    sla_policy_file: Path | None = None
    checkin_radius_m: float = Field(default=200.0, gt=0, allow_inf_nan=False)
    location_ttl_seconds: int = Field(default=2 * 3600, gt=0)
    travel: str = "haversine"
    speed_kmh: float = Field(default=30.0, gt=0, le=300, allow_inf_nan=False)
    circuity: float = Field(default=1.3, ge=1.0, le=5.0, allow_inf_nan=False)
    default_solve_seconds: float = Field(default=10.0, gt=0, le=600, allow_inf_nan=False)
    tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = True
    sla_sweep_seconds: int = Field(default=60, gt=0)
    clock_at: dt.datetime | None = None
    login_failures_per_user: int = Field(default=5, gt=0, le=10_000)
    login_failures_per_address: int = Field(default=20, gt=0, le=100_000)
    login_failure_window_seconds: int = Field(default=15 * 60, gt=0, le=24 * 3600)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_import_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)
    """The body limit of ``POST /imports`` (an organisation's files), instead of the above."""
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=10, ge=0, le=200)
    db_pool_timeout_seconds: float = Field(default=30.0, gt=0, le=600, allow_inf_nan=False)
    max_requests_in_flight: int | None = Field(default=None, ge=1, le=HANDLER_THREADS)
    phone_cache: bool = True

    @field_validator("clock_at")
    @classmethod
    def _clock_at_aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("clock_at needs a UTC offset, e.g. 2026-11-24T09:30:00+08:00")
        return value

    @field_validator("home")
    @classmethod
    def _home_absolute(cls, value: Path) -> Path:
        home = value.expanduser().absolute()
        if home.exists() and not home.is_dir():
            raise ValueError(f"{home} exists and is not a directory")
        return home

    @field_validator("database_url")
    @classmethod
    def _database_url_known(cls, value: str) -> str:
        return check_database_url(value) if value.strip() else ""

    @field_validator("redis_url")
    @classmethod
    def _redis_url_known(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return check_redis_url(value.strip())

    @field_validator("travel")
    @classmethod
    def _travel_known(cls, value: str) -> str:
        from solver import check_spec

        return check_spec(value)

    @field_validator("sla_policy_file")
    @classmethod
    def _policy_loads(cls, value: Path | None) -> Path | None:
        if value is None or not str(value).strip():
            return None
        from dispatch.errors import InvalidInput
        from dispatch.sla.policy import load_policy

        path = value.expanduser().absolute()
        try:
            load_policy(path)
        except InvalidInput as exc:
            raise ValueError(exc.message) from exc
        return path

    @field_validator("tile_url")
    @classmethod
    def _tile_template(cls, value: str) -> str:
        text = value.strip()
        if not text:
            return ""
        parts = urllib.parse.urlsplit(text.replace("{s}", "a"))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http(s):// tile URL template, or empty for no tiles")
        missing = [p for p in ("{z}", "{x}", "{y}") if p not in text]
        if missing:
            raise ValueError(f"tile URL template lacks {', '.join(missing)}")
        return text

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_any_case(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _default_database_in_home(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.home / 'dispatch.db'}"
        return self

    @model_validator(mode="after")
    def _production_needs_a_secret(self) -> Settings:
        secret = self.secret_key.get_secret_value()
        if self.environment == "production" and (secret == DEV_SECRET or len(secret) < 32):
            raise ValueError("DISPATCH_SECRET_KEY must be set to 32+ characters in production")
        if self.environment == "production" and self.clock_at is not None:
            raise ValueError("DISPATCH_CLOCK_AT is for tests and demos; unset it in production")
        return self

    @property
    def embedded(self) -> bool:
        """True when running without Redis (in-process jobs and events)."""
        return self.redis_url is None

    @property
    def admission_limit(self) -> int:
        """API requests admitted at once: ``max_requests_in_flight``, else the pool's size."""
        if self.max_requests_in_flight is not None:
            return self.max_requests_in_flight
        return min(self.db_pool_size + self.db_max_overflow, HANDLER_THREADS)

    def sqlite_path(self) -> Path | None:
        """The database file for a SQLite URL, else ``None``."""
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and ":memory:" not in self.database_url:
            return Path(self.database_url[len(prefix) :])
        return None


def check_database_url(value: str) -> str:
    """A SQLAlchemy URL of SQLite or PostgreSQL whose driver is installed, else ``ValueError``."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        url = make_url(value.strip())
    except ArgumentError as exc:
        raise ValueError(
            "not a SQLAlchemy URL (sqlite:///PATH or postgresql+psycopg://...)"
        ) from exc
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
    try:
        url.get_dialect().import_dbapi()
    except (ImportError, NoSuchModuleError) as exc:
        raise ValueError(
            f"driver {url.drivername!r} is not installed (use postgresql+psycopg://)"
        ) from exc
    return value.strip()


def check_redis_url(value: str) -> str:
    """A ``redis://``, ``rediss://`` or ``unix://`` URL with a valid port and db, else ``ValueError``."""
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("redis", "rediss", "unix"):
        raise ValueError("must be a redis://HOST:PORT/DB URL (or rediss://, unix://)")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number in range
    except ValueError as exc:
        raise ValueError(f"bad port: {exc}") from exc
    db = parts.path.strip("/") if parts.scheme != "unix" else ""
    query_db = urllib.parse.parse_qs(parts.query).get("db", [])
    for text in ([db] if db else []) + query_db:
        if not text.isdigit():
            raise ValueError(f"database number {text!r} is not a whole number")
    return value


class InvalidSettings(Exception):
    """Settings that do not validate, as one line naming each variable at fault.

    Attributes
    ----------
    problems
        ``(variable, what is wrong)`` pairs, e.g. ``("DISPATCH_SPEED_KMH", "...")``.
    """

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{name}: {what}" for name, what in problems))


def _problems(error: ValidationError) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else ""
        what = str(item["msg"]).removeprefix("Value error, ").replace("\n", " ")
        shown = item.get("input")
        if field and field not in _SECRET_VALUED and isinstance(shown, str) and shown not in what:
            what = f"{what} (got {shown!r})"
        name = ENV_PREFIX + field.upper() if field else "settings"
        if not field and what.startswith(ENV_PREFIX):
            name, _, what = what.partition(" ")
        out.append((name, what))
    return out


def load_settings(**overrides: object) -> Settings:
    """Build the settings from the environment, with keyword overrides on top.

    Raises
    ------
    InvalidSettings
        When a value does not validate; its message is one line naming the variables.
    """
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise InvalidSettings(_problems(exc)) from None
    except SourceError as exc:
        raise InvalidSettings([("settings", str(exc).replace("\n", " "))]) from None
