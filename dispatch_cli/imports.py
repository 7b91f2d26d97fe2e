"""``dispatch import PATH...`` and ``dispatch export DIR``: an organisation as CSV / xlsx files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from dispatch.infra.settings import load_settings


def register(app: typer.Typer) -> None:
    """Add ``import`` and ``export`` to ``app``."""
    app.command("import")(import_files)
    app.command("export")(export_files)


def import_files(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Files named regions, engineers, customers, sites, assets, "
            "tickets, absences (.csv or .xlsx), or directories holding them"
        ),
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report only; store nothing")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Import an organisation in one transaction: any bad row and nothing is stored.

    Exit status 0 only when there were no errors; 1 with row errors; 2 when the files are
    not an import at all (unknown names, unreadable).
    """
    from dispatch.errors import InvalidInput
    from dispatch.imports import ImportFile, run_import
    from dispatch.runtime import Runtime

    files = [ImportFile(p.name, p.read_bytes()) for p in _expand(paths)]
    runtime = Runtime(load_settings())
    status = Console(stderr=True)
    try:
        with runtime.session() as session, status.status("importing") as spinner:
            report = run_import(
                session=session,
                files=files,
                at=runtime.clock(),
                dry_run=dry_run,
                progress=lambda message: spinner.update(message),
            )
        for (
            plan_id,
            time_budget_seconds,
        ) in report.reoptimizations:  # after the commit: jobs find runs
            runtime.jobs.enqueue_optimization(plan_id, time_budget_seconds=time_budget_seconds)
    except InvalidInput as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    finally:
        runtime.close()
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_report(report.as_dict())
    if report.errors:
        raise typer.Exit(1)


def _expand(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in (".csv", ".xlsx")))
        elif path.is_file():
            found.append(path)
        else:
            typer.echo(f"error: no file {path}", err=True)
            raise typer.Exit(2)
    return found


def _print_report(report: dict[str, object]) -> None:
    created, updated, unchanged = (report[k] for k in ("created", "updated", "unchanged"))
    assert isinstance(created, dict) and isinstance(updated, dict) and isinstance(unchanged, dict)
    for kind in created:
        typer.echo(
            f"{kind:10} created {created[kind]:6}  updated {updated[kind]:6}  "
            f"unchanged {unchanged[kind]:6}"
        )
    errors = report["errors"]
    assert isinstance(errors, list)
    for e in errors:
        typer.echo(f"{e['file']}:{e['row']}: {e['column'] or '-'}: {e['message']}")
    if errors:
        typer.echo(f"{len(errors)} error(s): nothing was stored")
    elif report["dry_run"]:
        typer.echo("dry run: nothing was stored")
    else:
        typer.echo("stored")


def export_files(
    directory: Annotated[
        Path, typer.Argument(help="Where to write the files (created if missing)")
    ],
) -> None:
    """Write the organisation as the CSV files ``dispatch import`` reads."""
    from dispatch.imports import export_files as export
    from dispatch.runtime import Runtime

    runtime = Runtime(load_settings())
    try:
        with runtime.session() as session:
            files = export(session=session)
    finally:
        runtime.close()
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (directory / name).write_bytes(data)
        rows = data.count(b"\n") - 1
        typer.echo(f"{directory / name}: {rows} rows")
