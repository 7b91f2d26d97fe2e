"""``python -m dispatch_cli``: the ``dispatch`` command."""

from dispatch_cli.main import app

app()
