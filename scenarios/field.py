"""The engineers in a simulation: each follows the published plan through the day.

An engineer on shift asks for the next visit of today's published plan; sets off when
the drive would bring them there at the planned start (at once when it is already due),
takes the lunch break when it is due, checks in, works for the real time, checks out,
and goes home when the shift is over (the time past the shift end is overtime). A new
plan wakes an engineer who is waiting.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import simpy
from sqlalchemy import select

from dispatch.models import Engineer, Ticket, TicketStatus, VisitOutcome
from dispatch.tickets.lifecycle import visit_count
from scenarios.run_state import RunState
from scenarios.world import World

_Gen = Generator[simpy.Event, Any, None]
NO_ACCESS_MINUTES = 10
LEAVE_EARLY_SECONDS = 300
"""An engineer sets off when the planned departure is at most this far away."""


@dataclass(frozen=True)
class Shift:
    """One day's shift of one engineer, in simulation seconds."""

    start: float
    end: float
    break_seconds: float
    break_earliest: float
    break_latest: float


@dataclass
class Member:
    """One engineer's state and tallies."""

    engineer_id: int
    code: str
    home: tuple[float, float]
    shifts: dict[int, tuple[int, int, int, int | None, int | None]]
    position: tuple[float, float] = (0.0, 0.0)
    trip: tuple[tuple[float, float], tuple[float, float], float, float] | None = None
    on_duty: bool = False
    rested: bool = False
    travel_s: float = 0.0
    on_site_s: float = 0.0
    shift_s: float = 0.0
    overtime_s: float = 0.0
    jobs: int = 0
    duty_days: int = 0
    """Days the engineer came to work (not sick)."""
    idle_days: int = 0
    """Of those, days without a single site visit."""
    activities: list[tuple[str, float, float, int, str]] = field(default_factory=list)
    """(kind, start, end, tier, ticket) of the first day: travel, on_site, break, home."""
    path: list[tuple[float, float, int]] = field(default_factory=list)
    """Points visited on the first day with the tier served there (0: home)."""

    def where(self, now: float) -> tuple[float, float]:
        """The position now (along the road when driving)."""
        if self.trip is None:
            return self.position
        (lat1, lon1), (lat2, lon2), t0, t1 = self.trip
        f = 0.0 if t1 <= t0 else min(1.0, max(0.0, (now - t0) / (t1 - t0)))
        return lat1 + (lat2 - lat1) * f, lon1 + (lon2 - lon1) * f


@dataclass
class Crew:
    """The engineers of a run and their day."""

    sim: RunState
    members: list[Member]

    @classmethod
    def of(cls, sim: RunState, world: World) -> Crew:
        """Read the seeded engineers."""
        members = []
        with sim.session() as session:
            rows = session.scalars(
                select(Engineer).where(Engineer.id.in_(world.engineer_ids)).order_by(Engineer.code)
            ).all()
            for e in rows:
                shifts = {
                    s.weekday: (
                        s.start_minute,
                        s.end_minute,
                        s.break_minutes,
                        s.break_earliest_minute,
                        s.break_latest_minute,
                    )
                    for s in e.shifts
                }
                home = (e.home_lat, e.home_lon)
                members.append(Member(e.id, e.code, home, shifts, position=home))
        return cls(sim, members)

    def rested(self) -> set[str]:
        """Codes of the engineers who have had today's break."""
        return {m.code for m in self.members if m.on_duty and m.rested}

    def _shift(self, member: Member, day: int) -> Shift | None:
        sc = self.sim.scenario
        row = member.shifts.get(sc.day(day).weekday())
        if row is None:
            return None
        start, end, brk, earliest, latest = row
        base = sc.day_start(day)
        return Shift(
            base + start * 60,
            base + end * 60,
            brk * 60,
            base + (earliest if earliest is not None else start) * 60,
            base + (latest if latest is not None else end) * 60,
        )

    def _log(self, m: Member, day: int, kind: str, t0: float, tier: int = 0, no: str = "") -> None:
        if self.sim.trace and day == 0:
            m.activities.append((kind, t0, self.sim.env.now, tier, no))

    def work(self, m: Member) -> _Gen:
        """The engineer's days over the horizon."""
        env, sim = self.sim.env, self.sim
        for day in range(sim.scenario.days):
            shift = self._shift(m, day)
            if shift is None:
                continue
            if env.now < shift.start:
                yield env.timeout(shift.start - env.now)
            if sim.sick(m.code, day):
                sim.set_active(m.engineer_id, False)
                sim.act("on_tick")  # the dispatcher re-plans without them
                yield env.timeout(max(0.0, shift.end - env.now))
                sim.set_active(m.engineer_id, True)
                continue
            m.on_duty, m.rested, m.position = True, shift.break_seconds <= 0, m.home
            m.shift_s += shift.end - shift.start - shift.break_seconds
            if day == 0 and sim.trace:
                m.path.append((*m.home, 0))
            jobs_before = m.jobs
            yield from self._day(m, day, shift)
            m.duty_days += 1
            m.idle_days += m.jobs == jobs_before
            # home
            t0 = env.now
            drive = sim.actual_drive(sim.drive_seconds(m.position, m.home), m.code, day, "home")
            m.trip = (m.position, m.home, env.now, env.now + drive)
            yield env.timeout(drive)
            m.trip, m.position, m.on_duty = None, m.home, False
            m.travel_s += drive
            m.overtime_s += max(0.0, env.now - shift.end)
            self._log(m, day, "travel", t0)
            if day == 0 and sim.trace:
                m.path.append((*m.home, 0))

    def _day(self, m: Member, day: int, shift: Shift) -> _Gen:
        env, sim = self.sim.env, self.sim
        date = sim.scenario.day(day)
        while env.now < shift.end:
            if not m.rested and env.now >= shift.break_earliest:
                t0 = env.now
                yield env.timeout(shift.break_seconds)
                m.rested = True
                self._log(m, day, "break", t0)
                continue
            job = sim.next_job(m.engineer_id, date)
            home_by = shift.end - sim.drive_seconds(m.position, m.home)
            wake = shift.end
            if not m.rested:
                wake = min(wake, shift.break_earliest)
            if job is None:
                wake = min(wake, home_by)
            if job is not None:
                ticket_id, _visit_id, number, planned = job
                request = sim.numbers[number]
                site = (request.site.lat, request.site.lon)
                expected = sim.drive_seconds(m.position, site)
                depart = planned - expected
                if depart - env.now <= LEAVE_EARLY_SECONDS:
                    yield from self._visit(m, day, ticket_id, number, site, expected)
                    continue
                wake = min(wake, depart)
            if wake <= env.now:
                # nothing to do before the shift ends; go home
                break
            yield env.any_of([env.timeout(wake - env.now), sim.plan_changed])

    def _visit(
        self,
        m: Member,
        day: int,
        ticket_id: int,
        number: str,
        site: tuple[float, float],
        expected: float,
    ) -> _Gen:
        env, sim = self.sim.env, self.sim
        with sim.session() as session:
            ticket = session.get(Ticket, ticket_id)
            assert ticket is not None
            if ticket.status == TicketStatus.SCHEDULED.value:
                sim.step(session, ticket, "dispatch", engineer_id=m.engineer_id)
            sim.step(session, ticket, "start_travel")
            tier, minutes = ticket.priority, ticket.estimated_minutes
            windows = [(w.start, w.end) for w in ticket.windows]
            visit_number = visit_count(session=session, ticket=ticket)
        t0 = env.now
        drive = sim.actual_drive(expected, number, visit_number, m.code)
        m.trip = (m.position, site, env.now, env.now + drive)
        yield env.timeout(drive)
        m.trip, m.position = None, site
        m.travel_s += drive
        self._log(m, day, "travel", t0, tier, number)
        opens = [(s - sim.origin).total_seconds() for s, e in windows if sim.at(env.now) <= e]
        if opens and min(opens) > env.now:
            yield env.timeout(min(opens) - env.now)  # early for the appointment: wait outside
        result = sim.visit_outcome(number, visit_number, minutes)
        sim.check_in(ticket_id, m.engineer_id)
        t0 = env.now
        if day == 0 and sim.trace:
            m.path.append((*site, tier))
        if result.no_access:
            yield env.timeout(NO_ACCESS_MINUTES * 60)
            self._follow_up(m, ticket_id, "no access", VisitOutcome.NO_ACCESS, minutes)
            sim.resume_later(number, sim.scenario.disruptions.no_access_retry_hours)
        elif result.parts_shortage:
            yield env.timeout(result.minutes * 60 / 2)
            self._follow_up(m, ticket_id, "part missing", VisitOutcome.NEEDS_FOLLOW_UP, minutes)
            vip = sim.numbers[number].site.vip
            spec = sim.scenario.disruptions
            sim.resume_later(number, spec.vip_parts_lead_hours if vip else spec.parts_lead_hours)
        else:
            yield env.timeout(result.minutes * 60)
            with sim.session() as session:
                ticket = session.get(Ticket, ticket_id)
                assert ticket is not None
                sim.check_out(session, ticket, m.engineer_id, VisitOutcome.FIXED, "fixed")
        m.on_site_s += env.now - t0
        m.jobs += 1
        self._log(m, day, "on_site", t0, tier, number)

    def _follow_up(
        self, m: Member, ticket_id: int, why: str, result: VisitOutcome, minutes: int
    ) -> None:
        """Check out without a fix; the ticket waits on hold for the customer or the part."""
        sim = self.sim
        with sim.session() as session:
            ticket = session.get(Ticket, ticket_id)
            assert ticket is not None
            parts = ("spare part",) if result is VisitOutcome.NEEDS_FOLLOW_UP else ()
            sim.check_out(session, ticket, m.engineer_id, result, why, parts)
            if result is VisitOutcome.NEEDS_FOLLOW_UP:
                share = sim.scenario.disruptions.follow_up_share
                ticket.estimated_minutes = max(5, min(1440, round(minutes * share)))
                sim.step(session, ticket, "hold_parts", reason=why)
            else:
                sim.step(session, ticket, "hold_customer", reason=why)
