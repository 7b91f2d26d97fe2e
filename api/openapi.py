"""The OpenAPI document as the API really answers: errors are ``application/problem+json``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.schemas.common import Problem

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_DESCRIPTIONS = {
    "401": "Not logged in (no, expired or forged token)",
    "403": "Logged in, but the role or binding does not allow this",
    "404": "No such thing",
    "409": "Conflicts with the current state",
    "422": "Invalid input; `field` names the input at fault, `errors` lists every issue",
}
_PUBLIC = {"/healthz", "/readyz", "/metrics", "/api/v1/auth/token", "/console"}


def _problem_response(code: str, existing: dict[str, Any] | None) -> dict[str, Any]:
    description = (existing or {}).get("description") or _DESCRIPTIONS.get(code, "Error")
    if code == "422" and description == "Validation Error":
        description = _DESCRIPTIONS["422"]
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": _PROBLEM_REF}},
    }


def problem_openapi(app: FastAPI) -> dict[str, Any]:
    """Build (once) the schema with every error response as a problem document."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            codes = {c for c in responses if c.startswith(("4", "5"))}
            if path not in _PUBLIC and not path.startswith("/console"):
                codes |= {"401", "403"}
            for code in sorted(codes):
                responses[code] = _problem_response(code, responses.get(code))
    app.openapi_schema = schema
    return schema


def install_openapi(app: FastAPI) -> None:
    """Serve :func:`problem_openapi` at ``/openapi.json``."""
    app.openapi = lambda: problem_openapi(app)  # type: ignore[method-assign]
