"""Bad settings stop every command at start with one line naming the variable.

The CLI runs as a subprocess (``python -m dispatch_cli``), as an operator runs it: what is
asserted is what reaches the terminal and the exit status.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPATCH_")}
    env["PYTHONPATH"] = str(REPOSITORY)
    env.update(extra)
    return env


def _dispatch(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dispatch_cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("DISPATCH_TRAVEL", "foo", "unknown travel spec"),
        ("DISPATCH_TRAVEL", "osrm:/nowhere/at/all", "no OSRM data set"),
        ("DISPATCH_TRAVEL", "http://:80", "no host"),
        ("DISPATCH_SPEED_KMH", "abc", "valid number"),
        ("DISPATCH_SPEED_KMH", "-5", "greater than 0"),
        ("DISPATCH_CIRCUITY", "nan", "finite"),
        ("DISPATCH_REDIS_URL", "redis://localhost:notaport/0", "port"),
        ("DISPATCH_REDIS_URL", "redis://localhost:6379/x", "database number"),
        ("DISPATCH_DATABASE_URL", "mysql://db/x", "sqlite"),
        ("DISPATCH_DATABASE_URL", "not a url", "SQLAlchemy URL"),
        ("DISPATCH_SLA_POLICY_FILE", "/no/such/policy.yaml", "cannot read SLA policy"),
        ("DISPATCH_TILE_URL", "https://tiles.example/{z}.png", "lacks {x}, {y}"),
        ("DISPATCH_LOG_LEVEL", "loud", "DEBUG"),
        ("DISPATCH_HOME", "/etc/hostname", "not a directory"),
    ],
)
def test_bad_setting_stops_a_command_with_one_line(tmp_path, variable, value, says):
    env = _clean_env(**{"DISPATCH_HOME": str(tmp_path / "home"), variable: value})
    done = _dispatch(["db", "current"], env, tmp_path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert variable in lines[0] and says in lines[0]
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert not (tmp_path / "home").exists()  # nothing was created before the check


def test_serve_and_worker_stop_before_starting(tmp_path):
    env = _clean_env(DISPATCH_HOME=str(tmp_path), DISPATCH_TRAVEL="teleport")
    for args in (["serve", "--port", "1"], ["worker", "--burst"], ["seed", "--if-empty"]):
        done = _dispatch(args, env, tmp_path)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.strip().splitlines() == [
            "dispatch: invalid settings: DISPATCH_TRAVEL: unknown travel spec 'teleport'; "
            "expected one of haversine, geodesic, osrm:DATA_DIR, http(s)://OSRM_HOST:PORT"
        ]


def test_secrets_are_not_echoed(tmp_path):
    env = _clean_env(
        DISPATCH_HOME=str(tmp_path),
        DISPATCH_REDIS_URL="redis://user:hunter2-secret@localhost:bad/0",
        DISPATCH_SPEED_KMH="fast",
    )
    done = _dispatch(["db", "current"], env, tmp_path)
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert "DISPATCH_REDIS_URL" in line and "DISPATCH_SPEED_KMH" in line
    assert "hunter2" not in line


def test_default_database_is_the_same_from_any_directory(tmp_path):
    env = _clean_env()
    code = "from dispatch.infra.settings import load_settings; print(load_settings().database_url)"
    urls = []
    for where in (tmp_path / "a", tmp_path / "b" / "deeper"):
        where.mkdir(parents=True)
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=where, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        urls.append(done.stdout.strip())
    assert urls[0] == urls[1]
    path = Path(urls[0].removeprefix("sqlite:///"))
    assert path.is_absolute() and path.name == "dispatch.db"
    assert tmp_path not in path.parents


def test_a_database_migrated_in_one_directory_is_found_from_another(tmp_path):
    env = _clean_env(DISPATCH_HOME=str(tmp_path / "home"))
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    migrated = _dispatch(["db", "upgrade"], env, tmp_path / "one")
    assert migrated.returncode == 0, migrated.stderr
    assert (tmp_path / "home" / "dispatch.db").is_file()
    current = _dispatch(["db", "current"], env, tmp_path / "two")
    assert current.returncode == 0, current.stderr
    assert "current: None" not in current.stdout
    assert not (tmp_path / "one" / "var").exists() and not (tmp_path / "two" / "var").exists()
