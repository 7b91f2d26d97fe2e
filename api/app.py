"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import cache

import redis
from fastapi import FastAPI

from api.observability import Metrics, install_request_middleware
from api.problems import install_problem_handlers
from api.routes import auth, engineers, health
from dispatch.db import Database
from dispatch.redis_conn import connect
from dispatch.settings import Settings, load_settings

API_DESCRIPTION = """
Field-engineer dispatch and route optimisation.

Log in with `POST /api/v1/auth/token` (form fields `username`, `password`), then send
`Authorization: Bearer <access_token>`. Errors are RFC 9457 `application/problem+json`
documents whose `field` names the input at fault.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the API for ``settings`` (default: from the environment).

    Nothing connects here: the database engine is lazy, the Redis client is made on first
    use, and background services start in the lifespan.
    """
    settings = settings or load_settings()
    database = Database(settings)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            database.dispose()

    app = FastAPI(
        title="Field Dispatch API",
        version="0.1.0",
        description=API_DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.database = database
    app.state.metrics = metrics
    app.state.redis = _redis_factory(settings)

    install_problem_handlers(app)
    install_request_middleware(app, metrics)
    app.include_router(health.router)
    app.include_router(auth.router)
    app.include_router(engineers.router)
    return app


def _redis_factory(settings: Settings) -> Callable[[], redis.Redis]:
    url = settings.redis_url

    @cache
    def client() -> redis.Redis:
        if url is None:
            raise RuntimeError("Redis is not configured (embedded mode)")
        return connect(url)

    return client
