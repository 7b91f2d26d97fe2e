"""Events are published after commit only, in order, and can be resumed from an id."""

from __future__ import annotations

import threading

import pytest

from dispatch.infra.bus import MemoryEventBus, RedisEventBus
from dispatch.infra.events import emit
from dispatch.infra.redis_conn import connect
from dispatch.runtime import Runtime


@pytest.fixture
def runtime(settings):
    rt = Runtime(settings)
    try:
        yield rt
    finally:
        rt.close()


def test_events_publish_on_commit_and_vanish_on_rollback(runtime):
    start = runtime.bus.last_id()
    with runtime.session() as session:
        emit(session, "ticket.status_changed", {"ticket_id": 1, "to": "triaged"})
        assert runtime.bus.read(start) == []  # not before commit
    with pytest.raises(RuntimeError), runtime.session() as session:
        emit(session, "ticket.status_changed", {"ticket_id": 2})
        raise RuntimeError("boom")
    events = runtime.bus.read(start)
    assert [(e.kind, e.data["ticket_id"]) for e in events] == [("ticket.status_changed", 1)]


def test_resume_after_an_id_gets_only_what_was_missed(runtime):
    bus = runtime.bus
    first = bus.publish("a", {"n": 1})
    bus.publish("b", {"n": 2})
    bus.publish("c", {"n": 3})
    assert [e.kind for e in bus.read(first)] == ["b", "c"]
    assert bus.read(bus.last_id()) == []


def test_a_blocked_reader_wakes_up_on_publish():
    bus = MemoryEventBus()
    got: list[str] = []
    start = bus.last_id()
    reader = threading.Thread(
        target=lambda: got.extend(e.kind for e in bus.read(start, block_ms=5000))
    )
    reader.start()
    bus.publish("late", {})
    reader.join(timeout=5)
    assert got == ["late"]


def test_memory_ids_increase_even_within_one_millisecond():
    bus = MemoryEventBus()
    ids = [bus.publish("x", {"i": i}) for i in range(50)]
    keys = [tuple(map(int, i.split("-"))) for i in ids]
    assert keys == sorted(keys) and len(set(ids)) == 50


def test_redis_stream_bus(redis_url):
    if redis_url is None:
        pytest.skip("needs DISPATCH_TEST_REDIS_URL (the memory bus is tested above)")
    bus = RedisEventBus(connect(redis_url))
    assert bus.last_id() == "0-0"
    first = bus.publish("plan.published", {"plan_id": 3})
    bus.publish("sla.breached", {"ticket_id": 9})
    events = bus.read("0-0")
    assert [e.kind for e in events] == ["plan.published", "sla.breached"]
    assert events[0].data == {"plan_id": 3}
    assert [e.kind for e in bus.read(first)] == ["sla.breached"]
