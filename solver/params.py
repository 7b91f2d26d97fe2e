"""Parameters of a solve: budgets, seed and search choices (frozen and validated)."""

from __future__ import annotations

import os
from dataclasses import dataclass

FIRST_SOLUTIONS = ("regret", "greedy")
"""Construction heuristics: regret-2 insertion by tier, or cheapest insertion by tier."""

LOCAL_SEARCHES = ("alns", "none")
"""Improvement phases: ruin-and-recreate (ALNS with annealing) or none."""

UNBOUNDED_SECONDS = 30.0 * 86400.0
"""The wall-clock budget of a deterministic solve: far beyond any iteration budget, and
finite, so every phase's share of it stays a valid timer (OR-Tools takes milliseconds)."""


@dataclass(frozen=True, slots=True)
class SolveParams:
    """How hard and how to search.

    Attributes
    ----------
    seed
        Seed of every random choice; the same problem, seed and ``iterations`` give
        the same plan.
    time_budget_seconds
        Wall-clock cap of the whole solve, in seconds.
    iterations
        Improvement iterations (ruin-and-recreate moves). ``None``: run until
        ``time_budget_seconds``. Set it for reproducible plans (the time limit is then only a
        safety cap; keep it generous).
    first_solution
        One of :data:`FIRST_SOLUTIONS`.
    local_search
        One of :data:`LOCAL_SEARCHES`.
    decompose_above
        Split the problem into regions solved separately when it has more than this
        many tickets (``0``: never split; ``None``: 5,000 when the compiled core runs
        the search, 1,200 for the numpy search).
    region_tickets
        Aimed number of tickets per region when decomposing.
    min_ruin, max_ruin
        Bounds of the number of tickets removed by one ruin move.
    temperature
        Initial annealing temperature as a fraction of the average travel time of
        a visit (0 disables annealing: only improving moves are kept).
    sacrifice
        When > 0, the annealing may give up a low-tier visit for a better structure
        (an unserved P4 weighs this many average visit costs, each tier above four
        times more); the plan returned is still the best by the tier ordering.
    mix
        Probability that a recreate inserts two neighbouring tiers together (the
        acceptance still never loses a higher tier); diversifies which high-tier
        tickets are served where.
    polish_rounds
        OR-Tools guided-local-search phases between the ruin-and-recreate phases
        (0: none). With ``iterations`` set they are plain descents to a local
        optimum instead, which stop by themselves, so the plan stays reproducible.
    polish_share
        Share of the time budget given to the OR-Tools phases.
    suggestions
        Whether to search the smallest change that would let each unassigned ticket
        in (costs a little time per unassigned ticket).
    workers
        Parallel searches (forked processes, where the platform can fork): one per
        worker with seeds ``seed``, ``seed + 1``... keeping the best plan, or the
        regions of a decomposed problem solved side by side. ``0``: one per CPU, at
        most four. A plan is reproducible for a given number of workers; set it
        explicitly to get the same plan on machines with different CPU counts, and
        to 1 inside a process that must not fork.
    staged
        Whether the first ruin-and-recreate phase works tier by tier: P1 tickets
        alone, then P1 and P2, and so on (lower tiers only take room, so each tier is
        decided on shorter routes with faster moves).
    compiled
        Run the ruin-and-recreate phases in the compiled core (C, string removals,
        tens of thousands of moves a second) when it is built; ``False`` (or a build
        without it) uses the numpy search. ``iterations`` counts the moves of
        whichever runs.
    deterministic
        Bound the solve by its work alone: ``iterations`` (required) and the descents
        that stop by themselves, with no wall-clock check anywhere, so the same
        problem, seed, ``iterations`` and ``workers`` give the same plan on a loaded
        machine as on an idle one. ``time_budget_seconds`` is then ignored (it is only
        recorded); use it where results must not depend on the machine (simulations,
        benchmarks comparing policies), not behind a user-facing deadline.
    """

    seed: int = 0
    time_budget_seconds: float = 10.0
    iterations: int | None = None
    first_solution: str = "regret"
    local_search: str = "alns"
    decompose_above: int | None = None
    region_tickets: int = 500
    min_ruin: int = 4
    max_ruin: int = 24
    temperature: float = 0.05
    sacrifice: float = 0.0
    mix: float = 0.0
    polish_rounds: int = 1
    polish_share: float = 0.15
    suggestions: bool = True
    workers: int = 0
    staged: bool = True
    compiled: bool = True
    deterministic: bool = False

    def __post_init__(self) -> None:
        if self.time_budget_seconds <= 0:
            raise ValueError("time_budget_seconds must be positive")
        if self.iterations is not None and self.iterations < 0:
            raise ValueError("iterations must be >= 0")
        if self.first_solution not in FIRST_SOLUTIONS:
            raise ValueError(f"first_solution must be one of {FIRST_SOLUTIONS}")
        if self.local_search not in LOCAL_SEARCHES:
            raise ValueError(f"local_search must be one of {LOCAL_SEARCHES}")
        if self.decompose_above is not None and self.decompose_above < 0:
            raise ValueError("decompose_above must be >= 0")
        if self.region_tickets < 10:
            raise ValueError("region_tickets must be >= 10")
        if not 1 <= self.min_ruin <= self.max_ruin:
            raise ValueError("need 1 <= min_ruin <= max_ruin")
        if not 0.0 <= self.polish_share < 1.0:
            raise ValueError("polish_share must be within [0, 1)")
        if self.polish_rounds < 0:
            raise ValueError("polish_rounds must be >= 0")
        if not 0.0 <= self.mix <= 1.0:
            raise ValueError("mix must be within [0, 1]")
        if self.sacrifice < 0:
            raise ValueError("sacrifice must be >= 0")
        if self.temperature < 0:
            raise ValueError("temperature must be >= 0")
        if self.workers < 0:
            raise ValueError("workers must be >= 0")
        if self.deterministic and self.iterations is None:
            raise ValueError("deterministic needs an iteration budget (iterations)")

    def wall_seconds(self) -> float:
        """The wall-clock budget the solve works within.

        ``time_budget_seconds``, or :data:`UNBOUNDED_SECONDS` (never reached: no phase is cut
        by the clock) when ``deterministic``.
        """
        return UNBOUNDED_SECONDS if self.deterministic else self.time_budget_seconds

    def resolved_workers(self) -> int:
        """Worker processes to use (``workers``, or one per CPU up to four when 0)."""
        if self.workers:
            return self.workers
        return max(1, min(4, os.cpu_count() or 1))
