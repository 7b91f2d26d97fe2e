"""The import report (``POST /imports``)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class RowErrorOut(BaseModel):
    """One bad cell or row: ``row`` is the line in the file (header = 1)."""

    file: str
    row: int
    column: str | None = Field(description="The column at fault; null for the whole row")
    message: str


class ImportReportOut(BaseModel):
    """What an import did (or, for a dry run or with errors, would have done)."""

    created: dict[str, int] = Field(description="Records created, per kind (regions, ...)")
    updated: dict[str, int]
    unchanged: dict[str, int]
    errors: list[RowErrorOut] = Field(description="Every bad row; any error and nothing is stored")
    dry_run: bool
    committed: bool = Field(description="Whether the import was stored")
