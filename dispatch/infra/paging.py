"""Paged query results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from dispatch.errors import InvalidInput

T = TypeVar("T")
MAX_LIMIT = 500
MAX_OFFSET = 2**31 - 1


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results and the total count across pages."""

    items: Sequence[T]
    total: int
    limit: int
    offset: int


def paginate(session: Session, query: Select[Any], *, limit: int, offset: int) -> Page[Any]:
    """Run ``query`` for one page (``limit`` rows from ``offset``) and count all rows.

    Raises
    ------
    InvalidInput
        ``limit`` outside 1..500 or ``offset`` outside 0..2^31-1.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidInput(f"offset must be between 0 and {MAX_OFFSET}", field="offset")
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = session.scalars(query.limit(limit).offset(offset)).unique().all()
    return Page(items=items, total=int(total), limit=limit, offset=offset)


def text_filter(query: Select[Any], q: str | None, *columns: Any) -> Select[Any]:
    """``query`` restricted to rows where one of ``columns`` contains ``q`` (any case)."""
    if not q:
        return query
    return query.where(or_(*(func.lower(c).contains(q.lower(), autoescape=True) for c in columns)))
