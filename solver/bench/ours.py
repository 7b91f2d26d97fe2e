"""Our engine as a benchmark contestant (``solver.solve.solve``)."""

from __future__ import annotations

import dataclasses
import importlib
import time

from solver.bench.result import PeerResult
from solver.check.validate import plan_of
from solver.problem import Problem
from solver.solution import Solution
from solver.travel.base import TravelMatrix


def engine_available() -> bool:
    """Whether ``solver.solve`` and ``solver.params`` can be imported."""
    try:
        importlib.import_module("solver.solve")
        importlib.import_module("solver.params")
    except ModuleNotFoundError:
        return False
    return True


def run_ours(
    problem: Problem, *, matrix: TravelMatrix, seconds: float, seed: int = 0
) -> tuple[PeerResult, Solution | None]:
    """Solve with our engine within ``seconds`` (the matrix is handed over, not timed).

    Parameters
    ----------
    problem
        The problem.
    matrix
        Its travel matrix.
    seconds
        ``SolveParams.time_budget_seconds``.
    seed
        ``SolveParams.seed``.

    Returns
    -------
    tuple
        The plan as a :class:`PeerResult` (``solver`` = ``"ours"``; skipped with a
        reason when the engine is not installed) and the engine's ``Solution``.
    """
    if not engine_available():
        return PeerResult("ours", skipped="engine (solver.solve) not available"), None
    solve = importlib.import_module("solver.solve").solve
    params = importlib.import_module("solver.params").SolveParams(
        seed=seed, time_budget_seconds=seconds
    )
    fixed = dataclasses.replace(problem, travel=matrix)
    t0 = time.perf_counter()
    sol: Solution = solve(fixed, params)
    wall = time.perf_counter() - t0
    notes = (f"budget {seconds:.0f} s", *sol.notes)
    return PeerResult("ours", plan_of(sol), wall, None, notes), sol
