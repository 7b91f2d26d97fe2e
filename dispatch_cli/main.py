"""Entry point of the ``dispatch`` command: one Typer app, one module per command group."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Annotated, Any

import typer

from dispatch.infra.settings import InvalidSettings
from dispatch_cli.help import DispatchGroup

EXIT_BAD_SETTINGS = 2
"""Exit status of a command stopped by invalid settings."""


class DispatchApp(typer.Typer):
    """The Typer app, stopping with one line (no traceback) when the settings are invalid."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run the command line; invalid settings print one line and exit with status 2."""
        try:
            return super().__call__(*args, **kwargs)
        except InvalidSettings as exc:
            typer.echo(f"dispatch: invalid settings: {exc}", err=True)
            raise SystemExit(EXIT_BAD_SETTINGS) from None


app = DispatchApp(
    name="dispatch",
    help="Field-engineer dispatch and route optimisation service.",
    no_args_is_help=True,
    add_completion=False,
    cls=DispatchGroup,
    rich_markup_mode="markdown",  # docstring paragraphs re-flow to the terminal's width
)


def installed_version() -> str:
    """The installed distribution's version (``0+unknown`` when run from a bare checkout)."""
    try:
        return version("fieldops-dispatch")
    except PackageNotFoundError:
        return "0+unknown"


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"dispatch {installed_version()}")
        raise typer.Exit()


@app.callback()
def main(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Field-engineer dispatch and route optimisation service."""


def _register() -> None:
    # Each command module adds its commands to ``app``; imports are cheap (no engines,
    # no clients are created at import time).
    from dispatch_cli import imports, osrm, service, simulate, solving

    service.register(app)
    solving.register(app)
    osrm.register(app)
    simulate.register(app)
    imports.register(app)


_register()
