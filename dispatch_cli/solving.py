"""``dispatch solve`` and ``dispatch bench``: the solver on instance files."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the solver commands to ``app``."""
    return None
