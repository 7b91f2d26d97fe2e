"""The clairvoyant policy: the day's requests known from the start, releases respected."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.infra.db import make_engine, make_session_factory
from dispatch.models import Plan, Ticket, Visit
from scenarios.clairvoyance import FUTURE_PREFIX
from scenarios.desk import Desk
from scenarios.load import parse_scenario
from scenarios.policies import ClairvoyantPolicy
from scenarios.sim import Simulation
from solver.problem import Ticket as SolverTicket
from tests.scenarios.tiny import tiny

SCENARIO = parse_scenario(tiny())


class _Recording(ClairvoyantPolicy):
    """The clairvoyant policy, keeping what it foresaw at the start of the day."""

    foreseen: list[SolverTicket]
    origin: dt.datetime
    at: dt.datetime

    def on_day_start(self, desk: Desk, session: Session) -> None:
        planning = desk.planning(session)
        assert desk.foresight is not None
        self.foreseen = desk.foresight(session, planning)
        self.origin, self.at = planning.origin, desk.now()
        super().on_day_start(desk, session)


def test_the_clairvoyant_plans_future_requests_but_never_before_they_are_reported(
    database_url: str,
) -> None:
    sim = Simulation(SCENARIO, "clairvoyant", 3, database_url=database_url)
    recording = _Recording(SCENARIO.policy)
    sim.policy = recording
    result = sim.run()
    assert result.policy == "clairvoyant"
    later = {
        f"{FUTURE_PREFIX}{r.key}": r
        for r in sim.requests
        if sim.at(r.at) > recording.at and not r.remote
    }
    foreseen = {t.id: t for t in recording.foreseen}
    assert set(foreseen) == set(later)  # every request still to come today, none fixed remotely
    assert len(foreseen) >= 2, "the tiny morning has requests after the first plan"
    for key, ticket in foreseen.items():
        release = int((sim.at(later[key].at) - recording.origin).total_seconds())
        assert ticket.windows and all(w.start >= release for w in ticket.windows)
        assert ticket.sla_deadline is not None and ticket.sla_deadline > release
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            planned = session.execute(
                select(Visit.planned_start, Ticket.reported_at, Plan.options)
                .join(Ticket, Ticket.id == Visit.ticket_id)
                .join(Plan, Plan.id == Visit.plan_id)
            ).all()
    finally:
        engine.dispose()
    sources = {options["policy"] for _, _, options in planned}
    assert "clairvoyant" in sources and sources <= {"clairvoyant", "insert", "insert-fallback"}
    # only real tickets are published, and none is planned before it was reported
    assert planned and all(start >= reported for start, reported, _ in planned)
