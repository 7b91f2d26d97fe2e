"""Importing an organisation from CSV / ``.xlsx`` files, and exporting it the same way.

- :func:`run_import`: one transaction, upsert by code, a report of created / updated /
  unchanged per kind and every bad row (file, row with header = 1, column, message).
- :func:`export_files`: the same files from what is stored (import -> export is lossless).
"""

from dispatch.imports.export import export_files
from dispatch.imports.reading import KIND_ORDER, ImportFile
from dispatch.imports.report import ImportReport, RowError
from dispatch.imports.run import KINDS, run_import

__all__ = [
    "KINDS",
    "KIND_ORDER",
    "ImportFile",
    "ImportReport",
    "RowError",
    "export_files",
    "run_import",
]
