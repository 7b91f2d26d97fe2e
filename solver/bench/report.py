"""Tables of benchmark rows: plain text, Markdown, JSON (written), and a per-solver summary."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from solver.bench.harness import Row

FS_HEADER = ("instance", "solver", "P1", "P2", "P3", "P4", "travel s", "veh", "seconds")
SOLOMON_HEADER = ("instance", "solver", "served", "distance", "veh", "seconds")
TAIL = ("valid", "gap")


def _header(solomon: bool) -> tuple[str, ...]:
    return (SOLOMON_HEADER if solomon else FS_HEADER) + TAIL


def _cells(r: Row, solomon: bool) -> list[str]:
    width = len(_header(solomon))
    if r.skipped is not None:
        return [r.instance, r.solver] + [""] * (width - 4) + ["skipped", r.skipped]
    valid = "yes" if r.valid else f"NO ({r.violations})"
    if solomon:
        served = f"{sum(r.served)}/{sum(r.total)}"
        body = [served, f"{r.travel:.2f}", str(r.vehicles)]
    else:
        body = [f"{s}/{t}" for s, t in zip(r.served, r.total, strict=True)]
        body += [f"{r.travel:.0f}", str(r.vehicles)]
    return [r.instance, r.solver, *body, f"{r.seconds:.1f}", valid, r.gap]


def markdown(rows: Sequence[Row], *, solomon: bool = False) -> str:
    """A Markdown table (one line per row; skipped peers show their reason as gap).

    Parameters
    ----------
    rows
        Benchmark rows.
    solomon
        Solomon layout: one served column, travel as a distance with two decimals.

    Returns
    -------
    str
        The table, ending with a newline.
    """
    head = _header(solomon)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_cells(r, solomon)) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def text(rows: Sequence[Row], *, solomon: bool = False) -> str:
    """An aligned plain-text table of ``rows`` (see :func:`markdown`)."""
    table = [list(_header(solomon))] + [_cells(r, solomon) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in table]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def summary(rows: Sequence[Row]) -> str:
    """Per solver: plans run and valid, plans that are best (or match the BKS), mean gap.

    Field-service rows count ``best``; Solomon rows count plans with the BKS vehicle
    count and average their distance gap.

    Returns
    -------
    str
        A Markdown table.
    """
    out = [
        "| solver | ran | valid | best / BKS vehicles | mean distance gap at BKS vehicles | seconds |"
    ]
    out.append("|---|---|---|---|---|---|")
    for solver in dict.fromkeys(r.solver for r in rows):
        mine = [r for r in rows if r.solver == solver and r.skipped is None]
        if not mine:
            continue
        valid = [r for r in mine if r.valid]
        best = [r for r in valid if r.gap == "best" or r.gap.endswith("%")]
        gaps = [float(r.gap.rstrip("%")) for r in valid if r.gap.endswith("%")]
        fs_best = sum(1 for r in valid if r.gap == "best")
        at_bks = f"{fs_best}" if fs_best else f"{len(best)}"
        mean = f"{sum(gaps) / len(gaps):+.2f}%" if gaps else "-"
        secs = sum(r.seconds for r in mine)
        out.append(f"| {solver} | {len(mine)} | {len(valid)} | {at_bks} | {mean} | {secs:.0f} |")
    return "\n".join(out) + "\n"


def write_json(rows: Sequence[Row], path: str | Path) -> None:
    """Write ``rows`` as a JSON list of objects."""
    doc = [r.__dict__ for r in rows]
    Path(path).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
