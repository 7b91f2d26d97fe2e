"""The state of one simulation run and the steps its parts take through the real services.

:class:`RunState` holds what the engineers (:mod:`scenarios.field`) and the measurement
(:mod:`scenarios.metrics`) need of a run: the clock, the database, the requests and the
life-cycle steps (check-in and check-out through :mod:`dispatch.field.checkins`, as from
an engineer's phone). :class:`scenarios.sim.Simulation` drives it over time.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from typing import Any

import simpy
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dispatch.field.checkins import CheckOutReport, check_in, check_out
from dispatch.field.day import jobs_for
from dispatch.infra.db import unit_of_work
from dispatch.models import Engineer, Ticket, TicketStatus, User, VisitOutcome
from dispatch.tickets.lifecycle import transition
from scenarios.demand import Outcome, Request, outcome, sick_today, travel_factor
from scenarios.desk import Desk
from scenarios.load import scenario_policy
from scenarios.model import Scenario
from scenarios.policies import Policy, make_policy
from scenarios.world import World
from solver import HaversineProvider

CHECK_IN_RADIUS_M = 200.0
"""The simulated phones check in on the site's pin: never flagged."""


class RunState:
    """One run's scenario, policy, seed, clock and database (see :class:`Simulation`).

    Parameters
    ----------
    scenario
        The scenario.
    policy
        A policy name; ``None``: the scenario's own (``policy.name``).
    seed
        The run's seed (demand and mishaps); the scenario's seed fixes the world.
    database_url
        An empty, migrated database to use; default: a temporary SQLite file.
    trace
        Keep the engineers' activities and routes of the first day (for reports).
    """

    env: simpy.Environment
    plan_changed: simpy.Event
    sessions: sessionmaker[Session]
    world: World
    desk: Desk
    requests: list[Request]
    numbers: dict[str, Request]

    def __init__(
        self,
        scenario: Scenario,
        policy: str | None,
        seed: int,
        *,
        database_url: str | None = None,
        trace: bool = False,
    ) -> None:
        self.scenario = scenario
        self.policy: Policy = make_policy(policy or scenario.policy.name, scenario.policy)
        self.seed = seed
        self.database_url = database_url
        self.trace = trace
        self.origin = scenario.origin()
        self.sla = scenario_policy(scenario)
        self.travel = HaversineProvider(scenario.travel.speed_kmh, scenario.travel.circuity)

    def at(self, seconds: float) -> dt.datetime:
        """The instant of a simulation time."""
        return self.origin + dt.timedelta(seconds=seconds)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work at the simulation's edge (commits on success)."""
        with unit_of_work(self.sessions) as session:
            yield session

    def act(self, hook: str, *args: Any) -> None:
        """Let the policy act now, in its own unit of work."""
        with self.session() as session:
            getattr(self.policy, hook)(self.desk, session, *args)

    def ticket(self, session: Session, number: str) -> Ticket:
        """The ticket with ``number``."""
        ticket = session.scalar(select(Ticket).where(Ticket.number == number))
        assert ticket is not None, number
        return ticket

    def step(self, session: Session, ticket: Ticket, action: str, **context: Any) -> None:
        """One life-cycle step by the system (the engineer's app) now."""
        transition(
            session=session,
            ticket=ticket,
            action=action,
            actor=None,
            at=self.at(self.env.now),
            policy=self.sla,
            **context,
        )

    def resume_later(self, number: str, hours: float) -> None:
        """End a ticket's hold after ``hours`` and hand it back to the policy."""

        def later() -> Generator[simpy.Event, Any, None]:
            yield self.env.timeout(hours * 3600)
            with self.session() as session:
                ticket = self.ticket(session, number)
                self.step(session, ticket, "resume", reason="customer / part available")
                tier = ticket.priority
            self.act("on_request", number, tier)

        self.env.process(later())

    # -- what the engineers need -----------------------------------------------------

    def next_job(self, engineer_id: int, day: dt.date) -> tuple[int, int, str, float] | None:
        """The engineer's next visit in today's published plan.

        Returns ``(ticket id, visit id, number, planned start seconds)``, or ``None``.
        """
        with self.session() as session:
            for visit in jobs_for(session=session, engineer_id=engineer_id, day=day):
                if visit.ticket.status in (
                    TicketStatus.SCHEDULED.value,
                    TicketStatus.DISPATCHED.value,
                ):
                    start = (visit.planned_start - self.origin).total_seconds()
                    return visit.ticket_id, visit.id, visit.ticket.number, start
        return None

    def drive_seconds(self, a: tuple[float, float], b: tuple[float, float]) -> float:
        """Expected drive time between two points (the planner's travel model)."""
        lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
        h = (
            math.sin((lat2 - lat1) / 2) ** 2
            + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        )
        metres = 2 * 6_371_000 * math.asin(math.sqrt(min(1.0, h))) * self.travel.circuity
        return metres / (self.travel.speed_kmh / 3.6)

    def actual_drive(self, seconds: float, *key: object) -> float:
        """How long a drive really takes (noise from the scenario's travel model)."""
        return seconds * travel_factor(self.scenario, self.seed, *key)

    def visit_outcome(self, number: str, visit: int, estimate: float) -> Outcome:
        """How visit ``visit`` on ticket ``number`` goes."""
        return outcome(self.scenario, self.seed, self.numbers[number].key, visit, estimate)

    def sick(self, code: str, day: int) -> bool:
        """Whether the engineer calls in sick on day ``day``."""
        return sick_today(self.scenario, self.seed, code, day)

    def set_active(self, engineer_id: int, active: bool) -> None:
        """Take an engineer off (sick) or back on the roster."""
        with self.session() as session:
            engineer = session.get(Engineer, engineer_id)
            assert engineer is not None
            engineer.active = active

    def _engineer_user(self, session: Session, engineer_id: int) -> User:
        user = session.scalar(select(User).where(User.engineer_id == engineer_id))
        assert user is not None, engineer_id
        return user

    def check_in(self, ticket_id: int, engineer_id: int) -> None:
        """Check in on site (the response), as the engineer's phone does on the site's pin."""
        with self.session() as session:
            ticket = session.get(Ticket, ticket_id)
            assert ticket is not None
            check_in(
                session=session,
                user=self._engineer_user(session, engineer_id),
                ticket_id=ticket_id,
                lat=ticket.site.lat,
                lon=ticket.site.lon,
                device_time=None,
                radius_m=CHECK_IN_RADIUS_M,
                now=self.at(self.env.now),
            )

    def check_out(
        self,
        session: Session,
        ticket: Ticket,
        engineer_id: int,
        result: VisitOutcome,
        notes: str,
        parts: tuple[str, ...] = (),
    ) -> None:
        """Check out of the site visit on ``ticket`` with its outcome (in ``session``).

        A fix is accepted by the customer on the spot (the ticket closes); any other
        outcome needs a follow-up visit (with ``parts`` to order).
        """
        check_out(
            session=session,
            user=self._engineer_user(session, engineer_id),
            ticket_id=ticket.id,
            lat=ticket.site.lat,
            lon=ticket.site.lon,
            device_time=None,
            report=CheckOutReport(
                outcome=result.value,
                notes=notes,
                customer_accepted=result is VisitOutcome.FIXED,
                parts=parts,
            ),
            now=self.at(self.env.now),
        )
