"""The event outbox and the queue under a Redis outage (a private redis-server, stopped and
started again): commits never fail on Redis, events wait and are relayed once, runs stored
while the queue was down get their job."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from rq import Queue
from sqlalchemy import select

from dispatch.infra import keys
from dispatch.infra.events import emit
from dispatch.infra.outbox import prune_relayed
from dispatch.infra.positions import Position, RedisPositionStore
from dispatch.infra.settings import Settings
from dispatch.models import OutboxEvent, PlanStatus, Region, utcnow
from dispatch.planning.optimization import RunOptions, queued_runs, request_optimization
from dispatch.runtime import Runtime
from tests.private_redis import PrivateRedis, private_redis

__all__ = ["private_redis"]


@pytest.fixture
def outage_runtime(settings: Settings, private_redis: PrivateRedis):
    rt = Runtime(settings.model_copy(update={"redis_url": private_redis.url}))
    try:
        yield rt
    finally:
        rt.close()


def _stream(runtime: Runtime) -> list[tuple[str, dict]]:
    return [(e.kind, dict(e.data)) for e in runtime.bus.read("0-0", count=1000)]


def test_a_commit_while_redis_is_down_succeeds_and_its_event_is_relayed_later(
    outage_runtime, private_redis
):
    private_redis.stop()
    with outage_runtime.session() as session:  # the commit must not raise
        emit(session, "ticket.status_changed", {"ticket_id": 7, "to": "on_site"})
    assert outage_runtime.outbox.waiting() == 1

    private_redis.start()
    assert outage_runtime.outbox.relay_all() == 1
    assert _stream(outage_runtime) == [("ticket.status_changed", {"ticket_id": 7, "to": "on_site"})]
    assert outage_runtime.outbox.waiting() == 0
    assert outage_runtime.outbox.relay_all() == 0  # relayed once, not again
    assert len(_stream(outage_runtime)) == 1


def test_events_go_out_after_commit_in_order_and_a_later_commit_relays_older_waiting_ones(
    outage_runtime, private_redis
):
    private_redis.stop()
    with outage_runtime.session() as session:
        emit(session, "a", {"n": 1})
        emit(session, "b", {"n": 2})
    private_redis.start()
    # The bus works again: the next commit relays what waited first, then its own event.
    outage_runtime.outbox._paused_until = 0.0
    with outage_runtime.session() as session:
        emit(session, "c", {"n": 3, "at": dt.datetime(2026, 1, 2, tzinfo=dt.UTC)})
    assert [kind for kind, _ in _stream(outage_runtime)] == ["a", "b", "c"]
    assert _stream(outage_runtime)[2][1]["at"] == "2026-01-02 00:00:00+00:00"
    assert outage_runtime.outbox.waiting() == 0


def test_a_rolled_back_change_leaves_nothing_to_relay(outage_runtime):
    with pytest.raises(RuntimeError), outage_runtime.session() as session:
        emit(session, "x", {})
        raise RuntimeError("boom")
    with outage_runtime.session() as session:
        emit(session, "kept", {})
        savepoint = session.begin_nested()
        emit(session, "undone", {})
        session.flush()
        savepoint.rollback()
    assert [kind for kind, _ in _stream(outage_runtime)] == ["kept"]
    with outage_runtime.session() as session:
        assert session.scalars(select(OutboxEvent.kind)).all() == ["kept"]


def test_concurrent_relays_publish_each_event_once(outage_runtime, private_redis):
    private_redis.stop()
    with outage_runtime.session() as session:
        for n in range(60):
            emit(session, "n", {"n": n})
    private_redis.start()
    other = Runtime(outage_runtime.settings)  # another process's relay on the same outbox
    try:
        relays = [outage_runtime.outbox, other.outbox, outage_runtime.outbox, other.outbox]
        threads = [threading.Thread(target=r.relay_all) for r in relays]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        other.close()
    numbers = [data["n"] for _, data in _stream(outage_runtime)]
    assert sorted(numbers) == list(range(60))


def test_relayed_rows_are_pruned_after_an_hour(outage_runtime):
    with outage_runtime.session() as session:
        emit(session, "old", {})
    now = utcnow()
    with outage_runtime.session() as session:
        assert prune_relayed(session=session, now=now) == 0
        assert prune_relayed(session=session, now=now + dt.timedelta(hours=2)) == 1
        assert session.scalars(select(OutboxEvent)).all() == []


def test_a_run_requested_while_redis_is_down_is_stored_and_queued_once_it_is_back(
    outage_runtime, private_redis, demo
):
    with outage_runtime.session() as session:
        region = session.scalars(select(Region).order_by(Region.id)).first()
        assert region is not None
        now = outage_runtime.clock()
        plan = request_optimization(
            session=session,
            region_code=region.code,
            day=now.astimezone(ZoneInfo(region.timezone)).date(),
            time_budget_seconds=2,
            options=RunOptions(),
            actor=None,
            now=now,
        )
        plan_id = plan.id
    private_redis.stop()
    assert outage_runtime.jobs.enqueue_optimization(plan_id, time_budget_seconds=2) is False
    private_redis.start()
    later = utcnow() + dt.timedelta(seconds=10)
    with outage_runtime.session() as session:
        assert queued_runs(session=session, now=utcnow() - dt.timedelta(minutes=1)) == []
        assert queued_runs(session=session, now=later) == [(plan_id, 2.0)]
    assert outage_runtime.jobs.ensure_enqueued(plan_id, time_budget_seconds=2) is True
    assert (
        outage_runtime.jobs.ensure_enqueued(plan_id, time_budget_seconds=2) is False
    )  # idempotent
    client = private_redis.client()
    try:
        queue = Queue(keys.queue_name(), connection=client)
        assert queue.count == 1
        job_id = client.get(keys.optimization_job(plan_id))
        assert job_id is not None and queue.job_ids == [job_id.decode()]
        client.delete(keys.optimization_enqueue_claim(plan_id))
        # Its job waits: a later check does not queue a twin.
        assert outage_runtime.jobs.ensure_enqueued(plan_id, time_budget_seconds=2) is False
        assert queue.count == 1
    finally:
        client.close()
    with outage_runtime.session() as session:
        assert session.get_one(type(plan), plan_id).status == PlanStatus.QUEUED.value


def test_a_polar_position_is_kept_out_of_the_geo_index_without_failing(private_redis):
    client = private_redis.client()
    try:
        store = RedisPositionStore(client, ttl_seconds=60)
        at = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
        store.record(1, Position(51.5, -0.1, at))
        store.record(2, Position(89.9, 10.0, at), accuracy_m=30)  # GEOADD refuses this
        store.record(1, Position(-88.0, 0.0, at))  # moved beyond the index: leaves it
        assert store.get(2) == Position(89.9, 10.0, at)
        assert store.get(1) == Position(-88.0, 0.0, at)
        assert client.zrange(keys.engineer_positions(), 0, -1) == []
    finally:
        client.close()
