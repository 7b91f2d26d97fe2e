"""What one run measured, and how runs over seeds are summed up (means, 95 % intervals).

Service levels come from the production KPI code (:func:`dispatch.reporting.kpis.compute_kpis`
over the horizon): response compliance per tier counts tickets whose response came in
time, or whose response was due before the end of the horizon and had not come (clocks
still running at the end are left out); the backlog waiting at the start counts too.
Response times (p50, p90, distributions) are those of the requests arriving during the
horizon, by nearest rank as in the KPI code. Travel, utilisation and overtime are what the
simulated engineers really did (noisy drives, real times on site).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scipy.stats import t as student_t
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch.models import SiteVisit, Ticket
from dispatch.reporting.kpis import compute_kpis, nearest_rank

if TYPE_CHECKING:
    from scenarios.field import Member
    from scenarios.run_state import RunState

TIERS = ("P1", "P2", "P3", "P4")
METRICS = (
    "p1_response_compliance",
    "p2_response_compliance",
    "p3_response_compliance",
    "p4_response_compliance",
    "tickets_served",
    "travel_min_per_job",
    "utilisation",
    "overtime_min",
    "response_p50_min",
    "response_p90_min",
)
"""The figures of a run, in the order of the comparison table and the JSON."""


@dataclass
class Trace:
    """The first day of a run, for the report's Gantt chart and map."""

    activities: dict[str, list[tuple[str, float, float, int, str]]]
    paths: dict[str, list[tuple[float, float, int]]]
    day_start: float


@dataclass
class RunResult:
    """The figures of one run (``None``: nothing to measure, e.g. no P1 ticket)."""

    scenario: str
    policy: str
    seed: int
    metrics: dict[str, float | None]
    response_minutes: dict[str, list[float]]
    tickets: int
    plans: int
    solver_seconds: float
    wall_seconds: float = 0.0
    trace: Trace | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def collect(
    *,
    session: Session,
    run: RunState,
    members: Sequence[Member],
    backlog_from: dt.datetime,
    start: dt.datetime,
    end: dt.datetime,
) -> RunResult:
    """Measure a finished run from its database and its engineers' tallies.

    SLA compliance covers every ticket of the run (the backlog, reported from
    ``backlog_from``, included); response times cover the requests that arrived in
    ``[start, end)``.
    """
    report = compute_kpis(session=session, start=backlog_from, end=end)
    metrics: dict[str, float | None] = {}
    for tier in TIERS:
        metrics[f"{tier.lower()}_response_compliance"] = report.sla_compliance[tier].response.value
    metrics.update(_work(session, members, end))
    responses = _responses(session, start, end)
    every = [m for values in responses.values() for m in values]
    metrics["response_p50_min"] = nearest_rank(every, 50)
    metrics["response_p90_min"] = nearest_rank(every, 90)
    trace = None
    if run.trace:
        trace = Trace(
            activities={m.code: list(m.activities) for m in members},
            paths={m.code: list(m.path) for m in members},
            day_start=run.scenario.day_start(0),
        )
    return RunResult(
        scenario=run.scenario.name,
        policy=run.policy.name,
        seed=run.seed,
        metrics=metrics,
        response_minutes=responses,
        tickets=report.tickets,
        plans=run.desk.plans,
        solver_seconds=round(run.desk.solver_seconds, 3),
        trace=trace,
        extra={"first_time_fix": report.first_time_fix.value},
    )


def _work(session: Session, members: Sequence[Member], end: dt.datetime) -> dict[str, float | None]:
    """Tickets served, travel per visit, utilisation and overtime."""
    served = session.scalar(
        select(func.count())
        .select_from(Ticket)
        .where(Ticket.resolved_at.is_not(None), Ticket.resolved_at < end)
    )
    visits = session.scalar(
        select(func.count()).select_from(SiteVisit).where(SiteVisit.checked_out_at.is_not(None))
    )
    travel = sum(m.travel_s for m in members) / 60
    on_site = sum(m.on_site_s for m in members) / 60
    shift = sum(m.shift_s for m in members) / 60
    return {
        "tickets_served": float(served or 0),
        "travel_min_per_job": travel / visits if visits else None,
        "utilisation": (travel + on_site) / shift if shift else None,
        "overtime_min": sum(m.overtime_s for m in members) / 60,
    }


def _responses(session: Session, start: dt.datetime, end: dt.datetime) -> dict[str, list[float]]:
    """Tier -> response minutes of the requests reported in ``[start, end)``."""
    responses: dict[str, list[float]] = {tier: [] for tier in TIERS}
    for priority, reported, responded in session.execute(
        select(Ticket.priority, Ticket.reported_at, Ticket.responded_at).where(
            Ticket.reported_at >= start,
            Ticket.reported_at < end,
            Ticket.responded_at.is_not(None),
        )
    ):
        if responded is not None:
            minutes = (responded - reported).total_seconds() / 60
            responses[TIERS[priority - 1]].append(round(minutes, 2))
    return responses


@dataclass(frozen=True)
class Estimate:
    """A mean over seeds and its 95 % confidence interval (Student's t)."""

    mean: float | None
    low: float | None
    high: float | None
    n: int

    @property
    def half_width(self) -> float | None:
        """Half the interval's width."""
        if self.mean is None or self.high is None:
            return None
        return self.high - self.mean


def estimate(values: Sequence[float | None]) -> Estimate:
    """Mean and 95 % interval of the values that are not ``None`` (no interval from one)."""
    xs = [float(v) for v in values if v is not None and not math.isnan(v)]
    if not xs:
        return Estimate(None, None, None, 0)
    mean = statistics.fmean(xs)
    if len(xs) == 1:
        return Estimate(mean, None, None, 1)  # no interval from one value
    t = float(student_t.ppf(0.975, df=len(xs) - 1))  # the two-sided 95 % quantile
    half = t * statistics.stdev(xs) / math.sqrt(len(xs))
    return Estimate(mean, mean - half, mean + half, len(xs))


def summarise(results: Sequence[RunResult]) -> dict[str, dict[str, Estimate]]:
    """Policy -> metric -> estimate over the seeds of ``results``."""
    by_policy: dict[str, list[RunResult]] = {}
    for r in results:
        by_policy.setdefault(r.policy, []).append(r)
    return {
        policy: {name: estimate([r.metrics.get(name) for r in runs]) for name in METRICS}
        for policy, runs in by_policy.items()
    }


def paired_margin(
    results: Sequence[RunResult], policy: str, baseline: str, metric: str
) -> Estimate:
    """``policy`` minus ``baseline`` on ``metric``, paired by seed (same demand)."""
    base = {r.seed: r.metrics.get(metric) for r in results if r.policy == baseline}
    diffs: list[float | None] = []
    for r in results:
        if r.policy != policy or r.seed not in base:
            continue
        a, b = r.metrics.get(metric), base[r.seed]
        diffs.append(None if a is None or b is None else a - b)
    return estimate(diffs)


def comparison_json(
    scenario: str, seeds: int, summary: Mapping[str, Mapping[str, Estimate]]
) -> dict[str, Any]:
    """The comparison as JSON: means over seeds, each with a ``_ci95`` twin ``[low, high]``."""
    policies: dict[str, dict[str, Any]] = {}
    for policy, figures in summary.items():
        out: dict[str, Any] = {}
        for name in METRICS:
            e = figures[name]
            out[name] = None if e.mean is None else round(e.mean, 4)
            out[f"{name}_ci95"] = (
                None if e.low is None or e.high is None else [round(e.low, 4), round(e.high, 4)]
            )
        policies[policy] = out
    return {"scenario": scenario, "seeds": seeds, "policies": policies}
