"""One-record routes of master data (get, add, change, deactivate), made from a spec.

Regions, customers, sites and assets share the same four routes around their services in
:mod:`dispatch.masterdata`: ``GET /<kind>s/{<kind>_id}``, ``POST /<kind>s`` (201),
``PATCH /<kind>s/{<kind>_id}`` and ``POST /<kind>s/{<kind>_id}/deactivate``, for
dispatchers and admins. A :class:`MasterData` names what differs: the path, the schemas,
the services and the texts of the OpenAPI document. Their lists keep their own routes
(each has its own filters).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, status
from pydantic import BaseModel

from api.deps import DispatcherUser, SessionDep
from api.schemas.common import IdPath

Responses = dict[int | str, dict[str, Any]]


@dataclass(frozen=True)
class Doc:
    """What the OpenAPI document says of a route: summary, description, problem answers."""

    summary: str
    description: str
    responses: Responses | None = None


@dataclass(frozen=True)
class Services:
    """The master-data services of a kind (each takes ``session=`` and ``actor_id=``)."""

    get: Callable[..., Any]
    create: Callable[..., Any]
    update: Callable[..., Any]
    deactivate: Callable[..., Any]


@dataclass(frozen=True)
class MasterData:
    """A kind of master data and the texts of its four routes.

    ``kind`` names the path (``/<kind>s``), the id parameter (``<kind>_id``) and the
    routes' operation ids (``<kind>``, ``create_<kind>``, ``update_<kind>``,
    ``deactivate_<kind>``).
    """

    kind: str
    record: type[BaseModel]
    create_body: type[BaseModel]
    patch_body: type[BaseModel]
    services: Services
    one: Doc
    create: Doc
    update: Doc
    deactivate: Doc


def add_record_routes(router: APIRouter, spec: MasterData) -> None:
    """Add the get, add, change and deactivate routes of ``spec`` to ``router``.

    Parameters
    ----------
    router
        The router of the kind's list (its prefix applies).
    spec
        The kind.
    """
    ident = f"{spec.kind}_id"
    path, one_path = f"/{spec.kind}s", f"/{spec.kind}s/{{{ident}}}"
    services, record = spec.services, spec.record

    def one(session: Any, user: Any, key: int, body: BaseModel | None) -> BaseModel:
        return record.model_validate(services.get(session=session, **{ident: key}))

    def create(session: Any, user: Any, key: int, body: BaseModel | None) -> BaseModel:
        assert body is not None
        fields = body.model_dump(exclude_unset=True)
        return record.model_validate(
            services.create(session=session, actor_id=user.id, fields=fields)
        )

    def update(session: Any, user: Any, key: int, body: BaseModel | None) -> BaseModel:
        assert body is not None
        fields = body.model_dump(exclude_unset=True)
        row = services.update(session=session, actor_id=user.id, fields=fields, **{ident: key})
        return record.model_validate(row)

    def deactivate(session: Any, user: Any, key: int, body: BaseModel | None) -> BaseModel:
        row = services.deactivate(session=session, actor_id=user.id, **{ident: key})
        return record.model_validate(row)

    routes = (
        (one_path, "GET", spec.kind, spec.one, one, None),
        (path, "POST", f"create_{spec.kind}", spec.create, create, spec.create_body),
        (one_path, "PATCH", f"update_{spec.kind}", spec.update, update, spec.patch_body),
        (f"{one_path}/deactivate", "POST", f"deactivate_{spec.kind}", spec.deactivate,
         deactivate, None),
    )  # fmt: skip
    for route_path, method, name, doc, work, body in routes:
        router.add_api_route(
            route_path,
            _endpoint(work, ident=ident if route_path != path else None, body=body),
            methods=[method],
            name=name,
            response_model=record,
            status_code=status.HTTP_201_CREATED if work is create else None,
            summary=doc.summary,
            description=doc.description,
            responses=doc.responses,
        )


def _endpoint(
    work: Callable[[Any, Any, int, BaseModel | None], BaseModel],
    *,
    ident: str | None,
    body: type[BaseModel] | None,
) -> Callable[..., BaseModel]:
    """An endpoint taking ``(<ident>: IdPath, body, session, user)``, as FastAPI reads it."""
    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters = [
        *([inspect.Parameter(ident, keyword, annotation=IdPath)] if ident else []),
        *([inspect.Parameter("body", keyword, annotation=body)] if body else []),
        inspect.Parameter("session", keyword, annotation=SessionDep),
        inspect.Parameter("user", keyword, annotation=DispatcherUser),
    ]

    def endpoint(**given: Any) -> BaseModel:
        key = given[ident] if ident else 0
        return work(given["session"], given["user"], key, given.get("body"))

    endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    return endpoint
