"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.admission import Admission
from api.console import install_console
from api.limits import BodyLimit, EmptyQueryAsAbsent
from api.observability import Metrics, install_metrics, install_request_middleware
from api.openapi import install_docs, install_openapi
from api.problems import install_problem_handlers
from api.routes import (
    absences,
    audit,
    auth,
    emergency,
    engineers,
    events,
    field,
    health,
    imports,
    kpis,
    plans,
    regions,
    sites,
    sla,
    tickets,
    users,
)
from dispatch.infra.settings import Settings, load_settings
from dispatch.planning.housekeeping import Housekeeper
from dispatch.runtime import Runtime

API_DESCRIPTION = """
Field-engineer dispatch and route optimisation.

Log in with `POST /api/v1/auth/token` (form fields `username`, `password`), then send
`Authorization: Bearer <access_token>`. Errors are RFC 9457 `application/problem+json`
documents whose `field` names the input at fault.

Limits: ids 1 .. 2^31-1; texts without NUL characters and of bounded length; days within a
year of today; periods of at most 92 days; request bodies of at most
`DISPATCH_MAX_BODY_BYTES` (413 beyond). An empty query parameter is the same as none.
"""


ROUTERS = (
    health.router,
    auth.router,
    engineers.router,
    plans.router,
    events.router,
    field.router,
    tickets.router,
    kpis.router,
    sla.router,
    emergency.router,
    absences.router,
    regions.router,
    sites.router,
    audit.router,
    users.router,
    imports.router,
)
"""The routers, in the order their routes are matched and documented."""


def _install_middleware(
    app: FastAPI, settings: Settings, metrics: Metrics, runtime: Runtime
) -> None:
    """Body limits, empty query parameters as absent, admission, request ids, logs, metrics."""
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        per_path={"/api/v1/imports": settings.max_import_bytes},
    )
    app.add_middleware(EmptyQueryAsAbsent)
    app.add_middleware(
        Admission, limit=settings.admission_limit, wait_seconds=settings.db_pool_timeout_seconds
    )
    install_request_middleware(app, metrics)
    install_metrics(app, metrics, runtime)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the API for ``settings`` (default: from the environment).

    Nothing connects here: the database engine and the Redis client connect on first use,
    and background services start in the lifespan.
    """
    settings = settings or load_settings()
    runtime = Runtime(settings)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        keeper = Housekeeper(runtime)
        keeper.start()
        try:
            yield
        finally:
            keeper.stop()
            runtime.close()

    app = FastAPI(
        title="Field Dispatch API",
        version="0.1.0",
        description=API_DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.runtime = runtime
    app.state.metrics = metrics

    install_problem_handlers(app)
    _install_middleware(app, settings, metrics, runtime)
    for router in ROUTERS:
        app.include_router(router)
    install_console(app)
    install_openapi(app)
    install_docs(app)
    return app
