"""Job functions: thin, ids in, all work in :mod:`dispatch.planning.optimization`.

The queues (:mod:`dispatch.infra.job_queue`) name these functions by their dotted path
(:mod:`dispatch.infra.keys`): RQ workers import them by name, the in-process pool too.
"""

from __future__ import annotations

from dispatch.infra.settings import load_settings
from dispatch.planning.optimization import run_optimization
from dispatch.runtime import Runtime


def optimization_job(plan_id: int) -> str:
    """RQ job: run plan ``plan_id`` with a runtime built from the environment (a worker's)."""
    runtime = Runtime(load_settings())
    try:
        return run_optimization_with(runtime, plan_id)
    finally:
        runtime.close()


def run_optimization_with(runtime: Runtime, plan_id: int) -> str:
    """In-process job: run plan ``plan_id`` with the runtime of this process."""
    return run_optimization(
        plan_id,
        runtime=runtime,
        travel=runtime.travel,
        positions=runtime.positions.all_positions(),
    )
