"""Settings are typed and fail fast."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from dispatch.infra.settings import CHECKOUT, InvalidSettings, Settings, default_home, load_settings


def test_defaults_are_the_embedded_mode(monkeypatch, tmp_path):
    for name in ("DISPATCH_DATABASE_URL", "DISPATCH_REDIS_URL", "DISPATCH_ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DISPATCH_HOME", str(tmp_path))
    settings = load_settings()
    assert settings.database_url == f"sqlite:///{tmp_path / 'dispatch.db'}"
    assert settings.embedded and settings.redis_url is None
    assert settings.sqlite_path() == tmp_path / "dispatch.db"


def test_the_default_home_is_the_checkout_var_folder(monkeypatch):
    for name in ("DISPATCH_DATABASE_URL", "DISPATCH_HOME"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.home == default_home() == CHECKOUT / "var"
    assert settings.sqlite_path() == CHECKOUT / "var" / "dispatch.db"


def test_a_relative_home_is_made_absolute(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(home=Path("data"))
    assert settings.home == tmp_path / "data"
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'dispatch.db'}"


def test_the_policy_file_is_checked_when_the_settings_are_built(tmp_path):
    broken = tmp_path / "policy.yaml"
    broken.write_text("tiers: [unclosed\n", encoding="utf-8")
    with pytest.raises(InvalidSettings) as caught:
        load_settings(sla_policy_file=broken)
    assert caught.value.problems[0][0] == "DISPATCH_SLA_POLICY_FILE"
    assert "\n" not in str(caught.value)


def test_good_values_are_normalised():
    settings = load_settings(
        travel=" Geodesic ", log_level="debug", tile_url="", redis_url="redis://h:6380/2"
    )
    assert settings.travel == "geodesic" and settings.log_level == "DEBUG"
    assert settings.tile_url == "" and settings.redis_url == "redis://h:6380/2"


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
        ({"travel": "teleport"}, "travel"),
        ({"speed_kmh": float("inf")}, "speed_kmh"),
        ({"tile_url": "https://t.example/{z}/{x}.png"}, "tile_url"),
        ({"db_pool_size": 0}, "db_pool_size"),
        ({"db_max_overflow": -1}, "db_max_overflow"),
        ({"db_pool_timeout_seconds": float("inf")}, "db_pool_timeout_seconds"),
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


def test_the_pool_size_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DISPATCH_DB_POOL_SIZE", "12")
    monkeypatch.setenv("DISPATCH_DB_MAX_OVERFLOW", "0")
    settings = load_settings()
    assert (settings.db_pool_size, settings.db_max_overflow) == (12, 0)
    with pytest.raises(InvalidSettings) as caught:
        load_settings(db_pool_size="many")
    assert caught.value.problems[0][0] == "DISPATCH_DB_POOL_SIZE"
