"""Paged lists of rows, declared: the query, the filters it takes, the columns ``q`` searches.

The lists of master data, engineers and users take the same keywords: ``session``, their own
filters, then ``active``, ``q``, ``limit`` and ``offset``. A :class:`Listing` names what
differs; calling it runs the list (``list_sites(session=session, region_code="NORTH")``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from dispatch.errors import NotFound
from dispatch.infra.paging import Page, paginate, text_filter
from dispatch.models import Base

M = TypeVar("M", bound=Base)
Filter = Callable[[Session, Select[Any], Any], Select[Any]]
"""Restricts a list's query to the rows a filter's (given, not ``None``) value selects."""
TextMatch = Callable[..., Select[Any]]
"""``(query, q, *columns)``: the query restricted to the rows whose columns contain ``q``."""


def find_by_code(
    session: Session, column: InstrumentedAttribute[str], code: str, field: str
) -> Any:
    """The row whose ``column`` is ``code``.

    Raises
    ------
    NotFound
        None has it (naming ``field``).
    """
    found = session.scalar(select(column.class_).where(column == code))
    if found is None:
        raise NotFound(f"no {field} {code!r}", field=field)
    return found


def equals(column: Any) -> Filter:
    """The filter keeping the rows whose ``column`` equals the value."""
    return lambda session, query, value: query.where(column == value)


def by_code(
    code_column: InstrumentedAttribute[str],
    name: str,
    foreign_key: Any,
    spelling: Callable[[str], str] = str,
) -> Filter:
    """The filter keeping the rows referring (``foreign_key``) to the row with a code.

    ``spelling`` normalises the code given; an unknown code is :class:`NotFound`, naming
    ``name`` (see :func:`find_by_code`).
    """

    def restrict(session: Session, query: Select[Any], code: Any) -> Select[Any]:
        row = find_by_code(session, code_column, spelling(code), name)
        return query.where(foreign_key == row.id)

    return restrict


@dataclass(frozen=True)
class Listing(Generic[M]):
    """A paged list: ``query`` (ordered), its ``filters`` by keyword, the ``text`` columns.

    Attributes
    ----------
    query
        The select of all the rows, in the list's order.
    filters
        Each keyword the list takes besides ``active``, ``q`` and paging, applied in this
        order when given (not ``None``).
    active
        The row's active flag (the ``active`` filter).
    text
        The columns ``q`` is looked for in.
    match
        How ``q`` is looked for (default: any case, as a plain text).
    """

    query: Select[M]
    filters: Mapping[str, Filter]
    active: Any
    text: tuple[Any, ...]
    match: TextMatch = field(default=text_filter)

    def __call__(
        self, *, session: Session, limit: int = 100, offset: int = 0, **given: Any
    ) -> Page[M]:
        """One page of the rows the given filters keep: the list's own, ``active`` and ``q``.

        Raises
        ------
        TypeError
            A keyword the list does not take.
        NotFound
            A row named by a filter (a region code...) does not exist.
        InvalidInput
            A bad filter value, ``limit`` or ``offset``.
        """
        filters: dict[str, Filter] = {**self.filters, "active": self._active, "q": self._text}
        unknown = set(given) - set(filters)
        if unknown:
            raise TypeError(f"unexpected keyword argument(s): {', '.join(sorted(unknown))}")
        query = self.query
        for name, restrict in filters.items():
            if given.get(name) is not None:
                query = restrict(session, query, given[name])
        return paginate(session, query, limit=limit, offset=offset)

    def _active(self, session: Session, query: Select[Any], active: bool) -> Select[Any]:
        return query.where(self.active.is_(active))

    def _text(self, session: Session, query: Select[Any], q: str) -> Select[Any]:
        return self.match(query, q, *self.text)
