"""Settings are typed and fail fast."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from dispatch.settings import Settings, load_settings


def test_defaults_are_the_embedded_mode(monkeypatch):
    for name in ("DISPATCH_DATABASE_URL", "DISPATCH_REDIS_URL", "DISPATCH_ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.database_url == "sqlite:///var/dispatch.db"
    assert settings.embedded and settings.redis_url is None
    assert str(settings.sqlite_path()) == "var/dispatch.db"


def test_environment_variables_with_the_prefix(monkeypatch):
    monkeypatch.setenv("DISPATCH_REDIS_URL", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("DISPATCH_CHECKIN_RADIUS_M", "350")
    settings = load_settings()
    assert settings.redis_url == "redis://127.0.0.1:6379/3" and not settings.embedded
    assert settings.checkin_radius_m == 350


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"database_url": "mysql://x"}, "database_url"),
        ({"redis_url": "http://x"}, "redis_url"),
        ({"checkin_radius_m": 0}, "checkin_radius_m"),
        ({"environment": "staging"}, "environment"),
    ],
)
def test_bad_values_fail_when_built(overrides, field):
    with pytest.raises(ValidationError) as caught:
        Settings(**overrides)
    assert field in str(caught.value)


def test_production_requires_a_real_secret():
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production")
    assert Settings(environment="production", secret_key="k" * 40).environment == "production"
