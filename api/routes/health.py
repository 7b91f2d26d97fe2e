"""Liveness, readiness and Prometheus metrics (no token needed)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from api.deps import RuntimeDep

router = APIRouter(tags=["operations"])

READY_EXAMPLE = {"status": "unavailable", "checks": {"database": "ok", "redis": "error: ..."}}


@router.get("/healthz", summary="Liveness: the process answers")
def healthz() -> dict[str, str]:
    """Always ``{"status": "ok"}`` while the process serves requests."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: database (and Redis when configured) reachable",
    responses={
        503: {
            "description": "A backing service is unreachable; `checks` says which",
            "content": {"application/json": {"example": READY_EXAMPLE}},
        }
    },
)
def readyz(runtime: RuntimeDep) -> JSONResponse:
    """200 when every backing service answers, else 503 with which one failed."""
    checks: dict[str, Any] = {}
    ok = True
    try:
        with runtime.database.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        ok = False
        checks["database"] = f"error: {type(exc).__name__}"
    if runtime.redis is not None:
        try:
            runtime.redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            ok = False
            checks["redis"] = f"error: {type(exc).__name__}"
    else:
        checks["redis"] = "not configured (embedded mode)"
    return JSONResponse(
        {"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503
    )


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(request: Request) -> Response:
    """Metrics in the Prometheus text format."""
    refresh = getattr(request.app.state, "refresh_metrics", None)
    if refresh is not None:
        refresh()
    return Response(
        generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST
    )
