"""Shared schema pieces."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T")


class ApiModel(BaseModel):
    """Base of response models: built from ORM objects' attributes."""

    model_config = ConfigDict(from_attributes=True)


class Paged(ApiModel, Generic[T]):
    """A page of items."""

    items: list[T]
    total: int
    limit: int
    offset: int


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    field: str | None = None
    code: str | None = None
