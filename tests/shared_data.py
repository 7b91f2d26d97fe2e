"""Where the shared data lives: benchmark instances and the OSM extract beside the repository.

``DISPATCH_SHARED_DIR`` names it; else ``../shared`` beside the checkout; else this
workplace's ``/work/shared`` (a clone elsewhere, e.g. under /tmp, still finds it).
"""

from __future__ import annotations

import os
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
WORKPLACE_SHARED = Path("/work/shared")


def shared_dir() -> Path:
    """The shared folder (it may not exist; callers skip or fail as they must)."""
    override = os.environ.get("DISPATCH_SHARED_DIR")
    if override:
        return Path(override)
    beside = REPOSITORY.parent / "shared"
    if beside.is_dir() or not WORKPLACE_SHARED.is_dir():
        return beside
    return WORKPLACE_SHARED
