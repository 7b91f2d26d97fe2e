"""Without the bench extras (pyvroom, pyvrp): ``dispatch solve`` works, ``dispatch bench`` says so.

The CLI runs in a subprocess whose import system refuses ``vroom`` and ``pyvrp`` (a
meta-path finder installed before the command starts), as on the environment ``make run``
builds, which has no bench extras. Nothing of ours is replaced.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from solver.check.validate import validate
from solver.formats import fieldservice
from tests.dispatch_cli.test_solving import _fieldservice

REPOSITORY = Path(__file__).resolve().parents[2]

WITHOUT_PEERS = """
import sys

class _NoPeers:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("vroom", "pyvrp"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _NoPeers())
from dispatch_cli.main import app
sys.argv = ["dispatch", *sys.argv[1:]]
app()
"""


def _dispatch_without_peers(
    args: list[str], cwd: Path, **env_extra: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPATCH_")}
    env["PYTHONPATH"] = str(REPOSITORY)
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_PEERS, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_blocker_really_hides_the_peers(tmp_path: Path) -> None:
    probe = WITHOUT_PEERS.replace("from dispatch_cli.main import app", "import vroom  # must fail")
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode != 0 and "No module named 'vroom'" in done.stderr


def test_solve_with_our_engine_needs_no_peer(tmp_path: Path) -> None:
    inst = _fieldservice(tmp_path / "tiny.json")
    out = tmp_path / "plan.json"
    done = _dispatch_without_peers(
        ["solve", str(inst), "--seconds", "1", "--out", str(out)], tmp_path
    )
    assert done.returncode == 0, done.stderr
    plan = fieldservice.read_solution(out)
    assert validate(fieldservice.read_instance(inst).problem, plan.routes) == []
    assert json.loads(out.read_text())["stats"]["solver"] == "ours"


def test_bench_without_peers_says_so_in_one_line(tmp_path: Path) -> None:
    _fieldservice(tmp_path / "tiny.json")
    for kind in ("fieldservice", "solomon"):
        done = _dispatch_without_peers(["bench", kind, str(tmp_path)], tmp_path)
        assert done.returncode == 2, done.stderr
        (line,) = done.stderr.strip().splitlines()
        assert "bench extras" in line and "pyvroom" in line and "pyvrp" in line
        assert "Traceback" not in done.stderr


def test_solve_with_vroom_without_it_says_so_in_one_line(tmp_path: Path) -> None:
    inst = _fieldservice(tmp_path / "tiny.json")
    done = _dispatch_without_peers(["solve", str(inst), "--solver", "vroom"], tmp_path)
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert "pyvroom" in line and "pyvrp" not in line


def test_bench_folder_from_the_shared_dir_variable(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    folder = shared / "benchmarks" / "fieldservice"
    folder.mkdir(parents=True)
    _fieldservice(folder / "tiny.json")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPATCH_")}
    env["PYTHONPATH"] = str(REPOSITORY)
    run = [sys.executable, "-m", "dispatch_cli", "bench", "fieldservice"]
    flags = ["--seconds", "1", "--cap", "1", "--vroom-timeout", "5"]
    without = subprocess.run(run + flags, env=env, cwd=tmp_path, capture_output=True, text=True)
    assert without.returncode == 2 and "DISPATCH_SHARED_DIR" in without.stderr
    env["DISPATCH_SHARED_DIR"] = str(shared)
    done = subprocess.run(
        run + flags, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "tiny" in done.stdout and "greedy" in done.stdout
