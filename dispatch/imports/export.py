"""Exporting the stored organisation as the files an import reads (a lossless round trip)."""

from __future__ import annotations

import csv
import io

from sqlalchemy.orm import Session

from dispatch.imports.reading import KIND_ORDER
from dispatch.imports.run import KINDS


def export_files(*, session: Session) -> dict[str, bytes]:
    """Every kind as ``{"regions.csv": bytes, ...}``: UTF-8 CSV, rows in the order stored.

    Sites without a code, and assets at them, are left out (an import could not name
    them); so are tickets without an external reference and cancelled absences.
    """
    files: dict[str, bytes] = {}
    for name in KIND_ORDER:
        kind = KINDS[name]
        records = sorted(kind.load(session).values(), key=lambda s: s.id)
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(kind.columns)
        for stored in records:
            cells = kind.format(stored.values)
            writer.writerow([cells[c] for c in kind.columns])
        files[f"{name}.csv"] = out.getvalue().encode("utf-8")
    return files
