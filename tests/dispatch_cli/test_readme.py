"""Every shell block of README.md runs as written against a fresh ``make run``.

The service is started as ``make run`` starts it (``dispatch db upgrade``, ``dispatch seed
--if-empty``, ``dispatch serve``; the test checks the Makefile still says so) from the
installed ``.venv``, on SQLite in a temporary ``DISPATCH_HOME`` and a free port (the
README's ``:8000`` is rewritten to it). The blocks run in order, each in ``bash -e``, the
variables of one carried to the next (as in one terminal). The comments after a block:

- ``<!-- expect: "a", "b" -->``: fragments its output must contain (exit status 0 always);
- ``<!-- readme-test: needs postgres redis -->``: run only when the test URLs of PostgreSQL
  and Redis are set (a fresh database next to the test one, on its own port); ``needs
  shared bench``: only with the shared benchmark data and the bench extras;
- ``<!-- readme-test: skip: why -->``: the one ``make`` block, which this test performs.

The demo is seeded from the machine's real clock, as a newcomer's would be, so the
blocks work at any hour (:mod:`dispatch.demo.day`).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.api.console_server import free_port
from tests.conftest import PG_URL, REDIS_URL
from tests.shared_data import shared_dir

pytestmark = [pytest.mark.slow, pytest.mark.realclock]

REPOSITORY = Path(__file__).resolve().parents[2]
README = REPOSITORY / "README.md"
BLOCK = re.compile(r"```(?:bash|sh|console)\n(.*?)```\n((?:<!--.*?-->\n)*)", re.S)
DIRECTIVE = re.compile(r"<!--\s*(expect|readme-test):\s*(.*?)\s*-->", re.S)
BLOCK_SECONDS = 600
_NOT_CARRIED = r"^declare -[a-z]*r|^declare -x (BASH[A-Z_]*|SHELLOPTS|SHLVL|PWD|OLDPWD|_)="
"""Shell variables a block must not restore (read-only or bash's own)."""


@dataclass
class Block:
    """One shell block of the README and what its comments say of it."""

    code: str
    line: int
    expect: list[str] = field(default_factory=list)
    needs: set[str] = field(default_factory=set)
    skip: str | None = None


def readme_blocks(readme: str) -> list[Block]:
    """The README's ``bash``/``sh``/``console`` blocks with their directives."""
    blocks = []
    for match in BLOCK.finditer(readme):
        block = Block(code=match.group(1), line=readme.count("\n", 0, match.start()) + 1)
        for kind, value in DIRECTIVE.findall(match.group(2)):
            if kind == "expect":
                block.expect += [
                    s.encode().decode("unicode_escape")
                    for s in re.findall(r'"((?:[^"\\]|\\.)*)"', value)
                ]
            elif value.startswith("skip:"):
                block.skip = value.removeprefix("skip:").strip()
            elif value.startswith("needs "):
                block.needs |= set(value.removeprefix("needs ").split())
        blocks.append(block)
    return blocks


def test_every_block_says_what_it_answers_or_why_it_is_not_run():
    blocks = readme_blocks(README.read_text(encoding="utf-8"))
    assert len(blocks) >= 5
    for block in blocks:
        assert block.expect or block.skip, f"README line {block.line}: no <!-- expect: -->"
    skipped = [b for b in blocks if b.skip]
    assert len(skipped) == 1 and "make run" in skipped[0].code and "make test" in skipped[0].code
    makefile = (REPOSITORY / "Makefile").read_text(encoding="utf-8")
    run = makefile[makefile.index("\nrun:") :].split("\n\n")[0]
    assert [line.split()[1:3] for line in run.splitlines() if line.startswith("\t")] == [
        ["db", "upgrade"],
        ["seed", "--if-empty"],
        ["serve", "--host"],
    ]


def _wait_ready(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"dispatch serve exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail("dispatch serve did not answer within 180 s")


@pytest.fixture
def fresh_service(tmp_path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """``make run`` on SQLite in a fresh DISPATCH_HOME: the port and the environment."""
    bin_dir = REPOSITORY / ".venv" / "bin"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPATCH_")}
    env.update(
        DISPATCH_HOME=str(tmp_path / "home"),
        DISPATCH_LOG_JSON="false",
        DISPATCH_LOG_LEVEL="WARNING",
        DISPATCH_TILE_URL="",
        DISPATCH_SHARED_DIR=str(shared_dir()),
        TMPDIR=str(tmp_path),
    )
    for step in (["db", "upgrade"], ["seed", "--if-empty"]):
        subprocess.run(
            [str(bin_dir / "dispatch"), *step], env=env, check=True, cwd=REPOSITORY, timeout=300
        )
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(bin_dir / "dispatch"), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=REPOSITORY,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_ready(f"http://127.0.0.1:{port}", server, log)
        yield port, env
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def _postgres_database(tmp_path: Path) -> Iterator[str]:
    """A fresh, empty PostgreSQL database beside the test one (dropped afterwards)."""
    assert PG_URL is not None
    url = make_url(PG_URL)
    name = f"{url.database}_readme"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _run(block: Block, *, port: int, env: dict[str, str], state: Path, log: Path) -> str:
    """Run one block in ``bash -e`` with the variables of the earlier ones; its output."""
    code = re.sub(r"(localhost|127\.0\.0\.1):8000", rf"\g<1>:{port}", block.code)
    code = code.replace("--port 8000", f"--port {port}")
    # allexport: every variable a block sets reaches the next block through ``state``
    script = (
        f"set -a\n[ -f {state} ] && . {state}\n{code}\n"
        f"export -p | grep -v -E '{_NOT_CARRIED}' > {state}\n"
    )
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["bash", "-e", "-c", script],
            env=env,
            cwd=REPOSITORY,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its background processes form one group: stopped after
        )
        try:
            status = process.wait(timeout=BLOCK_SECONDS)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    output = log.read_text(encoding="utf-8", errors="replace")
    assert status == 0, f"README line {block.line}: exit {status}\n{output[-3000:]}"
    return output


def _can_run(block: Block) -> str | None:
    """Why a block cannot run here (``None``: it can)."""
    if {"postgres", "redis"} & block.needs and not (PG_URL and REDIS_URL):
        return "DISPATCH_TEST_DATABASE_URL and DISPATCH_TEST_REDIS_URL are not set"
    if "shared" in block.needs and not (shared_dir() / "benchmarks" / "solomon").is_dir():
        return f"no shared benchmark data in {shared_dir()}"
    if "bench" in block.needs and importlib.util.find_spec("vroom") is None:
        return "the bench extras are not installed"
    return None


def test_the_readme_blocks_run_as_written(fresh_service, tmp_path: Path):
    port, env = fresh_service
    state = tmp_path / "state.sh"
    not_run = []
    for i, block in enumerate(readme_blocks(README.read_text(encoding="utf-8"))):
        if block.skip:
            continue
        why = _can_run(block)
        if why is not None:
            not_run.append(f"line {block.line}: {why}")
            continue
        block_env, block_port = dict(env), port
        databases: Iterator[str] | None = None
        if "postgres" in block.needs:
            databases = _postgres_database(tmp_path)
            block_env["DISPATCH_DATABASE_URL"] = next(databases)
            block_env["DISPATCH_REDIS_URL"] = str(REDIS_URL)
            block_port = free_port()  # its own server beside the SQLite one
        try:
            output = _run(
                block, port=block_port, env=block_env, state=state, log=tmp_path / f"{i}.log"
            )
        finally:
            if databases is not None:
                time.sleep(1)  # the block's server and worker are stopping
                next(databases, None)
        for fragment in block.expect:
            assert fragment in output, (
                f"README line {block.line}: no {fragment!r} in\n{output[-3000:]}"
            )
    if os.environ.get("DISPATCH_REQUIRE_SERVICES") == "1":
        assert not [n for n in not_run if "DISPATCH_TEST" in n], not_run
