"""The service's one settings object (environment variables with the ``DISPATCH_`` prefix).

Built on demand with :func:`load_settings`; nothing reads the environment at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-secret-change-me-0123456789abcdef"


class Settings(BaseSettings):
    """Typed configuration; invalid values fail when the settings are built.

    Attributes
    ----------
    database_url
        SQLAlchemy URL. Default: the embedded SQLite file ``var/dispatch.db``.
    redis_url
        Redis URL for the job queue, events and caches; ``None`` runs jobs in-process
        and keeps events in memory (embedded mode).
    secret_key
        Key that signs access tokens. Must be set (32+ characters) in production.
    """

    model_config = SettingsConfigDict(env_prefix="DISPATCH_", env_file=None, extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///var/dispatch.db"
    redis_url: str | None = None
    secret_key: SecretStr = SecretStr(DEV_SECRET)
    access_token_minutes: int = Field(default=12 * 60, gt=0, le=60 * 24 * 30)
    sla_policy_file: Path | None = None
    checkin_radius_m: float = Field(default=200.0, gt=0)
    location_ttl_seconds: int = Field(default=2 * 3600, gt=0)
    travel: str = "haversine"
    speed_kmh: float = Field(default=30.0, gt=0)
    circuity: float = Field(default=1.3, ge=1.0)
    default_solve_seconds: float = Field(default=10.0, gt=0, le=600)
    tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = True
    sla_sweep_seconds: int = Field(default=60, gt=0)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)

    @field_validator("database_url")
    @classmethod
    def _database_url_known(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("database_url must be a sqlite:// or postgresql:// URL")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url_known(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("redis_url must be a redis:// URL")
        return value

    @model_validator(mode="after")
    def _production_needs_a_secret(self) -> Settings:
        secret = self.secret_key.get_secret_value()
        if self.environment == "production" and (secret == DEV_SECRET or len(secret) < 32):
            raise ValueError("DISPATCH_SECRET_KEY must be set to 32+ characters in production")
        return self

    @property
    def embedded(self) -> bool:
        """True when running without Redis (in-process jobs and events)."""
        return self.redis_url is None

    def sqlite_path(self) -> Path | None:
        """The database file for a SQLite URL, else ``None``."""
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and ":memory:" not in self.database_url:
            return Path(self.database_url[len(prefix) :])
        return None


def load_settings(**overrides: object) -> Settings:
    """Build the settings from the environment, with keyword overrides on top."""
    return Settings(**overrides)  # type: ignore[arg-type]
