"""The service commands: db upgrade, seed, users create, and serve on a real port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from dispatch_cli.main import app

runner = CliRunner()


@pytest.fixture
def env(tmp_path, monkeypatch) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DISPATCH_DATABASE_URL", url)
    monkeypatch.delenv("DISPATCH_REDIS_URL", raising=False)
    # the commands judge "now" by the service's clock: fixed here, the seeded day's evening
    monkeypatch.setenv("DISPATCH_CLOCK_AT", "2026-11-24T18:00:00+08:00")
    return {"DISPATCH_DATABASE_URL": url}


def test_db_upgrade_seed_and_users(env):
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "database at revision" in result.output
    result = runner.invoke(
        app, ["seed", "--if-empty", "--engineers", "4", "--tickets", "10", "--day", "2026-11-24"]
    )
    assert result.exit_code == 0, result.output
    assert "4 engineers" in result.output and "10 tickets" in result.output
    again = runner.invoke(app, ["seed", "--if-empty"])
    assert again.exit_code == 0 and "already has data" in again.output
    refused = runner.invoke(app, ["seed"])
    assert refused.exit_code != 0
    short = runner.invoke(
        app, ["users", "create", "carol", "--role", "dispatcher", "--password", "secret"]
    )
    assert short.exit_code == 2 and "password" in short.output  # 10 characters at least
    created = runner.invoke(
        app, ["users", "create", "carol", "--role", "dispatcher", "--password", "secret-pass-1"]
    )
    assert created.exit_code == 0, created.output
    bad = runner.invoke(
        app,
        [
            "users",
            "create",
            "dave",
            "--role",
            "engineer",
            "--password",
            "secret-pass-1",
            "--engineer",
            "E999",
        ],
    )
    assert bad.exit_code == 2 and "engineer_code" in bad.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_migrates_and_answers(env, tmp_path):
    """What ``make run`` does: migrate, seed if empty, serve; health and the engineers list answer."""
    dispatch = Path(sys.executable).with_name("dispatch")
    process_env = {**os.environ, **env, "DISPATCH_LOG_JSON": "false"}
    subprocess.run(
        [str(dispatch), "db", "upgrade"], env=process_env, check=True, capture_output=True
    )
    subprocess.run(
        [str(dispatch), "seed", "--if-empty", "--engineers", "5", "--tickets", "10"],
        env=process_env,
        check=True,
        capture_output=True,
    )
    port = _free_port()
    server = subprocess.Popen(
        [str(dispatch), "serve", "--port", str(port)],
        env=process_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("server did not come up")
        token = httpx.post(
            f"{base}/api/v1/auth/token", data={"username": "dispatcher", "password": "demo"}
        ).json()
        engineers = httpx.get(
            f"{base}/api/v1/engineers", headers={"Authorization": f"Bearer {token['access_token']}"}
        ).json()
        assert engineers["total"] == 5
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert f"http://127.0.0.1:{port}/docs" in output and "dispatcher / demo" in output
