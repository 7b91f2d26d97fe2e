"""Progress bars for long commands, drawn on the terminal's standard error only.

Piped or captured output (logs, tests) gets no bar: the commands' results stay the only
thing on standard output.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

TICK_SECONDS = 0.2


def counting_bar(console: Console) -> Progress:
    """A display of bars counting steps: label, bar, steps done of all, time elapsed.

    Parameters
    ----------
    console
        Where it draws.

    Returns
    -------
    rich.progress.Progress
        The display (not started; use it as a context manager), kept when it ends.
    """
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


@contextmanager
def budget_bar(label: str, seconds: float | None) -> Iterator[None]:
    """A bar filling over a time budget of ``seconds`` while the body runs.

    Parameters
    ----------
    label
        What runs, e.g. ``"C101: solving"``.
    seconds
        The budget; ``None`` (work with no budget) or a non-terminal standard error
        draws nothing.
    """
    console = Console(stderr=True)
    if seconds is None or seconds <= 0 or not console.is_terminal:
        yield
        return
    done = threading.Event()
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=seconds)
        began = time.monotonic()

        def tick() -> None:
            while not done.wait(TICK_SECONDS):
                progress.update(task, completed=min(time.monotonic() - began, seconds))

        ticker = threading.Thread(target=tick, name="progress", daemon=True)
        ticker.start()
        try:
            yield
        finally:
            done.set()
            ticker.join()


@contextmanager
def steps_bar(label: str, total: int) -> Iterator[Callable[[str], None]]:
    """A bar over ``total`` steps; the callback it yields records one step and its line.

    On a terminal the lines are printed above the bar; elsewhere each line goes to
    standard error as it comes (a log keeps every step).

    Parameters
    ----------
    label
        What runs, e.g. ``"field-service benchmark"``.
    total
        The number of steps expected.
    """
    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda line: typer.echo(line, err=True)
        return
    with counting_bar(console) as progress:
        task = progress.add_task(label, total=total)

        def step(line: str) -> None:
            progress.console.print(line, markup=False, highlight=False)
            progress.advance(task)

        yield step
