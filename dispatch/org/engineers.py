"""Engineers: listing and looking up the field workforce."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dispatch.errors import NotFound
from dispatch.infra.paging import Page, paginate, text_filter
from dispatch.models import Engineer, EngineerSkill, Region


def list_engineers(
    *,
    session: Session,
    region_code: str | None = None,
    active: bool | None = None,
    skill: str | None = None,
    level: str | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Page[Engineer]:
    """Engineers ordered by code, optionally by region, active flag, skill, level
    (junior/mid/senior) and a text in code or name.

    Raises
    ------
    NotFound
        Unknown region (``field="region"``).
    """
    query = (
        select(Engineer)
        .options(
            selectinload(Engineer.skills),
            selectinload(Engineer.shifts),
            selectinload(Engineer.region),
        )
        .order_by(Engineer.code)
    )
    if region_code is not None:
        if session.scalar(select(Region.id).where(Region.code == region_code)) is None:
            raise NotFound(f"no region {region_code!r}", field="region")
        query = query.join(Region, Engineer.region_id == Region.id).where(
            Region.code == region_code
        )
    if active is not None:
        query = query.where(Engineer.active.is_(active))
    if skill is not None:
        query = query.where(
            Engineer.id.in_(select(EngineerSkill.engineer_id).where(EngineerSkill.skill == skill))
        )
    if level is not None:
        query = query.where(Engineer.level == level)
    query = text_filter(query, q, Engineer.code, Engineer.name)
    return paginate(session, query, limit=limit, offset=offset)


def get_engineer(*, session: Session, engineer_id: int) -> Engineer:
    """The engineer with ``engineer_id``.

    Raises
    ------
    NotFound
        No such engineer.
    """
    engineer = session.get(Engineer, engineer_id)
    if engineer is None:
        raise NotFound(f"no engineer {engineer_id}")
    return engineer
