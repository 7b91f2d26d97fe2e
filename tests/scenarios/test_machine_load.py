"""A simulation's result depends on its seed, not on how busy the machine is.

A re-plan's wall-clock cap of a microsecond stands for a loaded machine: the desk's
solves are bounded by their iterations alone (``SolveParams.deterministic``), so the
run is the same as with a generous cap.
"""

from __future__ import annotations

from scenarios.load import parse_scenario
from scenarios.model import Scenario
from scenarios.sim import simulate
from tests.scenarios.tiny import tiny


def _scenario(solve_seconds: float) -> Scenario:
    data = tiny()
    data["policy"] = {**data["policy"], "solve_seconds": solve_seconds}
    return parse_scenario(data)


def test_a_starved_wall_clock_cap_gives_the_same_run() -> None:
    roomy = simulate(_scenario(600.0), "batch+insert", 6)
    starved = simulate(_scenario(1e-6), "batch+insert", 6)
    assert roomy.metrics == starved.metrics
    assert roomy.response_minutes == starved.response_minutes
    assert roomy.plans == starved.plans > 1
