"""The discrete-event simulation (SimPy) of one scenario, one policy, one seed.

Each run gets its own database (a temporary SQLite file, a copy of one migrated with the
packaged Alembic migrations once per process, unless a URL is given), seeded from the scenario. Requests arrive
over time and become tickets through :func:`dispatch.tickets.records.create_ticket`; the
dispatcher triages them and the policy plans them (:mod:`scenarios.policies`). Engineers
follow the published plan: they set off (``dispatch``, ``start_travel``), drive with
noisy travel times, check in (``arrive``: the response), work for the real (not the
estimated) time, and check out (``complete`` and the customer's acceptance, or
``need_follow_up`` when there was no access or a part was missing, with a hold until
the customer or the part is there), checking in and out through
:mod:`dispatch.field.checkins` as their phones do. Every step goes through
:func:`dispatch.tickets.lifecycle.transition`, so the SLA clocks run as in production; the SLA
sweep runs every 15 simulated minutes.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from collections.abc import Generator
from pathlib import Path
from typing import Any

import simpy
from sqlalchemy import event

from dispatch.infra import migrate
from dispatch.infra.db import make_engine, make_session_factory
from dispatch.infra.positions import Position
from dispatch.models import User
from dispatch.sla.policy import bind_policy
from dispatch.tickets.escalation import sweep
from dispatch.tickets.lifecycle import transition
from dispatch.tickets.records import TicketDraft, create_ticket
from scenarios.clairvoyance import Foresight, future_tickets
from scenarios.demand import Request, requests
from scenarios.desk import Desk
from scenarios.field import Crew
from scenarios.metrics import RunResult, collect
from scenarios.model import Scenario
from scenarios.run_state import RunState
from scenarios.world import seed_world
from solver import SolveParams

SWEEP_MINUTES = 15
REMOTE_MINUTES = 15
_Gen = Generator[simpy.Event, Any, None]


@functools.cache
def migrated_template() -> Path:
    """A SQLite file migrated to head once per process; each run starts from a copy."""
    directory = Path(tempfile.mkdtemp(prefix="dispatch-sim-template-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    path = directory / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


def _fast_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")  # a throw-away database: no fsync needed
    cursor.close()


class Simulation(RunState):
    """One run: ``scenario`` under ``policy`` with ``seed`` (parameters: :class:`RunState`)."""

    def run(self) -> RunResult:
        """Simulate the whole horizon and measure it."""
        if self.database_url is not None:
            return self._run(self.database_url)
        with tempfile.TemporaryDirectory(prefix="dispatch-sim-") as tmp:
            path = Path(tmp) / "sim.db"
            shutil.copyfile(migrated_template(), path)
            return self._run(f"sqlite:///{path}")

    def _run(self, url: str) -> RunResult:
        engine = make_engine(url)
        if url.startswith("sqlite"):
            event.listen(engine, "connect", _fast_sqlite)
        self.sessions = make_session_factory(engine)
        bind_policy(self.sessions, self.sla)
        try:
            with self.session() as session:
                self.world = seed_world(session=session, scenario=self.scenario)
            return self._simulate()
        finally:
            engine.dispose()

    # -- the run --------------------------------------------------------------------

    def _simulate(self) -> RunResult:
        sc = self.scenario
        self.env = simpy.Environment()
        self.plan_changed = self.env.event()
        self.crew = Crew.of(self, self.world)
        self.requests = requests(sc, self.seed, self.world.sites)
        self.desk = self._desk()
        with self.session() as session:
            self.dispatcher = session.get(User, self.world.dispatcher_id)
        self.numbers = {}
        self.env.process(self._arrivals())
        self.env.process(self._desk_clock())
        self.env.process(self._sla_sweeps())
        for member in self.crew.members:
            self.env.process(self.crew.work(member))
        horizon = sc.horizon_seconds()
        self.env.run(until=horizon)
        return self._measure(horizon)

    def _desk(self) -> Desk:
        """The simulated dispatcher's desk (the clairvoyant policy sees the requests to come)."""
        sc = self.scenario
        params = SolveParams(
            seed=self.seed,
            time_budget_seconds=sc.policy.solve_seconds,
            iterations=sc.policy.iterations,
            workers=1,
            suggestions=False,
            deterministic=True,
        )
        foresight = Foresight(
            region_id=self.world.region_id,
            sla=self.sla,
            scenario=sc,
            requests=tuple(self.requests),
            now=lambda: self.env.now,
            at=self.at,
        )
        return Desk(
            region_id=self.world.region_id,
            now=lambda: self.at(self.env.now),
            positions=self.positions,
            breaks_taken=self.crew.rested,
            travel=self.travel,
            params=params,
            policy=self.sla,
            zone=sc.zone,
            on_publish=self._wake,
            dispatcher_id=self.world.dispatcher_id,
            foresight=functools.partial(future_tickets, foresight),
        )

    def _measure(self, horizon: float) -> RunResult:
        """The run's figures from its database and its engineers' tallies."""
        sc = self.scenario
        with self.session() as session:
            earliest = min((r.reported_at for r in self.requests), default=0.0)
            result = collect(
                session=session,
                run=self,
                members=self.crew.members,
                backlog_from=self.at(min(0.0, earliest)),
                start=self.origin,
                end=self.at(horizon),
            )
        working_days = sum(1 for d in range(sc.days) if self._service_hours(d) is not None)
        result.extra["idle_engineers"] = sum(m.idle_days for m in self.crew.members) / max(
            1, working_days
        )
        result.extra["rebooked"] = self.desk.rebooked
        return result

    def _wake(self) -> None:
        woken, self.plan_changed = self.plan_changed, self.env.event()
        woken.succeed()

    def positions(self) -> dict[int, Position]:
        """Engineer id -> where the engineer is now (reported by the app)."""
        now = self.env.now
        at = self.at(now)
        return {
            m.engineer_id: Position(lat, lon, at)
            for m in self.crew.members
            if m.on_duty
            for lat, lon in [m.where(now)]
        }

    def _service_hours(self, day: int) -> tuple[float, float] | None:
        weekday = self.scenario.day(day).weekday()
        shifts = [
            (g.shift.start_minute, g.shift.end_minute)
            for g in self.scenario.engineers
            if weekday in {d.number for d in g.shift.days}
        ]
        if not shifts:
            return None
        base = self.scenario.day_start(day)
        first = min(s for s, _ in shifts) - self.scenario.policy.plan_ahead_minutes
        return base + max(0, first) * 60, base + max(e for _, e in shifts) * 60

    def _desk_clock(self) -> _Gen:
        """The morning plan of each day and the policy's ticks through the day."""
        interval = self.scenario.policy.interval_minutes * 60
        for day in range(self.scenario.days):
            hours = self._service_hours(day)
            if hours is None:
                continue
            begin, end = hours
            if self.env.now < begin:
                yield self.env.timeout(begin - self.env.now)
            self.act("on_day_start")
            t = begin + interval
            while t < end:
                yield self.env.timeout(t - self.env.now)
                self.act("on_tick")
                t += interval

    def _sla_sweeps(self) -> _Gen:
        """The SLA sweep every 15 minutes of each day's service hours, and at its end."""
        step = SWEEP_MINUTES * 60
        for day in range(self.scenario.days):
            hours = self._service_hours(day)
            if hours is None:
                continue
            t = hours[0] + step
            while t <= hours[1] + step:
                yield self.env.timeout(max(0.0, t - self.env.now))
                with self.session() as session:
                    sweep(session=session, now=self.at(self.env.now), policy=self.sla)
                t += step

    # -- requests -------------------------------------------------------------------

    def _arrivals(self) -> _Gen:
        for request in self.requests:
            if request.at > self.env.now:
                yield self.env.timeout(request.at - self.env.now)
            number = self._open(request)
            if request.remote:
                self.env.process(self._remote(number))
            else:
                self.act("on_request", number, request.tier)

    def _open(self, request: Request) -> str:
        at = self.at(request.reported_at)
        draft = TicketDraft(
            customer_id=request.site.customer_id,
            site_id=request.site.site_id,
            kind=request.kind,
            priority=request.tier,
            estimated_minutes=request.minutes,
            required_skill=request.skill,
            min_level=request.min_level,
            remote_resolvable=request.remote,
            symptoms=f"simulated request {request.key}",
            windows=(
                ((self.at(request.window[0]), self.at(request.window[1])),)
                if request.window
                else ()
            ),
        )
        with self.session() as session:
            dispatcher = session.get(User, self.world.dispatcher_id)
            ticket = create_ticket(
                session=session, draft=draft, actor=dispatcher, at=at, policy=self.sla
            )
            if not request.remote:
                transition(
                    session=session,
                    ticket=ticket,
                    action="triage",
                    actor=dispatcher,
                    at=self.at(max(request.at, request.reported_at)),
                    policy=self.sla,
                )
            number = ticket.number
        self.numbers[number] = request
        return number

    def _remote(self, number: str) -> _Gen:
        """Remote diagnosis first: the fault is fixed over the phone."""
        yield self.env.timeout(REMOTE_MINUTES * 60)
        at = self.at(self.env.now)
        with self.session() as session:
            ticket = self.ticket(session, number)
            dispatcher = session.get(User, self.world.dispatcher_id)
            for action in ("triage", "resolve_remotely", "request_acceptance", "close"):
                transition(
                    session=session,
                    ticket=ticket,
                    action=action,
                    actor=dispatcher,
                    at=at,
                    policy=self.sla,
                )


def simulate(
    scenario: Scenario,
    policy: str | None,
    seed: int,
    *,
    database_url: str | None = None,
    trace: bool = False,
) -> RunResult:
    """Run ``scenario`` once under ``policy`` with ``seed`` (see :class:`Simulation`)."""
    return Simulation(scenario, policy, seed, database_url=database_url, trace=trace).run()
