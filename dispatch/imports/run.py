"""Running an import: read, parse, check references, compare, store in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Sequence

from sqlalchemy.orm import Session

from dispatch.errors import InvalidInput
from dispatch.imports.cells import CellError
from dispatch.imports.kinds_org import Assets, Customers, Regions, Sites
from dispatch.imports.kinds_people import Absences, Engineers
from dispatch.imports.kinds_tickets import Tickets
from dispatch.imports.reading import ImportFile, Table, read_table, sort_by_kind
from dispatch.imports.report import ImportReport, RowError
from dispatch.imports.spec import Context, Kind, Row, Stored
from dispatch.infra.audit import record_many

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (Regions(), Engineers(), Customers(), Sites(), Assets(), Tickets(), Absences())
}
"""Every kind of file, in storing order."""

Progress = Callable[[str], None]


def run_import(
    *,
    session: Session,
    files: Sequence[ImportFile],
    at: dt.datetime,
    actor_id: int | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import ``files`` as one transaction: every row stored, or (on any error) none.

    Rows upsert by their key (code; tickets by external reference, assets by serial,
    absences by engineer, start and end). Each created or updated record gets one audit
    entry. A dry run does everything, reports, and stores nothing.

    Parameters
    ----------
    session
        Open session; the caller commits (an import that is not stored leaves nothing to).
    files
        The files, recognised by name (``engineers.csv``, ``sites.xlsx``...).
    at
        The instant of the import (audit entries, tickets without ``reported_at``).
    actor_id
        The importing user (``None``: the system, e.g. the CLI).
    dry_run
        Report only.
    progress
        Called with a short message as each stage starts (for long imports).

    Raises
    ------
    InvalidInput
        Not an import at all: no files, an unknown file name, a kind given twice, a file
        that is not text or not a workbook (``field="files"``).
    """
    tell = progress or (lambda _message: None)
    tables = _read(files)
    report = ImportReport(dry_run=dry_run)
    rows = {t.kind: _parse(t, report.errors) for t in tables}
    tell("loading stored records")
    stored = _load_stored(session, rows)
    ctx = Context(actor_id=actor_id, at=at)
    ctx.ids = {kind: {key: s.id for key, s in records.items()} for kind, records in stored.items()}
    ctx.extra = {f"stored:{kind}": records for kind, records in stored.items()}
    named = {t.kind: _named_keys(t) for t in tables}
    _check_references(tables, rows, stored, named, report.errors)
    plans = {t.kind: _plan(KINDS[t.kind], rows[t.kind], stored[t.kind], report) for t in tables}
    _store_all(session, tables, plans, stored, ctx, report, tell)
    report.errors.sort(key=lambda e: (files_order(tables, e.file), e.row, e.column or ""))
    return report


def _load_stored(session: Session, rows: dict[str, list[Row]]) -> dict[str, dict[Hashable, Stored]]:
    """The stored records of every kind imported or referred to, by key."""
    needed = set(rows) | {target for kind in rows for _c, target in KINDS[kind].references}
    return {kind: KINDS[kind].load(session) for kind in KINDS if kind in needed}


def _store_all(
    session: Session,
    tables: list[Table],
    plans: dict[str, tuple[list[Row], list[tuple[int, Row]]]],
    stored: dict[str, dict[Hashable, Stored]],
    ctx: Context,
    report: ImportReport,
    tell: Progress,
) -> None:
    """Store every table in a savepoint, kept only when clean and not a dry run."""
    savepoint = session.begin_nested()
    try:
        if not report.errors:
            for table in tables:
                tell(f"storing {table.kind}")
                _store(session, table, *plans[table.kind], stored[table.kind], ctx, report)
    except BaseException:
        savepoint.rollback()
        raise
    if report.errors or report.dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
        report.committed = True
        report.reoptimizations = list(ctx.extra.get("reoptimizations", []))


def files_order(tables: list[Table], name: str) -> int:
    """The position of file ``name`` in storing order."""
    return next((i for i, t in enumerate(tables) if t.file == name), len(tables))


def _read(files: Sequence[ImportFile]) -> list[Table]:
    if not files:
        raise InvalidInput("no files to import", field="files")
    tables = sort_by_kind(read_table(f) for f in files)
    kinds = [t.kind for t in tables]
    twice = sorted({k for k in kinds if kinds.count(k) > 1})
    if twice:
        raise InvalidInput(f"more than one file of {', '.join(twice)}", field="files")
    return tables


def _parse(table: Table, errors: list[RowError]) -> list[Row]:
    """The table's rows, parsed; problems (header, cells, duplicates) go to ``errors``."""
    kind = KINDS[table.kind]
    missing = [c for c in kind.columns if c not in table.header]
    extra = [c for c in table.header if c not in kind.columns]
    for column in missing:
        errors.append(RowError(table.file, 1, column, f"missing column {column!r}"))
    for column in extra:
        errors.append(
            RowError(
                table.file,
                1,
                column,
                f"unknown column {column!r} (expected: {', '.join(kind.columns)})",
            )
        )
    if missing or extra or len(set(table.header)) != len(table.header):
        if not (missing or extra):
            errors.append(RowError(table.file, 1, None, "a column is named twice"))
        return []
    rows: list[Row] = []
    seen: dict[Hashable, int] = {}
    for line, cells in table.rows:
        if len(cells) > len(table.header) and any(cells[len(table.header) :]):
            errors.append(RowError(table.file, line, None, "more cells than columns"))
            continue
        values, problems = kind.parse(dict(zip(table.header, cells, strict=False)))
        errors.extend(RowError(table.file, line, col, msg) for col, msg in problems)
        if problems:
            continue
        key = kind.key(values)
        if key in seen:
            errors.append(
                RowError(
                    table.file,
                    line,
                    kind.key_columns[0],
                    f"duplicate {kind.entity} {_shown(key)} (also on row {seen[key]})",
                )
            )
            continue
        seen[key] = line
        rows.append(Row(line, key, values))
    return rows


def _shown(key: Hashable) -> str:
    if isinstance(key, tuple):
        return " ".join(str(part) for part in key)
    return repr(key)


def _named_keys(table: Table) -> set[Hashable]:
    """The keys the file's rows carry, bad rows included (their errors are reported once)."""
    kind = KINDS[table.kind]
    if not set(kind.key_columns) <= set(table.header):
        return set()
    keys: set[Hashable] = set()
    for _line, cells in table.rows:
        row = dict(zip(table.header, cells, strict=False))
        try:
            keys.add(kind.key({c: kind.parsers[c](row.get(c, "")) for c in kind.key_columns}))
        except CellError:
            continue
    return keys


def _check_references(
    tables: list[Table],
    rows: dict[str, list[Row]],
    stored: dict[str, dict[Hashable, Stored]],
    named: dict[str, set[Hashable]],
    errors: list[RowError],
) -> None:
    """Every code a row names exists, stored or in this import (a bad row still names one)."""
    known = {kind: set(stored.get(kind, {})) | named.get(kind, set()) for kind in stored}
    for table in tables:
        kind = KINDS[table.kind]
        for row in rows[table.kind]:
            for column, target in kind.references:
                value = row.values[column]
                if value is not None and value not in known[target]:
                    errors.append(
                        RowError(
                            table.file,
                            row.line,
                            column,
                            f"unknown {KINDS[target].entity} {value!r}",
                        )
                    )


def _plan(
    kind: Kind, rows: list[Row], stored: dict[Hashable, Stored], report: ImportReport
) -> tuple[list[Row], list[tuple[int, Row]]]:
    """The rows to create and to update (and the counts in ``report``)."""
    creates = [r for r in rows if r.key not in stored]
    updates = [
        (stored[r.key].id, r)
        for r in rows
        if r.key in stored and not kind.same(stored[r.key].values, r.values)
    ]
    report.count(kind.name, len(creates), len(updates), len(rows) - len(creates) - len(updates))
    return creates, updates


def _store(
    session: Session,
    table: Table,
    creates: list[Row],
    updates: list[tuple[int, Row]],
    stored: dict[Hashable, Stored],
    ctx: Context,
    report: ImportReport,
) -> None:
    """Write the differences, audit each created or updated record."""
    kind = KINDS[table.kind]
    problems = kind.write(session, creates, updates, ctx)
    report.errors.extend(RowError(table.file, r.line, col, msg) for r, col, msg in problems)
    if problems or kind.audited_by_write:
        return
    ids = ctx.ids[kind.name]
    created = [(ids[r.key], None, kind.format(r.values)) for r in creates]
    changed = []
    for record_id, row in updates:
        old, new = kind.format(stored[row.key].values), kind.format(row.values)
        columns = [
            c
            for c in kind.columns
            if old[c] != new[c] and not (c in kind.derived and row.values[c] is None)
        ]
        changed.append((record_id, {c: old[c] for c in columns}, {c: new[c] for c in columns}))
    for action, changes in (("created", created), ("updated", changed)):
        record_many(
            session=session,
            actor_id=ctx.actor_id,
            entity=kind.entity,
            action=action,
            changes=changes,
            at=ctx.at,
        )
