"""Locust users for the engineers' app: ``GET /me/jobs`` polls, bursts, check-in/out, pings.

Run by ``benchmarks/load/run.py``, which prepares a server and writes the phones' access
tokens (minted before the run: a phone logs in once a shift and keeps its token, so the run
measures polling, not log-ins) and jobs to the JSON file named by ``DISPATCH_LOAD_PHONES``.

Two kinds of phone share the pool of engineers:

- :class:`PollingPhone` (nine in ten): every 30 s it reports its position and polls the
  day with its last ETag (``If-None-Match``); now and then it works its next job (check-in,
  the same check-in retried with its Idempotency-Key, check-out).
- :class:`BurstPhone` (one in ten): an app coming back to the foreground, a shift start, a
  flaky network: polls back to back without think time, alternately with its ETag and
  without (a full answer). These set the request rate the server must sustain.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import uuid
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser, between, constant_pacing, task

_PHONES: list[dict[str, Any]] = json.loads(
    Path(os.environ["DISPATCH_LOAD_PHONES"]).read_text(encoding="utf-8")
)
_NEXT = itertools.count()
POLL_SECONDS = float(os.environ.get("DISPATCH_LOAD_POLL_SECONDS", "30"))
WORK_SHARE = 0.2
"""Share of a polling phone's 30-s cycles in which it also works its next job."""


class _Phone(HttpUser):
    """One engineer's phone, logged in as the next engineer of the pool."""

    abstract = True

    def on_start(self) -> None:
        """Take the next engineer of the pool, with the token its phone already holds."""
        phone = _PHONES[next(_NEXT) % len(_PHONES)]
        self.day: str = phone["day"]
        self.jobs: list[dict[str, Any]] = list(phone["jobs"])
        self.home = (phone["jobs"][0]["lat"], phone["jobs"][0]["lon"]) if phone["jobs"] else (0, 0)
        self.headers = {"Authorization": f"Bearer {phone['token']}"}
        self.etag: str | None = None

    def poll(self, *, conditional: bool) -> None:
        """``GET /me/jobs`` as the app polls it: with the last ETag, or for a full answer."""
        headers = dict(self.headers)
        if conditional and self.etag:
            headers["If-None-Match"] = self.etag
        name = "GET /me/jobs (If-None-Match)" if "If-None-Match" in headers else "GET /me/jobs"
        with self.client.get(
            f"/api/v1/me/jobs?date={self.day}", headers=headers, name=name, catch_response=True
        ) as response:
            if response.status_code in (200, 304):
                self.etag = response.headers.get("ETag", self.etag)
                response.success()
            else:
                response.failure(f"status {response.status_code}")

    def ping(self) -> None:
        """``POST /me/location`` near the last site."""
        lat, lon = self.home
        self.client.post(
            "/api/v1/me/location",
            json={"lat": lat + random.uniform(-0.001, 0.001), "lon": lon, "accuracy_m": 12},
            headers=self.headers,
            name="POST /me/location",
        )

    def work_next_job(self) -> None:
        """Check in on the next job (and retry it with the same key), then check out."""
        if not self.jobs:
            return
        job = self.jobs.pop(0)
        self.home = (job["lat"], job["lon"])
        key = uuid.uuid4().hex
        body = {"lat": job["lat"], "lon": job["lon"]}
        headers = {**self.headers, "Idempotency-Key": key}
        url = f"/api/v1/me/jobs/{job['ticket_id']}/check-in"
        self.client.post(url, json=body, headers=headers, name="POST check-in")
        self.client.post(url, json=body, headers=headers, name="POST check-in (retry, same key)")
        self.client.post(
            f"/api/v1/me/jobs/{job['ticket_id']}/check-out",
            json={"outcome": "fixed", "customer_accepted": True},
            headers={**self.headers, "Idempotency-Key": uuid.uuid4().hex},
            name="POST check-out",
        )


class PollingPhone(_Phone):
    """A phone in a pocket: position and day every 30 s, a job now and then."""

    weight = 9
    wait_time = constant_pacing(POLL_SECONDS)

    def on_start(self) -> None:
        """Fetch the whole day once (the app starting), then wait a random part of a cycle.

        Phones in the field are not in step: without the offset every phone started in
        the same 5 s would poll in the same 5 s of every 30."""
        super().on_start()
        self.poll(conditional=False)
        gevent.sleep(random.uniform(0, POLL_SECONDS))

    @task
    def cycle(self) -> None:
        """One 30-s cycle: ping, poll with the ETag, sometimes work the next job."""
        self.ping()
        self.poll(conditional=True)
        if random.random() < WORK_SHARE:
            self.work_next_job()
            self.poll(conditional=True)


class BurstPhone(_Phone):
    """A phone polling back to back (foreground again, shift start, retries)."""

    weight = 1
    wait_time = between(0.0, 0.02)

    @task(3)
    def poll_with_etag(self) -> None:
        """Poll with the last ETag (a 304 while the day is unchanged)."""
        self.poll(conditional=True)

    @task(1)
    def poll_full(self) -> None:
        """Poll without an ETag (the whole day)."""
        self.poll(conditional=False)
