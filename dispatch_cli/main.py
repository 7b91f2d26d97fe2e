"""Entry point of the ``dispatch`` command: one Typer app, one module per command group."""

from __future__ import annotations

import typer

app = typer.Typer(
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
