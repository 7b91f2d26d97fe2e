"""Runs over seeds: in worker processes or on the Redis queue, the same results."""

from __future__ import annotations

import pytest

from scenarios.load import parse_scenario
from scenarios.runner import Task, collect_jobs, enqueue, queued_run, run_all, tasks_for
from tests.scenarios.tiny import tiny

SCENARIO = parse_scenario(tiny())


def test_tasks_cover_every_policy_and_seed_and_trace_the_first() -> None:
    tasks = tasks_for(SCENARIO, ["greedy", "batch"], 3)
    assert [(t.policy, t.seed) for t in tasks] == [
        (p, s) for p in ("greedy", "batch") for s in (5, 6, 7)
    ]
    assert [t.trace for t in tasks] == [True, False, False] * 2


def test_worker_processes_give_the_results_of_a_single_process() -> None:
    tasks = [Task(SCENARIO, "greedy", 8, False), Task(SCENARIO, "batch+insert", 8, True)]
    here = run_all(tasks, jobs=1)
    seen: list[str] = []
    there = run_all(tasks, jobs=2, on_result=lambda r: seen.append(r.policy))
    assert sorted(seen) == ["batch+insert", "greedy"]
    assert [r.policy for r in there] == ["greedy", "batch+insert"]
    for a, b in zip(here, there, strict=True):
        assert a.metrics == b.metrics
        assert a.response_minutes == b.response_minutes
    assert there[1].trace is not None and there[0].trace is None
    assert any(there[1].trace.activities.values())


def test_a_queued_run_takes_the_scenario_as_plain_data() -> None:
    result = queued_run(SCENARIO.model_dump(mode="json"), "greedy", 8, False)
    assert result.metrics == run_all([Task(SCENARIO, "greedy", 8, False)], jobs=1)[0].metrics


def test_runs_on_the_redis_queue(redis_url: str | None) -> None:
    if redis_url is None:
        pytest.skip("the job queue needs Redis (DISPATCH_TEST_REDIS_URL)")
    import redis
    from rq import Queue, SimpleWorker

    from dispatch.infra import keys

    task = Task(SCENARIO, "greedy", 9, False)
    jobs = enqueue([task], redis_url=redis_url)
    connection = redis.Redis.from_url(redis_url)
    SimpleWorker(
        [Queue(keys.simulation_queue_name(), connection=connection)], connection=connection
    ).work(burst=True)
    (queued,) = collect_jobs(jobs, poll_seconds=0.01)
    assert queued.metrics == run_all([task], jobs=1)[0].metrics
