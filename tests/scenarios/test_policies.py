"""How the optimising policies react to a new ticket."""

from __future__ import annotations

from sqlalchemy import select

from dispatch.infra.db import make_engine, make_session_factory
from dispatch.models import Ticket, TicketEvent
from scenarios.load import parse_scenario
from scenarios.sim import Simulation
from tests.scenarios.tiny import tiny


def test_batch_insert_hands_out_every_tier_on_arrival_not_at_the_next_replan(
    database_url: str,
) -> None:
    scenario = parse_scenario(tiny())
    assert scenario.policy.insert_tiers == (1,)
    sim = Simulation(scenario, "batch+insert", 4, database_url=database_url)
    sim.run()
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            rows = session.execute(
                select(Ticket.priority, Ticket.reported_at, TicketEvent.at)
                .join(TicketEvent, TicketEvent.ticket_id == Ticket.id)
                .where(
                    TicketEvent.kind == "transition",
                    TicketEvent.to_status == "scheduled",
                    Ticket.reported_at > scenario.origin(),
                )
                .order_by(TicketEvent.seq)
            ).all()
    finally:
        engine.dispose()
    first: dict[tuple[int, object], object] = {}
    for priority, reported, scheduled in rows:
        first.setdefault((priority, reported), scheduled)
    on_arrival = [p for (p, reported), at in first.items() if at == reported]
    # P2/P3 requests of the morning are scheduled the instant they arrive, not at a tick
    assert any(p in (2, 3) for p in on_arrival), sorted(first.items(), key=str)
