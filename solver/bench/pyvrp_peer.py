"""PyVRP as a benchmark peer.

On Solomon / Gehring-Homberger instances PyVRP gets exactly our scaled integer
matrices (distances rounded, durations rounded up; see :mod:`solver.formats.solomon`)
and a fixed cost per vehicle equal to the distance of serving every customer from the
depot on its own (a star: more than any sensible plan's distance), i.e. the
hierarchical objective vehicles first, then distance. PyVRP's penalty cap is raised
(:data:`MAX_PENALTY`): with the default cap a fixed cost this large makes it prefer
overloaded routes on small instances.

On field-service instances it is skipped: PyVRP 0.14 has no driver breaks (a break
with its own window that may be taken mid-drive) and no per-vehicle maximum number of
visits (``max_jobs``), both hard rules of that benchmark. Dropping them would make its
plans invalid or incomparable, so :func:`fieldservice_skip_reason` says why instead.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pyvrp
from pyvrp.stop import MaxRuntime

from solver.bench.result import PeerResult
from solver.formats.solomon import SolomonInstance

MAX_PENALTY = 1e12
"""PyVRP's penalty cap, raised so that penalties can outweigh the fixed vehicle cost."""


def fieldservice_skip_reason() -> str:
    """Why PyVRP does not run on field-service instances."""
    return "PyVRP 0.14 cannot express driver breaks or max_jobs (hard in this benchmark)"


def build_data(instance: SolomonInstance) -> pyvrp.ProblemData:
    """PyVRP problem data on our scaled integer matrices.

    Parameters
    ----------
    instance
        A Solomon instance read by :func:`solver.formats.solomon.read_instance`.

    Returns
    -------
    pyvrp.ProblemData
        One depot (node 0), one client per customer, one vehicle type.
    """
    s = instance.scale
    n = len(instance.coords)
    m = instance.problem.travel_matrix()
    nv = instance.vehicles
    points = np.concatenate([[0], 2 * nv + np.arange(n - 1)])
    dist: Any = np.ascontiguousarray(m.distances[np.ix_(points, points)], dtype=np.int64)
    dur: Any = np.ascontiguousarray(m.durations[np.ix_(points, points)], dtype=np.int64)
    locations = [pyvrp.Location(float(x), float(y)) for x, y in instance.coords]
    depot = pyvrp.Depot(
        location=0,
        tw_early=round(instance.ready[0] * s),
        tw_late=round(instance.due[0] * s),
    )
    clients = [
        pyvrp.Client(
            location=i,
            delivery=[int(instance.demand[i])],
            service_duration=round(instance.service[i] * s),
            tw_early=round(instance.ready[i] * s),
            tw_late=round(instance.due[i] * s),
        )
        for i in range(1, n)
    ]
    star = int(2 * dist[0, 1:].sum())
    vehicle = pyvrp.VehicleType(
        num_available=nv,
        capacity=[instance.capacity],
        fixed_cost=star,
        tw_early=round(instance.ready[0] * s),
        tw_late=round(instance.due[0] * s),
    )
    return pyvrp.ProblemData(
        locations=locations,
        clients=clients,
        depots=[depot],
        vehicle_types=[vehicle],
        distance_matrices=[dist],
        duration_matrices=[dur],
    )


def run_pyvrp(instance: SolomonInstance, *, seconds: float = 10.0, seed: int = 0) -> PeerResult:
    """Solve a Solomon instance with PyVRP's hybrid genetic search.

    Parameters
    ----------
    instance
        The instance.
    seconds
        Run time (PyVRP's ``MaxRuntime``).
    seed
        Random seed.

    Returns
    -------
    PeerResult
        The best plan (vehicles ``V00``... in route order, customers by number).
    """
    data = build_data(instance)
    t0 = time.perf_counter()
    params = pyvrp.SolveParams(penalty=pyvrp.PenaltyParams(max_penalty=MAX_PENALTY))
    result = pyvrp.solve(data, stop=MaxRuntime(seconds), seed=seed, display=False, params=params)
    wall = time.perf_counter() - t0
    ids = [e.id for e in instance.problem.engineers]
    plan: dict[str, list[str]] = {e: [] for e in ids}
    for k, route in enumerate(result.best.routes()):
        # a client activity's idx counts clients from 0: customer number = idx + 1
        plan[ids[k]] = [str(a.idx + 1) for a in route if a.is_client()]
    notes = () if result.best.is_feasible() else ("PyVRP's best solution is infeasible",)
    return PeerResult("pyvrp", plan, wall, None, notes)
