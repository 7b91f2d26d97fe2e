"""What a peer solver returns to the harness."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PeerResult:
    """A peer's plan, or why it did not run.

    Attributes
    ----------
    solver
        Name shown in the table (``"vroom-l5"``, ``"pyvrp"``...).
    plan
        Engineer id -> ticket ids in visiting order (empty when skipped).
    seconds
        Wall time of the solve (building the input excluded).
    skipped
        Why the peer did not run on this instance (``None``: it ran).
    notes
        Remarks (e.g. rules the peer cannot express and ignored).
    """

    solver: str
    plan: Mapping[str, Sequence[str]] = field(default_factory=dict)
    seconds: float = 0.0
    skipped: str | None = None
    notes: tuple[str, ...] = ()
