"""Engineers: listing and looking up the field workforce."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from dispatch.errors import NotFound
from dispatch.infra.rows import get_row
from dispatch.models import Engineer, EngineerSkill, Region
from dispatch.org.listing import Listing, by_code, equals


def _with_skill(session: Session, query: Select[Any], skill: str) -> Select[Any]:
    """The engineers who have ``skill`` (at any level)."""
    skilled = select(EngineerSkill.engineer_id).where(EngineerSkill.skill == skill)
    return query.where(Engineer.id.in_(skilled))


list_engineers: Listing[Engineer] = Listing(
    select(Engineer)
    .options(
        selectinload(Engineer.skills),
        selectinload(Engineer.shifts),
        selectinload(Engineer.region),
    )
    .order_by(Engineer.code),
    {
        "region_code": by_code(Region.code, "region", Engineer.region_id),
        "skill": _with_skill,
        "level": equals(Engineer.level),
    },
    Engineer.active,
    (Engineer.code, Engineer.name),
)
"""Engineers ordered by code, optionally by region (``region_code``; unknown: ``NotFound``
naming ``region``), active flag, skill, level (junior/mid/senior) and a text in code or
name."""


def get_engineer(*, session: Session, engineer_id: int) -> Engineer:
    """The engineer with ``engineer_id`` (:class:`~dispatch.errors.NotFound` when none)."""
    return get_row(session, Engineer, engineer_id, "engineer")


def get_engineer_by_code(*, session: Session, code: str) -> Engineer:
    """The engineer with ``code``.

    Raises
    ------
    NotFound
        No such engineer.
    """
    engineer = session.scalar(select(Engineer).where(Engineer.code == code))
    if engineer is None:
        raise NotFound(f"no engineer {code!r}")
    return engineer
