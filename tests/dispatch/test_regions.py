"""The region tree walks and the local-midnight rule every plan's time axis starts from."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from dispatch.infra.day_clock import local_midnight
from dispatch.models import Region
from dispatch.org.regions import ancestor_ids, region_and_ancestors, region_ids, root_id


def _tree(session) -> dict[str, int]:
    """HQ > (EAST > EAST-1), WEST."""
    hq = Region(code="HQ", name="Headquarters", kind="hq", timezone="Asia/Shanghai")
    session.add(hq)
    session.flush()
    east = Region(code="EAST", name="East", parent_id=hq.id, timezone="Asia/Shanghai")
    west = Region(code="WEST", name="West", parent_id=hq.id, timezone="Asia/Shanghai")
    session.add_all([east, west])
    session.flush()
    session.add(Region(code="EAST-1", name="East 1", parent_id=east.id, timezone="Asia/Shanghai"))
    session.flush()
    return {r.code: r.id for r in session.scalars(select(Region))}


def test_a_region_and_those_below_it_level_by_level(database):
    with database.session() as session:
        ids = _tree(session)
        everything = region_ids(session=session, region_id=ids["HQ"])
        assert everything[0] == ids["HQ"]
        assert set(everything[1:3]) == {ids["EAST"], ids["WEST"]}
        assert everything[3:] == [ids["EAST-1"]]
        assert region_ids(session=session, region_id=ids["EAST"]) == [ids["EAST"], ids["EAST-1"]]
        assert region_ids(session=session, region_id=ids["WEST"]) == [ids["WEST"]]
        assert region_ids(session=session, region_id=999_999) == [999_999]


def test_the_regions_above_a_region_and_its_root(database):
    with database.session() as session:
        ids = _tree(session)
        leaf = ids["EAST-1"]
        assert ancestor_ids(session=session, region_id=leaf) == [ids["EAST"], ids["HQ"]]
        assert region_and_ancestors(session=session, region_id=leaf) == [
            leaf,
            ids["EAST"],
            ids["HQ"],
        ]
        assert root_id(session=session, region_id=leaf) == ids["HQ"]
        assert root_id(session=session, region_id=ids["HQ"]) == ids["HQ"]
        assert ancestor_ids(session=session, region_id=ids["HQ"]) == []


def test_local_midnight_is_the_instant_the_local_day_begins():
    shanghai = ZoneInfo("Asia/Shanghai")
    assert local_midnight(dt.date(2026, 11, 24), shanghai) == dt.datetime(
        2026, 11, 23, 16, tzinfo=dt.UTC
    )
    berlin = ZoneInfo("Europe/Berlin")  # summer time begins on 29 March 2026: a 23-hour day
    start = local_midnight(dt.date(2026, 3, 29), berlin)
    end = local_midnight(dt.date(2026, 3, 30), berlin)
    assert start == dt.datetime(2026, 3, 28, 23, tzinfo=dt.UTC)
    assert end - start == dt.timedelta(hours=23)
    assert start.tzinfo == dt.UTC
