"""Reading one row by its id, or the domain's "not found"."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from dispatch.errors import NotFound
from dispatch.models import Base

__all__ = ["get_row"]

M = TypeVar("M", bound=Base)


def get_row(session: Session, model: type[M], row_id: int, kind: str) -> M:
    """The ``model`` row with ``row_id``.

    Raises
    ------
    NotFound
        No such row (``no {kind} {row_id}``).
    """
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(f"no {kind} {row_id}")
    return row
