"""Prometheus metrics from the database: runs, solve durations, SLA states, queue depth."""

from __future__ import annotations

import re

from sqlalchemy import update

from dispatch.models import Ticket
from tests.api.service_world import day_client, run_plan, world
from tests.conftest import login

__all__ = ["day_client", "world"]


def sample(text: str, name: str, labels: str = "") -> float:
    match = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name}{labels} missing"
    return float(match.group(1))


def test_metrics_report_runs_solve_durations_and_sla_states(day_client, database):
    before = day_client.get("/metrics").text
    assert sample(before, "dispatch_solve_duration_seconds_count") == 0
    headers = login(day_client, "dispatcher")
    run_plan(day_client, headers)
    with database.session() as session:
        session.execute(update(Ticket).values(sla_state="ok"))  # whatever the start-up sweep saw
        session.execute(update(Ticket).where(Ticket.id <= 3).values(sla_state="breached"))

    text = day_client.get("/metrics").text

    assert sample(text, "dispatch_solve_duration_seconds_count") == 1
    assert sample(text, "dispatch_solve_duration_seconds_sum") > 0
    assert sample(text, "dispatch_optimization_runs", '{status="succeeded"}') == 1
    assert sample(text, "dispatch_sla_tickets", '{state="breached"}') == 3
    assert sample(text, "dispatch_queue_depth") >= 0
    assert 'http_request_duration_seconds_count{method="POST",route="/api/v1/optimizations"' in text
