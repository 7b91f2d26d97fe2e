"""What every kind of file has in common: columns, cell parsers, references, and storing.

A kind parses each row into ``values`` (typed, references as codes), loads the stored
records in the same shape (one query per kind), and writes creations and updates in bulk.
Comparing the two shapes tells created / updated / unchanged; formatting them back gives
the export, so an export imports to the same records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from dispatch.imports.cells import CellError, format_instant, required

Values = dict[str, Any]
Parser = Callable[[str], Any]


def req(parse: Parser) -> Parser:
    """``parse`` for a column that must have a value."""
    return lambda cell: parse(required(cell))


def opt(parse: Parser, default: Any = None) -> Parser:
    """``parse`` for a column whose empty cell means ``default``."""
    return lambda cell: default if not cell.strip() else parse(cell.strip())


@dataclass
class Row:
    """One parsed row: its line in the file, its key and its values."""

    line: int
    key: Hashable
    values: Values


@dataclass
class Context:
    """What the kinds share while storing: ids by key per kind, the actor and the instant."""

    actor_id: int | None
    at: dt.datetime
    ids: dict[str, dict[Hashable, int]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def id_of(self, kind: str, key: Hashable | None) -> int | None:
        """The id of ``kind`` record ``key`` (``None`` for ``None``)."""
        return None if key is None else self.ids[kind][key]


@dataclass
class Stored:
    """A stored record: its id and its values in the import's shape."""

    id: int
    values: Values


class Kind:
    """One kind of file. Subclasses set the class attributes and implement the hooks."""

    name: ClassVar[str]
    """The kind's name, the file's (``engineers``): the entity's plural unless set."""
    entity: ClassVar[str]
    """The audit trail's name of one record (``engineer``)."""
    columns: ClassVar[tuple[str, ...]]
    """The file's columns, in order: the keys of :attr:`parsers` (unless set)."""
    key_columns: ClassVar[tuple[str, ...]] = ("code",)
    parsers: ClassVar[Mapping[str, Parser]]
    references: ClassVar[tuple[tuple[str, str], ...]] = ()
    """``(column, kind)``: the column names a record of ``kind`` by its key."""
    derived: ClassVar[frozenset[str]] = frozenset()
    """Columns whose empty cell keeps what is stored (a default derived elsewhere)."""
    model: ClassVar[Any] = None
    audited_by_write: ClassVar[bool] = False
    """Whether :meth:`write` records the audit entries itself (through a service)."""
    key_attribute: ClassVar[str] = "code"
    """The model's attribute of the (first) key column."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Derive what the subclass leaves unset: its :attr:`columns` (its parsers' columns,
        in their order), :attr:`name` (``<entity>s``) and :attr:`key_attribute` (the first
        key column)."""
        super().__init_subclass__(**kwargs)
        own = cls.__dict__
        if "parsers" in own and "columns" not in own:
            cls.columns = tuple(cls.parsers)
        if "entity" in own and "name" not in own:
            cls.name = f"{cls.entity}s"
        if "key_columns" in own and "key_attribute" not in own:
            cls.key_attribute = cls.key_columns[0]

    def key(self, values: Values) -> Hashable:
        """The key a row upserts by."""
        return values[self.key_columns[0]]

    def check(self, values: Values) -> list[tuple[str, str]]:
        """Cross-column problems as ``(column, message)``; none by default."""
        return []

    def parse(self, cells: Mapping[str, str]) -> tuple[Values, list[tuple[str, str]]]:
        """The row's values and its problems ``(column, message)``."""
        values: Values = {}
        problems: list[tuple[str, str]] = []
        for column in self.columns:
            try:
                values[column] = self.parsers[column](cells.get(column, ""))
            except CellError as exc:
                problems.append((column, str(exc)))
        if not problems:
            problems.extend(self.check(values))
        return values, problems

    def same(self, stored: Values, incoming: Values) -> bool:
        """Whether ``incoming`` changes nothing of ``stored``."""
        return all(
            stored.get(c) == incoming.get(c)
            for c in self.columns
            if not (c in self.derived and incoming.get(c) is None)
        )

    def load(self, session: Session) -> dict[Hashable, Stored]:
        """Every stored record of this kind by key (one query)."""
        raise NotImplementedError

    def db_values(self, values: Values, ctx: Context) -> dict[str, Any]:
        """The table's columns for ``values``: each column as it is, and a reference (see
        :attr:`references`) as ``<column>_id``, the id of the record it names."""
        kinds = dict(self.references)
        columns: dict[str, Any] = {}
        for column, value in values.items():
            if column in kinds:
                columns[f"{column}_id"] = ctx.id_of(kinds[column], value)
            else:
                columns[column] = value
        return columns

    def write(
        self, session: Session, creates: list[Row], updates: list[tuple[int, Row]], ctx: Context
    ) -> list[tuple[Row, str, str]]:
        """Store creations and updates in bulk; return row problems ``(row, column, message)``.

        Fills ``ctx.ids[self.name]`` with the new records' ids.
        """
        ids = ctx.ids.setdefault(self.name, {})
        if creates:
            key_column = getattr(self.model, self.key_attribute)
            result = session.execute(
                insert(self.model).returning(self.model.id, key_column),
                [self.db_values(r.values, ctx) for r in creates],
            )
            ids.update({key: new_id for new_id, key in result.all()})
        if updates:
            session.execute(
                update(self.model), [{"id": i, **self.db_values(r.values, ctx)} for i, r in updates]
            )
        return []

    def format(self, values: Values) -> dict[str, str]:
        """``values`` as the cells of an exported row."""
        return {column: format_cell(values.get(column)) for column in self.columns}


def format_cell(value: Any) -> str:
    """A typed value as cell text: empty for ``None``, ISO 8601 for dates and instants (UTC)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return format_instant(value, dt.UTC)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal | int):
        return str(value)
    return str(value)
