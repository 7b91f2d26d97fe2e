"""Request ids, structured JSON logs and Prometheus metrics (one registry per app).

The request id comes from ``asgi-correlation-id``: a client's ``X-Request-ID`` is kept
(any text up to :data:`MAX_REQUEST_ID` characters), else a new one is made; it is echoed
on every response, errors included, and carried by every log line of the request.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from asgi_correlation_id import CorrelationIdMiddleware, correlation_id
from fastapi import FastAPI, Request, Response
from prometheus_client import CollectorRegistry, Gauge, Histogram
from prometheus_client.core import HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from dispatch.models import PlanStatus, SlaState
from dispatch.reporting.operations import open_tickets_by_sla_state, runs_by_status, solve_durations
from dispatch.runtime import Runtime

REQUEST_ID_HEADER = "X-Request-ID"
MAX_REQUEST_ID = 128
"""A longer client request id is replaced by a new one (it goes into every log line)."""


def _acceptable_request_id(value: str) -> bool:
    return 0 < len(value) <= MAX_REQUEST_ID and value.isprintable()


class JsonFormatter(logging.Formatter):
    """One JSON object per log line, with the current request id."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = correlation_id.get()
        if request_id:
            payload["request_id"] = request_id
        for key in ("method", "path", "status", "duration_ms"):
            value = getattr(record, key, None)
            if value is not None:
                payload[key] = value
        if record.exc_info:
            payload["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


def configure_logging(level: str, *, json_logs: bool) -> None:
    """Send log records to stderr, as JSON lines or plain text."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter() if json_logs else logging.Formatter("%(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


@dataclass
class Metrics:
    """The app's Prometheus collectors."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.request_seconds = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "dispatch_queue_depth", "Optimisation jobs waiting", registry=self.registry
        )
        self.runs = Gauge(
            "dispatch_optimization_runs",
            "Optimisation runs by status",
            ["status"],
            registry=self.registry,
        )
        self.sla_tickets = Gauge(
            "dispatch_sla_tickets",
            "Open tickets by SLA state (ok, at_risk, breached)",
            ["state"],
            registry=self.registry,
        )


access_log = logging.getLogger("api.access")


def install_request_middleware(app: FastAPI, metrics: Metrics) -> None:
    """Add the request-id header, an access log line and the latency histogram."""

    @app.middleware("http")
    async def _observe(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            elapsed = time.perf_counter() - started
            route = request.scope.get("route")
            route_path = getattr(route, "path", "unmatched")
            metrics.request_seconds.labels(request.method, route_path, str(status)).observe(elapsed)
            access_log.info(
                "%s %s %s",
                request.method,
                request.url.path,
                status,
                extra={
                    "method": request.method,
                    "path": request.url.path,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )

    # Added last, so outermost: the id is set before any other middleware logs.
    app.add_middleware(
        CorrelationIdMiddleware,
        header_name=REQUEST_ID_HEADER,
        generator=lambda: uuid.uuid4().hex,
        validator=_acceptable_request_id,
    )


SOLVE_BUCKETS = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0)
SOLVE_WINDOW = dt.timedelta(hours=24)


class SolveDurations(Collector):
    """``dispatch_solve_duration_seconds``: solver wall time of the runs of the last 24 h.

    Built from the database at scrape time, so it covers runs of every worker process.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def describe(self) -> Iterable[Metric]:
        """No fixed description (the family is built per scrape)."""
        return []

    def collect(self) -> Iterable[Metric]:
        """The histogram of recent solve durations."""
        since = self.runtime.clock() - SOLVE_WINDOW
        with self.runtime.session() as session:
            values = solve_durations(session=session, since=since)
        counts = [sum(1 for v in values if v <= b) for b in SOLVE_BUCKETS]
        buckets = [(str(b), float(c)) for b, c in zip(SOLVE_BUCKETS, counts, strict=True)]
        buckets.append(("+Inf", float(len(values))))
        yield HistogramMetricFamily(
            "dispatch_solve_duration_seconds",
            "Solver wall time per optimisation run (runs finished in the last 24 h)",
            buckets=buckets,
            sum_value=float(sum(values)),
        )


def install_metrics(app: FastAPI, metrics: Metrics, runtime: Runtime) -> None:
    """Register the database-backed collectors and the gauges refreshed at each scrape."""
    metrics.registry.register(SolveDurations(runtime))

    def refresh() -> None:
        metrics.queue_depth.set(runtime.jobs.depth())
        with runtime.session() as session:
            runs = runs_by_status(session=session)
            sla = open_tickets_by_sla_state(session=session)
        for status in PlanStatus:
            metrics.runs.labels(status.value).set(runs.get(status.value, 0))
        for state in (SlaState.OK, SlaState.AT_RISK, SlaState.BREACHED):
            metrics.sla_tickets.labels(state.value).set(sla.get(state.value, 0))

    app.state.refresh_metrics = refresh
