"""One-record routes of master data (get, add, change, deactivate), made from a spec.

Regions, customers, sites and assets share the same four routes around their services in
:mod:`dispatch.masterdata`: ``GET /<kind>s/{<kind>_id}``, ``POST /<kind>s`` (201),
``PATCH /<kind>s/{<kind>_id}`` and ``POST /<kind>s/{<kind>_id}/deactivate``, for
dispatchers and admins. A :class:`MasterData` names what differs: the path, the schemas,
the services and the texts of the OpenAPI document. Their lists come from
:func:`add_list_route`, which names each kind's own filters.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from fastapi import APIRouter, status
from pydantic import BaseModel

from api.deps import DispatcherUser, SessionDep
from api.schemas.common import IdPath, Limit, Offset, Paged, TextQuery, paged

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

    @classmethod
    def of(cls, module: ModuleType, kind: str) -> Services:
        """The services ``get_<kind>``, ``create_<kind>``, ``update_<kind>`` and
        ``deactivate_<kind>`` of ``module``."""
        names = ("get", "create", "update", "deactivate")
        return cls(*(getattr(module, f"{name}_{kind}") for name in names))


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


def master_data(
    kind: str,
    module: ModuleType,
    schemas: tuple[type[BaseModel], type[BaseModel], type[BaseModel]],
    *docs: Doc,
) -> MasterData:
    """The kind ``kind`` with its services in ``module``.

    Parameters
    ----------
    kind
        The kind's name (``region``).
    module
        The module of its services (see :meth:`Services.of`).
    schemas
        The record, create body and patch body.
    *docs
        The texts of the one, create, update and deactivate routes, in that order.

    Returns
    -------
    MasterData
        The kind.
    """
    record, create_body, patch_body = schemas
    one, create, update, deactivate = docs
    services = Services.of(module, kind)
    return MasterData(
        kind, record, create_body, patch_body, services, one, create, update, deactivate
    )


def add_list_route(
    router: APIRouter,
    name: str,
    record: type[BaseModel],
    lister: Callable[..., Any],
    doc: Doc,
    **filters: tuple[str, Any],
) -> None:
    """Add ``GET /<name>``, a page of ``record`` filtered by ``filters``, ``active`` and ``q``.

    Parameters
    ----------
    router
        The router of the kind (its prefix applies).
    name
        The path and the route's operation id (``regions``).
    record
        The schema of one listed row.
    lister
        The service listing the rows (``session=``, the filters, ``active``, ``q``,
        ``limit``, ``offset``; returns a page).
    doc
        The texts of the route.
    **filters
        Each query parameter before ``active``: its name, and the service's keyword and the
        parameter's annotation (default ``None``).
    """
    keyword = inspect.Parameter.KEYWORD_ONLY
    queries = [
        *((query, keyword, annotation, None) for query, (_, annotation) in filters.items()),
        ("active", keyword, bool | None, None),
        ("q", keyword, TextQuery, None),
        ("limit", keyword, Limit, 100),
        ("offset", keyword, Offset, 0),
    ]
    parameters = [
        inspect.Parameter("session", keyword, annotation=SessionDep),
        inspect.Parameter("_user", keyword, annotation=DispatcherUser),
        *(inspect.Parameter(n, k, annotation=a, default=d) for n, k, a, d in queries),
    ]
    renamed = {query: service_keyword for query, (service_keyword, _) in filters.items()}

    def endpoint(**given: Any) -> Paged[Any]:
        given.pop("_user")
        arguments = {renamed.get(key, key): value for key, value in given.items()}
        return paged(lister(**arguments), record)

    endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    router.add_api_route(
        f"/{name}",
        endpoint,
        methods=["GET"],
        name=name,
        response_model=Paged[record],  # type: ignore[valid-type]
        summary=doc.summary,
        description=doc.description,
        responses=doc.responses,
    )


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
