"""What an import did or would do: counts per kind and every bad row."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RowError:
    """One problem in one cell: ``row`` is the line in the file (header = 1)."""

    file: str
    row: int
    column: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        """The error as the report's JSON shape."""
        return {"file": self.file, "row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportReport:
    """Counts of created, updated and unchanged records per kind, and the row errors.

    ``committed`` is true only when the import was stored: no errors and not a dry run.
    """

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    committed: bool = False
    reoptimizations: list[tuple[int, float]] = field(default_factory=list)
    """In-day re-plans queued by imported absences ``(plan_id, time_budget_seconds)``:
    the caller enqueues them after committing (not part of the JSON report)."""

    def count(self, kind: str, created: int, updated: int, unchanged: int) -> None:
        """Record the outcome for ``kind``."""
        self.created[kind] = created
        self.updated[kind] = updated
        self.unchanged[kind] = unchanged

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON (the CLI's ``--json`` and the API's body)."""
        return {
            "created": dict(self.created),
            "updated": dict(self.updated),
            "unchanged": dict(self.unchanged),
            "errors": [e.as_dict() for e in self.errors],
            "dry_run": self.dry_run,
            "committed": self.committed,
        }
