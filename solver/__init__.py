"""Field-service route optimisation: pure, typed, no database, web or Redis."""

from solver.insertion import InsertionResult, insert
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

__all__ = [
    "Break",
    "BreakPlacement",
    "Engineer",
    "InsertionResult",
    "Kpis",
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
    "Unassigned",
    "Visit",
    "Weights",
    "insert",
    "solve",
]
