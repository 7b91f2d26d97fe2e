"""The OpenAPI document as the API really answers: errors are ``application/problem+json``.

Each operation lists the problems it can answer: those its route names with
:func:`problem_responses` (e.g. 409 for a refused transition), and those that follow from
its shape, added here for every operation alike: 401/403 when it needs a token, 422 when it
takes any input, 400/413 when it takes a body, 404 when it names a thing in its path or a
region, 503 when a backing service is down.
"""

from __future__ import annotations

from typing import Any

import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.schemas.common import Problem

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_DESCRIPTIONS = {
    "400": "The body could not be parsed",
    "401": "Not logged in (no, expired or forged token)",
    "403": "Logged in, but the role or binding does not allow this",
    "404": "No such thing",
    "409": "Conflicts with the current state",
    "413": "The request body is larger than allowed (`DISPATCH_MAX_BODY_BYTES`)",
    "422": "Invalid input; `field` names the input at fault, `errors` lists every issue",
    "429": "Too many attempts; wait for `Retry-After` seconds",
    "503": "A backing service (database, Redis) is unavailable; retry later",
}
_PUBLIC = {"/healthz", "/readyz", "/metrics", "/api/v1/auth/token", "/console"}
_NO_SERVICES = {"/healthz"}
_OWN_ERRORS = {"/readyz"}
"""Operations whose error answers are their own JSON documents, not problems."""
_LOGIN = "/api/v1/auth/token"


def problem_responses(*codes: int, **descriptions: str) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route for the problem statuses ``codes``.

    A description may be given per status as ``d409="..."``; else the common one is used.
    """
    return {
        code: {
            "model": Problem,
            "description": descriptions.get(f"d{code}") or _DESCRIPTIONS[str(code)],
        }
        for code in codes
    }


def _implied_codes(path: str, operation: dict[str, Any]) -> set[str]:
    """The problem statuses an operation can answer because of its shape."""
    codes: set[str] = set()
    if path not in _PUBLIC and not path.startswith("/console"):
        codes |= {"401", "403"}
    parameters = operation.get("parameters", [])
    if parameters or "requestBody" in operation:
        codes.add("422")
    if "requestBody" in operation:
        codes |= {"400", "413"}
    if any(p.get("in") == "path" or p.get("name") == "region" for p in parameters):
        codes.add("404")
    if path not in _NO_SERVICES:
        codes.add("503")
    if path == _LOGIN:
        codes |= {"401", "429"}
    return codes


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
        if path in _OWN_ERRORS:
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            codes = {c for c in responses if c.startswith(("4", "5"))}
            codes |= _implied_codes(path, operation)
            for code in sorted(codes):
                responses[code] = _problem_response(code, responses.get(code))
    app.openapi_schema = schema
    return schema


def install_openapi(app: FastAPI) -> None:
    """Serve :func:`problem_openapi` at ``/openapi.json``."""
    app.openapi = lambda: problem_openapi(app)  # type: ignore[method-assign]


DOCS_ASSETS = "/docs/assets"


def install_docs(app: FastAPI) -> None:
    """Serve Swagger UI at ``/docs`` with its assets from the installed package (no CDN)."""
    app.mount(
        DOCS_ASSETS,
        StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
        name="swagger-ui-assets",
    )

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
            oauth2_redirect_url="/docs/oauth2-redirect",
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
