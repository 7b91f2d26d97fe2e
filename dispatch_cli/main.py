"""Entry point of the ``dispatch`` command: one Typer app, one module per command group."""

from __future__ import annotations

from typing import Any

import typer

from dispatch.settings import InvalidSettings

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
)


def _register() -> None:
    # Each command module adds its commands to ``app``; imports are cheap (no engines,
    # no clients are created at import time).
    from dispatch_cli import osrm, service, simulate, solving

    service.register(app)
    solving.register(app)
    osrm.register(app)
    simulate.register(app)


_register()
