"""``dispatch osrm prepare``: turn an OpenStreetMap extract into an OSRM data set."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

osrm_app = typer.Typer(help="Road-network travel times with OSRM.", no_args_is_help=True)


class Algorithm(StrEnum):
    """OSRM routing algorithms."""

    mld = "mld"
    ch = "ch"


def register(app: typer.Typer) -> None:
    """Add the ``osrm`` command group to ``app``.

    Parameters
    ----------
    app
        The ``dispatch`` Typer application.
    """
    app.add_typer(osrm_app, name="osrm")


@osrm_app.command("prepare")
def prepare(
    osm_file: Annotated[
        Path, typer.Argument(help="OpenStreetMap extract (.osm.pbf)", exists=True, dir_okay=False)
    ],
    data_dir: Annotated[Path, typer.Option("--data-dir", help="Where the .osrm files go")],
    algorithm: Annotated[
        Algorithm, typer.Option(help="mld (multi-level Dijkstra) or ch (contraction hierarchies)")
    ] = Algorithm.mld,
    profile: Annotated[
        str, typer.Option(help="Profile shipped with OSRM (car, bicycle, foot) or a .lua file")
    ] = "car",
    threads: Annotated[int | None, typer.Option(help="Threads for the OSRM tools")] = None,
) -> None:
    """Extract OSM_FILE and partition/customise (MLD) or contract (CH) it into DATA_DIR.

    Then solve with --travel osrm:DATA_DIR, or serve the data set with osrm-routed
    and solve with --travel http://HOST:PORT.
    """
    from solver import prepare_dataset

    try:
        base = prepare_dataset(
            osm_file, data_dir, algorithm=algorithm.value, profile=profile, threads=threads
        )
    except (FileNotFoundError, ValueError, RuntimeError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(f"OSRM data set ({algorithm.value}) ready: {base}")
    typer.echo(f"  solve with:  dispatch solve FILE --travel osrm:{data_dir}")
    typer.echo(f"  serve with:  python -m osrm routed --algorithm {algorithm.value.upper()} {base}")
