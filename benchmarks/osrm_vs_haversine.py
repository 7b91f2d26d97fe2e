"""OSRM vs haversine on Monaco: how many straight-line plans turn up late on real roads.

For each seed: about 40 tickets and 4 engineers at seeded random points within 25 m of
a Monaco road (OSRM's own test map). The same tickets are planned twice, once on
straight-line times (haversine x 1.3 at 30 km/h, the default) and once on OSRM road
times. Then the haversine plan is driven on the road times (same engineers, same
order, re-timed from the shift start by :func:`solver.check.validate.retime_plan`) and we
count the visits that would have started outside their windows (or past a hard SLA),
the routes that overrun the shift, and how far planned arrivals are from real ones.

Usage::

    .venv/bin/python benchmarks/osrm_vs_haversine.py [--seeds 1 2 3 4 5] [--append-results]

The Monaco extract is read from ``../shared/osm`` beside the repository (or
``DISPATCH_OSM_DIR``, or ``--pbf``) and prepared into a temporary directory unless
``--data-dir`` names an existing data set.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from solver import SolveParams  # noqa: E402
from solver import solve as solver_solve  # noqa: E402
from solver.check.retime import Code  # noqa: E402
from solver.check.validate import retime_plan  # noqa: E402
from solver.problem import Break, Engineer, Problem, Ticket, Tier, TimeWindow  # noqa: E402
from solver.solution import Solution  # noqa: E402
from solver.travel.base import HaversineProvider, Location, TravelMatrix  # noqa: E402
from solver.travel.osrm import OsrmProvider  # noqa: E402
from solver.travel.osrm_prepare import prepare_dataset  # noqa: E402

BBOX = (43.7270, 43.7500, 7.4100, 7.4390)
"""lat_min, lat_max, lon_min, lon_max: Monaco and the edges of Beausoleil and Cap d'Ail."""
ON_ROAD_M = 25.0
HOUR = 3600
LATE_CODES = {Code.TIME_WINDOW, Code.SLA_DEADLINE}
PLANNER = "solver.solve"
ITERATIONS = 1_000
"""Improvement iterations per solve (fixed, so plans are reproducible)."""
ETA_SLIP = 10 * 60
"""A real arrival this much later than the planned one breaks the ETA given to the customer."""


def default_pbf() -> Path:
    """The shared Monaco extract."""
    folder = os.environ.get("DISPATCH_OSM_DIR")
    base = Path(folder) if folder else ROOT / ".." / "shared" / "osm"
    return base / "monaco.osm.pbf"


def road_points(provider: OsrmProvider, count: int, rng: random.Random) -> list[Location]:
    """``count`` seeded random points within :data:`ON_ROAD_M` of a road, all routable."""
    lat0, lat1, lon0, lon1 = BBOX
    candidates = [
        Location(round(rng.uniform(lat0, lat1), 4), round(rng.uniform(lon0, lon1), 4))
        for _ in range(count * 6)
    ]
    m = provider.matrix(candidates)
    if m.provider != provider.name:
        raise RuntimeError(f"OSRM is not answering: {m.notes}")
    on_road = [p for i, p in enumerate(candidates) if i not in m.unsnapped]
    keys = {(p.lat, p.lon) for p in on_road}
    if len(keys) < count:
        raise RuntimeError(f"only {len(keys)} distinct road points found")
    chosen = list(dict.fromkeys((p.lat, p.lon) for p in on_road))[:count]
    points = [Location(a, b) for a, b in chosen]
    check = provider.matrix(points)
    if check.unsnapped or check.notes:
        raise RuntimeError(f"chosen points are not all routable: {check.notes}")
    return points


def instance(points: list[Location], engineers: int, rng: random.Random) -> Problem:
    """Engineers at the first points (home = start = end), tickets at the rest."""
    lunch = Break(30 * 60, TimeWindow(12 * HOUR, 14 * HOUR))
    crew = tuple(
        Engineer(
            id=f"E{i + 1}",
            start=points[i],
            end=points[i],
            shift=TimeWindow(8 * HOUR, 17 * HOUR),
            breaks=(lunch,),
        )
        for i in range(engineers)
    )
    tickets = []
    for k, p in enumerate(points[engineers:]):
        tier = rng.choices([Tier.P1, Tier.P2, Tier.P3, Tier.P4], weights=[1, 2, 4, 3])[0]
        windows: tuple[TimeWindow, ...] = ()
        if rng.random() < 0.7:
            start = rng.randrange(8, 16) * HOUR
            windows = (TimeWindow(start, start + HOUR),)
        tickets.append(
            Ticket(
                id=f"T{k + 1:02d}",
                location=p,
                duration=rng.randrange(15, 45, 5) * 60,
                tier=tier,
                windows=windows,
            )
        )
    return Problem(engineers=crew, tickets=tuple(tickets))


def with_matrix(problem: Problem, matrix: TravelMatrix) -> Problem:
    """The same problem on a ready travel matrix."""
    return Problem(engineers=problem.engineers, tickets=problem.tickets, travel=matrix)


def solve(problem: Problem, seed: int) -> Solution:
    """Plan with the solver (seeded, fixed iterations; the time limit is a safety cap)."""
    return solver_solve(
        problem, SolveParams(seed=seed, iterations=ITERATIONS, time_budget_seconds=120.0)
    )


@dataclass(frozen=True)
class Row:
    """Figures of one seed."""

    seed: int
    tickets: int
    served_haversine: int
    served_osrm: int
    late_on_roads: int
    windowed_visits: int
    shift_overruns: int
    eta_slips: int
    eta_error_mean: float
    eta_error_max: float
    travel_haversine_plan: int
    travel_osrm_plan: int
    road_over_straight: float
    asymmetric_pairs: float
    late_osrm_plan: int
    osrm_matrix_s: float


def run_seed(provider: OsrmProvider, seed: int, tickets: int, engineers: int) -> Row:
    """Plan one seeded instance both ways and drive the straight-line plan on roads."""
    rng = random.Random(seed)
    points = road_points(provider, tickets + engineers, rng)
    base = instance(points, engineers, rng)
    locations = base.locations()
    straight = HaversineProvider().matrix(locations)
    t0 = time.perf_counter()
    roads = provider.matrix(locations)
    osrm_s = time.perf_counter() - t0
    if roads.provider != provider.name:
        raise RuntimeError(f"OSRM fell back: {roads.notes}")

    on_roads = with_matrix(base, roads)
    plan_h = solve(with_matrix(base, straight), seed)
    plan_o = solve(on_roads, seed)

    driven = retime_plan(on_roads, plan_h, matrix=roads)
    late = sum(
        1 for t in driven.values() for v in t.violations if v.code in LATE_CODES and v.ticket_id
    )
    overruns = sum(
        1 for t in driven.values() if any(v.code == Code.SHIFT_END for v in t.violations)
    )
    planned = {v.ticket_id: v.arrival for r in plan_h.routes for v in r.visits}
    real = {v.ticket_id: v.arrival for t in driven.values() for v in t.route.visits}
    errors = [real[k] - planned[k] for k in planned if k in real]
    windowed = sum(1 for t in base.tickets if t.windows and t.id in planned)
    own = retime_plan(on_roads, plan_o, matrix=roads)
    late_o = sum(
        1 for t in own.values() for v in t.violations if v.code in LATE_CODES and v.ticket_id
    )

    off = ~np.eye(roads.size, dtype=bool)
    ratio = float(np.median(roads.durations[off] / np.maximum(straight.durations[off], 1)))
    d = roads.durations
    asym = np.abs(d - d.T) > np.maximum(30, 0.2 * np.minimum(d, d.T))
    return Row(
        seed=seed,
        tickets=len(base.tickets),
        served_haversine=plan_h.kpis.served,
        served_osrm=plan_o.kpis.served,
        late_on_roads=late,
        windowed_visits=windowed,
        shift_overruns=overruns,
        eta_slips=sum(1 for e in errors if e > ETA_SLIP),
        eta_error_mean=statistics.fmean(errors) / 60 if errors else 0.0,
        eta_error_max=max(errors, default=0) / 60,
        travel_haversine_plan=sum(t.route.travel_seconds for t in driven.values()),
        travel_osrm_plan=sum(t.route.travel_seconds for t in own.values()),
        road_over_straight=ratio,
        asymmetric_pairs=float(asym[off].mean()),
        late_osrm_plan=late_o,
        osrm_matrix_s=osrm_s,
    )


def machine() -> str:
    """CPU model and count, OS and Python of this machine."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{model}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def report(rows: list[Row], engineers: int) -> str:
    """The markdown section for ``benchmarks/RESULTS.md``."""
    lines = [
        "## OSRM vs haversine",
        "",
        f"{dt.date.today().isoformat()}, {machine()}. `benchmarks/osrm_vs_haversine.py`:",
        f"Monaco (OSRM test map, car profile, MLD), {rows[0].tickets} tickets (70% with a "
        f"1-hour window, 15-40 min on site) and {engineers} engineers (08:00-17:00, 30 min "
        "lunch) at seeded random points within 25 m of a road, planned with "
        f"`{PLANNER}` ({ITERATIONS} iterations) on haversine (x1.3 detour, 30 km/h) and on "
        "OSRM times. The haversine plan is then re-timed on OSRM times (same order, "
        "`solver.check.validate.retime_plan`).",
        "",
        "| seed | served (hav / osrm) | late on roads / windowed | shift overruns "
        "| arrivals > 10 min after plan | arrival error mean / max (min) "
        "| road travel (hav plan / osrm plan, min) | median road/straight time "
        "| asymmetric pairs | late in osrm plan |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.seed} | {r.served_haversine} / {r.served_osrm} "
            f"| {r.late_on_roads} / {r.windowed_visits} | {r.shift_overruns} "
            f"| {r.eta_slips} / {r.served_haversine} | {r.eta_error_mean:.1f} / {r.eta_error_max:.1f} "
            f"| {r.travel_haversine_plan / 60:.0f} / {r.travel_osrm_plan / 60:.0f} "
            f"| {r.road_over_straight:.2f} | {r.asymmetric_pairs:.0%} | {r.late_osrm_plan} |"
        )
    late = sum(r.late_on_roads for r in rows)
    windowed = sum(r.windowed_visits for r in rows)
    lines += [
        "",
        f"Over {len(rows)} seeds, {late} of {windowed} windowed visits planned on straight "
        f"lines ({late / max(windowed, 1):.0%}) would have started outside their window "
        f"on the road network; plans made on OSRM times had "
        f"{sum(r.late_osrm_plan for r in rows)}. Driven on the roads, the straight-line "
        f"plans took {sum(r.travel_haversine_plan for r in rows) / 60:.0f} min of travel, "
        f"the road-aware plans {sum(r.travel_osrm_plan for r in rows) / 60:.0f} min. "
        f"A {rows[0].tickets + engineers}-point "
        f"OSRM matrix took {statistics.fmean(r.osrm_matrix_s for r in rows) * 1000:.0f} ms "
        "in process.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print (optionally append) the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--tickets", type=int, default=40)
    parser.add_argument("--engineers", type=int, default=4)
    parser.add_argument("--pbf", type=Path, default=default_pbf())
    parser.add_argument("--data-dir", type=Path, help="an already prepared data set")
    parser.add_argument("--append-results", action="store_true")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="osrm-bench-") as tmp:
        data_dir = args.data_dir
        if data_dir is None:
            data_dir = Path(tmp)
            prepare_dataset(args.pbf, data_dir, algorithm="mld")
        provider = OsrmProvider.local(data_dir, snap_radius_m=ON_ROAD_M)
        rows = [run_seed(provider, s, args.tickets, args.engineers) for s in args.seeds]
    text = report(rows, args.engineers)
    print(text)
    if args.append_results:
        results = Path(__file__).with_name("RESULTS.md")
        with results.open("a", encoding="utf-8") as fh:
            if results.stat().st_size:
                fh.write("\n")
            fh.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
