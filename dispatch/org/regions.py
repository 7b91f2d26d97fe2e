"""The region tree: a region with the regions below it, the regions above it, its root.

Regions form a tree (``parent_id``; headquarters has none). A plan of a region covers
the regions below it; a plan of a wider region (an ancestor) covers it too; publishing
serialises on the root. Every walk of the tree is here.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.models import Region


def region_ids(*, session: Session, region_id: int) -> list[int]:
    """``region_id`` and every region below it (headquarters: all), level by level.

    Parameters
    ----------
    session
        Open session (read only).
    region_id
        The top of the subtree (an unknown id gives just itself).

    Returns
    -------
    list of int
        ``region_id`` first, then its children, their children and so on.
    """
    children: dict[int | None, list[int]] = {}
    for child, parent in session.execute(select(Region.id, Region.parent_id).order_by(Region.id)):
        children.setdefault(parent, []).append(child)
    found = [region_id]
    seen = {region_id}
    frontier = [region_id]
    while frontier:
        frontier = [c for p in frontier for c in children.get(p, ()) if c not in seen]
        seen.update(frontier)
        found.extend(frontier)
    return found


def ancestor_ids(*, session: Session, region_id: int) -> list[int]:
    """The regions above ``region_id``: its parent first, the root (headquarters) last."""
    ids: list[int] = []
    region = session.get(Region, region_id)
    while region is not None and region.parent_id is not None:
        ids.append(region.parent_id)
        region = session.get(Region, region.parent_id)
    return ids


def root_id(*, session: Session, region_id: int) -> int:
    """The root of ``region_id``'s tree (headquarters; itself when it has no parent)."""
    ancestors = ancestor_ids(session=session, region_id=region_id)
    return ancestors[-1] if ancestors else region_id


def region_and_ancestors(*, session: Session, region_id: int) -> list[int]:
    """``region_id``, then the regions above it up to the root (the nearest cover first)."""
    return [region_id, *ancestor_ids(session=session, region_id=region_id)]
