"""What a run will face: requests arriving over the horizon and how each visit turns out.

All draws depend on the scenario and the run's seed only, never on the policy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dispatch.models import TicketKind
from scenarios.load import appointment_weekdays, scenario_policy
from scenarios.model import Scenario, clock_minutes
from scenarios.world import SiteRef, lognormal, rng_for

SLOT_STEP_MINUTES = 30


@dataclass(frozen=True)
class Request:
    """One request to the service desk.

    Times are simulation seconds (from local midnight of the first day).
    """

    key: str
    """Stable name of the request (for its own random draws)."""
    at: float
    reported_at: float
    tier: int
    kind: str
    skill: str
    min_level: int
    minutes: int
    """The dispatcher's estimate of the time on site."""
    site: SiteRef
    window: tuple[float, float] | None
    remote: bool
    """Fixed by remote diagnosis (no visit)."""


@dataclass(frozen=True)
class Outcome:
    """How one visit goes: the real time on site, no access, a missing part."""

    minutes: float
    no_access: bool
    parts_shortage: bool
    overran: bool


def _booking_days(scenario: Scenario) -> set[int]:
    """Horizon days (0-based) that take appointments: staffed, open in the SLA calendar.

    Weekends (or any day the calendar leaves closed) and its holidays are on-call only.
    """
    calendar = scenario_policy(scenario).default_calendar
    weekdays = appointment_weekdays(scenario, calendar)
    holidays = set(calendar.holidays)
    return {
        d
        for d in range(scenario.days)
        if scenario.day(d).weekday() in weekdays and scenario.day(d) not in holidays
    }


def _slot(
    scenario: Scenario, rng_draw: float, rng_day: int, arrival: float, booking: set[int]
) -> tuple[float, float] | None:
    spec = scenario.demand.appointments
    first, last = clock_minutes(spec.first), clock_minutes(spec.last)
    day0 = max(0, min(scenario.days - 1, int(arrival // 86400)))
    while day0 + 1 < scenario.days and scenario.day_start(day0 + 1) <= arrival:
        day0 += 1
    candidates = []
    for offset in range(spec.lead_days + 1):
        d = day0 + offset
        if d not in booking:
            continue
        steps = (last - first) // SLOT_STEP_MINUTES
        starts = [first + k * SLOT_STEP_MINUTES for k in range(steps + 1)]
        earliest = arrival + 3600
        ok = [s for s in starts if scenario.day_start(d) + s * 60 >= earliest]
        if ok:
            candidates.append((d, ok))
    if not candidates:
        return None
    d, starts = candidates[rng_day % len(candidates)]
    start = scenario.day_start(d) + starts[int(rng_draw * len(starts))] * 60
    return start, start + spec.slot_minutes * 60


def _pick(rng_value: float, weights: Mapping[Any, float]) -> Any:
    keys = sorted(weights)
    total = sum(weights[k] for k in keys)
    acc = 0.0
    for k in keys:
        acc += weights[k] / total
        if rng_value < acc:
            return k
    return keys[-1]


_Draft = tuple[float, float, int, int, str, Any]
"""(arrival second, reported second, stream index, number in stream, source, spec)."""


def requests(scenario: Scenario, seed: int, sites: tuple[SiteRef, ...]) -> list[Request]:
    """Every request of a run, in arrival order (the backlog first, at second 0).

    Parameters
    ----------
    scenario
        The scenario.
    seed
        The run's seed.
    sites
        The seeded sites (tickets pick one of a VIP or a standard customer).
    """
    vip_sites = [s for s in sites if s.vip]
    std_sites = [s for s in sites if not s.vip] or vip_sites
    booking = _booking_days(scenario) if scenario.demand.appointments.share else set()
    drafts = _backlog_drafts(scenario) + _arrival_drafts(scenario, seed)
    drafts.sort(key=lambda d: (d[0], d[4], d[2], d[3]))
    return [_request(scenario, seed, draft, (vip_sites, std_sites), booking) for draft in drafts]


def _backlog_drafts(scenario: Scenario) -> list[_Draft]:
    return [
        (0.0, -backlog.age_hours * 3600, b_index, n, "backlog", backlog)
        for b_index, backlog in enumerate(scenario.demand.backlog)
        for n in range(backlog.count)
    ]


def _arrival_drafts(scenario: Scenario, seed: int) -> list[_Draft]:
    """The arrivals of each stream: a Poisson process over its hours of each of its days."""
    drafts: list[_Draft] = []
    for a_index, stream in enumerate(scenario.demand.arrivals):
        if stream.per_hour <= 0:
            continue
        rng = rng_for(scenario.seed, seed, "arrivals", a_index)
        days = {d.number for d in stream.days}
        n = 0
        for d in range(scenario.days):
            if scenario.day(d).weekday() not in days:
                continue
            t = scenario.day_start(d) + stream.hours.start_minute * 60
            end = scenario.day_start(d) + stream.hours.end_minute * 60
            while True:
                t += rng.expovariate(stream.per_hour / 3600)
                if t >= end:
                    break
                drafts.append((t, t, a_index, n, "arrival", stream))
                n += 1
    return drafts


def _request(
    scenario: Scenario,
    seed: int,
    draft: _Draft,
    pools: tuple[list[SiteRef], list[SiteRef]],
    booking: set[int],
) -> Request:
    """The request of ``draft``: its own generator draws what it needs and where."""
    demand = scenario.demand
    at, reported, index, n, source, spec = draft
    key = f"{source}{index}.{n}"
    rng = rng_for(scenario.seed, seed, "request", key)
    tier: int = spec.tier
    kind: TicketKind = spec.kind
    skill = str(_pick(rng.random(), demand.skill_mix))
    level = int(_pick(rng.random(), demand.level_mix))
    minutes = max(5, min(600, round(lognormal(rng, spec.duration))))
    vip_sites, std_sites = pools
    vip = bool(vip_sites) and rng.random() < demand.vip_share
    pool = vip_sites if vip else std_sites
    site = pool[rng.randrange(len(pool))]
    window = None
    draw_window, draw_slot, draw_day = rng.random(), rng.random(), rng.randrange(1 << 30)
    if tier >= 3 and draw_window < demand.appointments.share:
        window = _slot(scenario, draw_slot, draw_day, max(at, 0.0), booking)
    remote = kind == TicketKind.REPAIR and rng.random() < demand.remote_share
    return Request(
        key=key,
        at=at,
        reported_at=reported,
        tier=tier,
        kind=kind.value,
        skill=skill,
        min_level=level,
        minutes=minutes,
        site=site,
        window=window,
        remote=remote,
    )


def outcome(scenario: Scenario, seed: int, key: str, visit: int, estimate: float) -> Outcome:
    """How visit number ``visit`` on request ``key`` goes (the same for every policy)."""
    spec = scenario.disruptions
    rng = rng_for(scenario.seed, seed, "visit", key, visit)
    noise = rng.gauss(0.0, spec.duration_noise_sd) if spec.duration_noise_sd else 0.0
    overran = rng.random() < spec.overrun_probability
    no_access = rng.random() < spec.no_access_probability
    parts = rng.random() < spec.parts_shortage_probability
    minutes = estimate * math.exp(noise) * (spec.overrun_factor if overran else 1.0)
    return Outcome(max(1.0, minutes), no_access, parts and not no_access, overran)


def travel_factor(scenario: Scenario, seed: int, *key: object) -> float:
    """Actual over expected drive time for one trip (log-normal, median 1)."""
    sd = scenario.travel.noise_sd
    if sd <= 0:
        return 1.0
    return math.exp(rng_for(scenario.seed, seed, "trip", *key).gauss(0.0, sd))


def sick_today(scenario: Scenario, seed: int, engineer_code: str, day: int) -> bool:
    """Whether an engineer calls in sick on day ``day``."""
    p = scenario.disruptions.sick.probability
    return p > 0 and rng_for(scenario.seed, seed, "sick", engineer_code, day).random() < p
