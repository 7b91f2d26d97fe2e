"""The services every kind of master data shares: get, create, change, deactivate.

A :class:`Records` names what differs between regions, customers, sites and assets: the row
class, the audit entity, how the given fields become checked column values (and what a
creation requires) and what keeps a row in use. Its methods are the kind's services
(``get_site = SITES.get``): each takes ``session`` and the row's id by the kind's own
keyword (``site_id=``), as the API calls them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import InstrumentedAttribute, Session

from dispatch.infra.rows import get_row
from dispatch.masterdata.common import (
    refuse_open_tickets,
    write_audited,
)
from dispatch.models import Base

M = TypeVar("M", bound=Base)
Values = Callable[[Session, Mapping[str, Any], Any], dict[str, Any]]
"""``(session, fields, row)``: the checked column values of the given ``fields`` (``row`` is
``None`` for a creation, whose defaults it adds)."""


def no_open_tickets(
    column: InstrumentedAttribute[int], entity: str, named_by: str
) -> Callable[[Session, Any], None]:
    """The in-use check of a kind tickets refer to by ``column`` (``Ticket.site_id``).

    It refuses to deactivate a row while open tickets remain, naming the row
    ``<entity> <its named_by attribute>`` (see
    :func:`~dispatch.masterdata.common.refuse_open_tickets`).
    """

    def check(session: Session, row: Any) -> None:
        what = f"{entity} {getattr(row, named_by)}"
        refuse_open_tickets(session, column == row.id, what=what, entity=entity)

    return check


@dataclass(frozen=True)
class Records(Generic[M]):
    """A kind of master data and its services (each field says what differs)."""

    model: type[M]
    """The row class (with ``id`` and ``active``)."""
    entity: str
    """The kind's name: the audit trail's entity, the not-found message, the id keyword
    (``<entity>_id``)."""
    values: Values
    """The checked column values of given fields, refusing a creation that lacks one it
    needs (see :data:`Values`)."""
    check_unused: Callable[[Session, M], None] | None = None
    """Refuses (:class:`~dispatch.errors.InUse`) to deactivate a row still in use."""

    def _row(self, session: Session, key: Mapping[str, int]) -> M:
        ident = f"{self.entity}_id"
        if set(key) != {ident}:
            raise TypeError(f"expected the keyword argument {ident}, got {sorted(key)}")
        return get_row(session, self.model, key[ident], self.entity)

    def get(self, *, session: Session, **key: int) -> M:
        """The row with the id given as ``<entity>_id``.

        Raises
        ------
        NotFound
            No such row.
        """
        return self._row(session, key)

    def create(self, *, session: Session, actor_id: int | None, fields: Mapping[str, Any]) -> M:
        """Add a row (active unless ``fields`` say otherwise) and record it.

        Raises
        ------
        InvalidInput
            A missing or bad field (named).
        NotFound
            A row the fields name does not exist.
        Conflict
            The code (or model and serial) is taken.
        """
        values = self.values(session, fields, None)
        values.setdefault("active", True)
        row = self.model()
        write_audited(
            session=session, row=row, values=values, actor_id=actor_id, entity=self.entity,
            action="created",
        )  # fmt: skip
        return row

    def update(
        self, *, session: Session, actor_id: int | None, fields: Mapping[str, Any], **key: int
    ) -> M:
        """Change the given fields of the row with ``<entity>_id`` (``active=False``
        deactivates, refused as :meth:`deactivate` refuses).

        Raises
        ------
        NotFound
            No such row, or a row the fields name.
        InvalidInput
            A bad field.
        Conflict
            The code is taken; ``<entity>_in_use`` when deactivating a row in use.
        """
        row = self._row(session, key)
        values = self.values(session, fields, row)
        if values.get("active") is False:
            self._check_unused(session, row)
        write_audited(
            session=session, row=row, values=values, actor_id=actor_id, entity=self.entity,
            action="updated",
        )  # fmt: skip
        return row

    def deactivate(self, *, session: Session, actor_id: int | None, **key: int) -> M:
        """Mark the row with ``<entity>_id`` inactive.

        Raises
        ------
        NotFound
            No such row.
        InUse
            ``<entity>_in_use``: the row is still in use.
        """
        row = self._row(session, key)
        self._check_unused(session, row)
        write_audited(
            session=session, row=row, values={"active": False}, actor_id=actor_id,
            entity=self.entity, action="deactivated",
        )  # fmt: skip
        return row

    def _check_unused(self, session: Session, row: M) -> None:
        """Refuse to deactivate an active row still in use."""
        if self.check_unused is not None and getattr(row, "active"):  # noqa: B009
            self.check_unused(session, row)
