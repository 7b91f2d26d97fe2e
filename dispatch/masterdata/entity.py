"""The services every kind of master data shares: get, create, change, deactivate.

A :class:`Records` names what differs between regions, customers, sites and assets: the row
class, the audit entity, the fields a creation requires, how the given fields become
checked column values and what keeps a row in use. Its methods are the kind's services
(``get_site = SITES.get``): each takes ``session`` and the row's id by the kind's own
keyword (``site_id=``), as the API calls them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

from dispatch.infra.rows import get_row
from dispatch.masterdata.common import require, require_reference, write_audited
from dispatch.models import Base

M = TypeVar("M", bound=Base)
Values = Callable[[Session, Mapping[str, Any], Any], dict[str, Any]]
"""``(session, fields, row)``: the checked column values of the given ``fields`` (``row`` is
``None`` for a creation, whose defaults it adds)."""


@dataclass(frozen=True)
class Reference:
    """A row a creation must name, by code (``by_code``) or id (``by_id``); ``field`` is
    the field a refusal names."""

    by_code: str
    by_id: str
    field: str


@dataclass(frozen=True)
class Records(Generic[M]):
    """A kind of master data and its services.

    Attributes
    ----------
    model
        The row class (with ``id`` and ``active``).
    entity
        The kind's name: the audit trail's entity, the not-found message, the id keyword
        (``<entity>_id``).
    values
        The checked column values of given fields (see :data:`Values`).
    required
        The fields a creation needs.
    reference
        The row a creation must name by code or id, if any.
    check_unused
        Refuses (:class:`~dispatch.errors.InUse`) to deactivate a row still in use.
    """

    model: type[M]
    entity: str
    values: Values
    required: tuple[str, ...]
    reference: Reference | None = None
    check_unused: Callable[[Session, M], None] | None = None

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
        require(fields, *self.required)
        if self.reference is not None:
            ref = self.reference
            require_reference(fields, ref.by_code, ref.by_id, ref.field)
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
