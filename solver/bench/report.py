"""Tables of benchmark rows: plain text, Markdown, JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from solver.bench.harness import Row

HEADER = (
    "instance",
    "solver",
    "P1",
    "P2",
    "P3",
    "P4",
    "travel",
    "veh",
    "seconds",
    "valid",
    "gap",
)


def _cells(r: Row, solomon: bool) -> list[str]:
    if r.skipped is not None:
        return [r.instance, r.solver, "", "", "", "", "", "", "", "skipped", r.skipped]
    served = [f"{s}/{t}" for s, t in zip(r.served, r.total, strict=True)]
    travel = f"{r.travel:.2f}" if solomon else f"{r.travel:.0f}"
    valid = "yes" if r.valid else f"NO ({r.violations})"
    return [
        r.instance,
        r.solver,
        *served,
        travel,
        str(r.vehicles),
        f"{r.seconds:.1f}",
        valid,
        r.gap,
    ]


def markdown(rows: Sequence[Row], *, solomon: bool = False) -> str:
    """A Markdown table (one line per row; skipped peers show their reason as gap).

    Parameters
    ----------
    rows
        Benchmark rows.
    solomon
        Show travel as a distance with two decimals.

    Returns
    -------
    str
        The table, ending with a newline.
    """
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(_cells(r, solomon)) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def text(rows: Sequence[Row], *, solomon: bool = False) -> str:
    """An aligned plain-text table of ``rows`` (see :func:`markdown`)."""
    table = [list(HEADER)] + [_cells(r, solomon) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADER))]
    return (
        "\n".join(
            "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            for row in table
        )
        + "\n"
    )


def write_json(rows: Sequence[Row], path: str | Path) -> None:
    """Write ``rows`` as a JSON list of objects."""
    Path(path).write_text(json.dumps([r.__dict__ for r in rows], indent=2) + "\n", encoding="utf-8")
