"""Field-service route optimisation: pure, typed, no database, web or Redis.

This package is the solver's public surface: the service, the simulation and the command
line import from ``solver`` only (an import-linter contract holds them to it). Tests and
benchmarks may reach into the submodules; :mod:`solver.formats` and :mod:`solver.bench`
(benchmark instances and peers) are tools of their own.
"""

from solver.assemble import solution_from_plan
from solver.check import Code, Violation, plan_of, retime_plan, validate
from solver.greedy import greedy
from solver.insertion import InsertionResult, insert, insert_diverting
from solver.params import SolveParams
from solver.problem import Break, Engineer, Pin, Problem, Ticket, Tier, TimeWindow, Weights
from solver.solution import (
    BreakPlacement,
    Kpis,
    Reason,
    Route,
    Solution,
    SolveStatus,
    Suggestion,
    Unassigned,
    Visit,
)
from solver.solve import solve
from solver.travel import (
    GeodesicProvider,
    HaversineProvider,
    IntMatrix,
    Location,
    TravelMatrix,
    TravelTimeProvider,
)
from solver.travel.osrm_cache import CachedPairs, InMemoryMatrixCache, MatrixCache, PairBlock
from solver.travel.osrm_prepare import prepare_dataset
from solver.travel.spec import TravelSpec, check_spec, parse_spec, provider_from_spec

__all__ = [
    "Break",
    "BreakPlacement",
    "CachedPairs",
    "Code",
    "Engineer",
    "GeodesicProvider",
    "HaversineProvider",
    "InMemoryMatrixCache",
    "InsertionResult",
    "IntMatrix",
    "Kpis",
    "Location",
    "MatrixCache",
    "PairBlock",
    "Pin",
    "Problem",
    "Reason",
    "Route",
    "Solution",
    "SolveParams",
    "SolveStatus",
    "Suggestion",
    "Ticket",
    "Tier",
    "TimeWindow",
    "TravelMatrix",
    "TravelSpec",
    "TravelTimeProvider",
    "Unassigned",
    "Violation",
    "Visit",
    "Weights",
    "check_spec",
    "greedy",
    "insert",
    "insert_diverting",
    "parse_spec",
    "plan_of",
    "prepare_dataset",
    "provider_from_spec",
    "retime_plan",
    "solution_from_plan",
    "solve",
    "validate",
]
