"""Wall time and peak memory of one large :func:`solver.solve` against its time budget.

Generates a seeded field-service day in the format's spirit (a 40 km metro area, skills
with levels 1..3, one lunch break, ``max_jobs`` 8-12, tiers with the windows of
``FORMAT.md``), with travel by haversine computed *inside* the solve (as the service
does), and reports the wall time of ``solve()`` from entry to return, the peak resident
memory of this process and of its forked workers (``getrusage``), and the plan's size.

Run: ``.venv/bin/python benchmarks/large_solve.py --tickets 10000 --seconds 60``
(or under ``/usr/bin/time -v``). Figures go to ``RESULTS.md`` with machine and date.
"""

from __future__ import annotations

import argparse
import platform
import resource
import time

import numpy as np

from solver import SolveParams, solve
from solver.problem import Break, Engineer, Problem, Ticket, Tier, TimeWindow
from solver.travel.base import HaversineProvider, Location

SKILLS = ("elevator", "electrical", "hvac", "plumbing", "medical")
CENTRE = (31.23, 121.47)
SPREAD_DEG = 0.18
"""Half-width of the area in degrees (about 20 km each way)."""


def generate(tickets: int, engineers: int, seed: int = 0) -> Problem:
    """A seeded one-day problem of ``tickets`` tickets and ``engineers`` engineers."""
    rng = np.random.default_rng(seed)

    def place() -> Location:
        lat, lon = rng.normal(CENTRE, SPREAD_DEG / 2.0)
        return Location(float(np.clip(lat, 30.9, 31.6)), float(np.clip(lon, 121.1, 121.9)))

    engs = []
    for k in range(engineers):
        held = rng.choice(len(SKILLS), size=int(rng.integers(1, 4)), replace=False)
        home = place()
        engs.append(
            Engineer(
                id=f"E{k:05d}",
                start=home,
                end=home,
                skills={SKILLS[s]: int(rng.integers(1, 4)) for s in held},
                shift=TimeWindow(8 * 3600, 17 * 3600),
                breaks=(Break(1800, TimeWindow(11 * 3600 + 1800, 13 * 3600 + 1800)),),
                max_jobs=int(rng.integers(8, 13)),
            )
        )
    tix = []
    for j in range(tickets):
        tier = int(rng.choice(4, p=(0.05, 0.15, 0.5, 0.3))) + 1
        if tier == 1:
            opens = int(rng.integers(8 * 3600, 14 * 3600))
            window = TimeWindow(opens, opens + 2 * 3600)
        elif tier == 2:
            opens = int(rng.integers(8 * 3600, 12 * 3600))
            window = TimeWindow(opens, opens + 4 * 3600)
        elif tier == 3:
            window = TimeWindow(8 * 3600, 16 * 3600)
        else:
            opens = 8 * 3600 + 2 * 3600 * int(rng.integers(0, 4))
            window = TimeWindow(opens, opens + 2 * 3600)
        tix.append(
            Ticket(
                id=f"T{j:06d}",
                location=place(),
                tier=Tier(tier),
                duration=int(rng.integers(20, 90)) * 60,
                skill=SKILLS[int(rng.integers(0, len(SKILLS)))],
                min_level=int(rng.choice(3, p=(0.6, 0.3, 0.1))) + 1,
                windows=(window,),
                sla_deadline=window.end,
                sla_hard=True,
            )
        )
    return Problem(engineers=tuple(engs), tickets=tuple(tix), travel=HaversineProvider())


def _peak_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--engineers", type=int, default=0, help="default: tickets / 10")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    engineers = args.engineers or max(1, args.tickets // 10)
    problem = generate(args.tickets, engineers, args.seed)
    print(f"{platform.node()} {platform.processor() or platform.machine()}")
    print(f"{args.tickets} tickets, {engineers} engineers, budget {args.seconds:.0f} s")
    print(f"generated; peak RSS so far {_peak_mib(resource.RUSAGE_SELF):.0f} MiB", flush=True)
    t0 = time.perf_counter()
    sol = solve(problem, SolveParams(seed=args.seed, time_budget_seconds=args.seconds))
    wall = time.perf_counter() - t0
    over = 100.0 * (wall - args.seconds) / args.seconds
    served = sum(len(r.visits) for r in sol.routes)
    print(f"solve wall {wall:.1f} s ({over:+.1f} % against the budget)")
    print(f"peak RSS: solve process {_peak_mib(resource.RUSAGE_SELF):.0f} MiB, ", end="")
    print(f"largest forked worker {_peak_mib(resource.RUSAGE_CHILDREN):.0f} MiB")
    print(f"served {served} of {len(problem.tickets)}; status {sol.status}")
    for note in sol.notes:
        print(f"note: {note}")


if __name__ == "__main__":
    main()
