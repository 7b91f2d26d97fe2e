"""Reading the uploaded files: CSV (UTF-8, with or without a BOM) or ``.xlsx``, by name."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

from dispatch.errors import InvalidInput

KIND_ORDER = ("regions", "engineers", "customers", "sites", "assets", "tickets", "absences")
"""The kinds of file, in the order they are stored (references point backwards)."""


@dataclass(frozen=True)
class ImportFile:
    """One uploaded file: its name (``engineers.csv``) and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Table:
    """A file read as text: the header and each row with its line number (header = 1)."""

    file: str
    kind: str
    header: list[str]
    rows: list[tuple[int, list[str]]]


def kind_of(name: str) -> str:
    """The kind of a file from its name (``engineers.xlsx`` -> ``engineers``).

    Raises
    ------
    InvalidInput
        Not ``<kind>.csv`` or ``<kind>.xlsx`` for a known kind (``field="files"``).
    """
    path = PurePath(name)
    stem, suffix = path.stem.lower(), path.suffix.lower()
    if stem not in KIND_ORDER or suffix not in (".csv", ".xlsx"):
        known = ", ".join(f"{k}.csv" for k in KIND_ORDER)
        raise InvalidInput(
            f"{path.name!r} is not a file this import knows; expected one of {known} (or .xlsx)",
            field="files",
        )
    return stem


def read_table(upload: ImportFile) -> Table:
    """The header and rows of ``upload``; blank rows are skipped.

    Raises
    ------
    InvalidInput
        An unknown file name, a file that is not UTF-8 text or not a readable workbook.
    """
    kind = kind_of(upload.name)
    name = PurePath(upload.name).name
    if name.lower().endswith(".xlsx"):
        lines = _xlsx_lines(name, upload.data)
    else:
        lines = _csv_lines(name, upload.data)
    numbered = [(n, [cell.strip() for cell in cells]) for n, cells in enumerate(lines, start=1)]
    if not numbered:
        return Table(file=name, kind=kind, header=[], rows=[])
    header = [cell.lower() for cell in numbered[0][1]]
    rows = [(n, cells) for n, cells in numbered[1:] if any(cells)]
    return Table(file=name, kind=kind, header=header, rows=rows)


def _csv_lines(name: str, data: bytes) -> list[list[str]]:
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{name} is not UTF-8 text: {exc.reason}", field="files") from exc
    try:
        return list(csv.reader(io.StringIO(content, newline="")))
    except csv.Error as exc:  # e.g. a field beyond the csv module's size limit
        raise InvalidInput(f"{name} is not a readable CSV file: {exc}", field="files") from exc


def _xlsx_lines(name: str, data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InvalidInput(f"{name} is not a readable .xlsx workbook", field="files") from exc
    try:
        sheet = book.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _cell_text(value: object) -> str:
    """A workbook cell as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat() if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()[:5] if isinstance(value, dt.time) else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def sort_by_kind(tables: Iterable[Table]) -> list[Table]:
    """``tables`` in storing order (regions first, absences last)."""
    return sorted(tables, key=lambda t: KIND_ORDER.index(t.kind))
