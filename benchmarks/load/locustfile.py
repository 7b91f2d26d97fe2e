"""Locust users for the engineers' app: poll ``GET /me/jobs`` (with ETag) and check in/out.

Run by ``benchmarks/load/run.py``, which prepares a server and writes the phones' log-ins
and jobs to the JSON file named by ``DISPATCH_LOAD_PHONES``.
"""

from __future__ import annotations

import itertools
import json
import os
import uuid
from pathlib import Path
from typing import Any

from locust import HttpUser, between, task

_PHONES: list[dict[str, Any]] = json.loads(
    Path(os.environ["DISPATCH_LOAD_PHONES"]).read_text(encoding="utf-8")
)
_NEXT = itertools.count()


class Phone(HttpUser):
    """One engineer's phone: polls the day's jobs, now and then works the next job."""

    wait_time = between(0.0, 0.05)

    def on_start(self) -> None:
        """Log in as the next engineer of the pool."""
        phone = _PHONES[next(_NEXT) % len(_PHONES)]
        self.day: str = phone["day"]
        self.jobs: list[dict[str, Any]] = list(phone["jobs"])
        response = self.client.post(
            "/api/v1/auth/token",
            data={"username": phone["username"], "password": phone["password"]},
            name="login",
        )
        self.headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
        self.etag: str | None = None

    @task(20)
    def poll_jobs(self) -> None:
        """``GET /me/jobs`` as the app polls it: with the last ETag."""
        headers = dict(self.headers)
        if self.etag:
            headers["If-None-Match"] = self.etag
        with self.client.get(
            f"/api/v1/me/jobs?date={self.day}",
            headers=headers,
            name="GET /me/jobs",
            catch_response=True,
        ) as response:
            if response.status_code in (200, 304):
                self.etag = response.headers.get("ETag", self.etag)
                response.success()
            else:
                response.failure(f"status {response.status_code}")

    @task(1)
    def work_next_job(self) -> None:
        """Check in on the next job (and retry it with the same key), then check out."""
        if not self.jobs:
            return
        job = self.jobs.pop(0)
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
