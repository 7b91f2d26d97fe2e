"""Benchmark harness and peer solvers (VROOM, PyVRP, greedy) for comparing plans.

The peers come with the ``bench`` extras (``pip install -e '.[bench]'``); only the
benchmark commands import them. :func:`missing_extras` says which are absent.
"""

from __future__ import annotations

import importlib

EXTRAS = {"vroom": "pyvroom", "pyvrp": "pyvrp"}
"""Module the harness imports -> the package of the ``bench`` extras that provides it."""


def missing_extras(modules: tuple[str, ...] = tuple(EXTRAS)) -> list[str]:
    """The packages of ``modules`` (default: every peer) that cannot be imported.

    Parameters
    ----------
    modules
        Module names, keys of :data:`EXTRAS`.

    Returns
    -------
    list of str
        Package names to install (``pyvroom``, ``pyvrp``), empty when all import.
    """
    missing = []
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(EXTRAS.get(name, name))
    return missing
