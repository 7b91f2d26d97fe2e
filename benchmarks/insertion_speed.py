"""Time :func:`solver.insert` on pub-xl (200 engineers, 2,000 tickets).

Plans pub-xl (a short solve: the plan's quality does not matter here, its size does),
then inserts new emergencies one at a time, each into the plan as it was, at random
points of the instance's area with a 2-hour window opening between 08:00 and 15:00, and reports the wall time of each
insertion (matrix of the extended problem computed outside the timing, as the dispatch
service keeps it cached).

Run: ``.venv/bin/python benchmarks/insertion_speed.py [path/to/pub-xl.json] [n]``
"""

from __future__ import annotations

import dataclasses
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from solver import SolveParams, Ticket, Tier, TimeWindow, insert, solve
from solver.formats.fieldservice import read_instance
from solver.travel.base import HaversineProvider, Location

DEFAULT = Path(__file__).resolve().parents[2] / "shared/benchmarks/fieldservice/pub-xl.json"


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    inst = read_instance(path)
    base = inst.problem
    provider = HaversineProvider(speed_kmh=inst.speed_kmh, circuity=inst.circuity)
    plan = solve(base, SolveParams(time_budget_seconds=20.0, seed=0, suggestions=False))
    rng = np.random.default_rng(0)
    lats = [t.location.lat for t in base.tickets]
    lons = [t.location.lon for t in base.tickets]
    skills = sorted({t.skill for t in base.tickets if t.skill})
    times: list[float] = []
    placed = 0
    for i in range(count):
        opens = int(rng.integers(8, 16)) * 3600
        new = Ticket(
            id=f"EMERGENCY{i}",
            location=Location(
                float(rng.uniform(min(lats), max(lats))), float(rng.uniform(min(lons), max(lons)))
            ),
            duration=1800,
            skill=str(rng.choice(skills)),
            min_level=1,
            tier=Tier.P1,
            windows=(TimeWindow(opens, opens + 2 * 3600),),
        )
        problem = dataclasses.replace(base, tickets=(*base.tickets, new), travel=provider)
        matrix = provider.matrix(problem.locations())
        problem = dataclasses.replace(problem, travel=matrix)
        t0 = time.perf_counter()
        res = insert(problem, plan, new, matrix=matrix)
        times.append(time.perf_counter() - t0)
        placed += res.inserted
    print(
        f"{inst.name}: {len(base.engineers)} engineers, {len(base.tickets)} tickets, "
        f"{plan.kpis.served} planned; {count} insertions, {placed} placed; "
        f"median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
