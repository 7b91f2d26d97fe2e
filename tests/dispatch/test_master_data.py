"""Master-data services: checks naming the field, audit entries of the changed fields only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from dispatch.errors import Conflict, InUse, InvalidInput, NotFound
from dispatch.infra.audit import changed_fields, json_safe, list_audit, record
from dispatch.masterdata import assets, customers, engineers, regions, sites
from dispatch.models import AuditEntry, Engineer, Region

NOW = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)


def _shift(**overrides: object) -> dict[str, object]:
    return {"weekday": 1, "start": "08:00", "end": "17:00", **overrides}


def _engineer(**overrides: object) -> dict[str, object]:
    return {
        "code": "T1",
        "name": "Tess",
        "region": "SH-W",
        "level": "mid",
        "home_lat": 31.2,
        "home_lon": 121.4,
        "skills": [{"skill": "hvac", "level": 2}],
        "shifts": [_shift()],
        **overrides,
    }


def test_json_safe_and_changed_fields():
    value = {"d": dt.date(2026, 1, 2), "t": NOW, "n": Decimal("1.50"), "l": (1, "中")}
    assert json_safe(value) == {
        "d": "2026-01-02",
        "t": "2026-11-24T02:00:00+00:00",
        "n": "1.50",
        "l": [1, "中"],
    }
    before, after = changed_fields(
        {"a": 1, "b": Decimal("0"), "c": None}, {"a": 2, "b": Decimal("0.00"), "c": None}
    )
    assert (before, after) == ({"a": 1}, {"a": 2})


def test_record_and_list_newest_first(database, demo):
    with database.session() as session:
        for n in range(3):
            record(
                session=session, actor_id=None, entity="region", entity_id=1, action="updated",
                before={"n": n}, after={"n": n + 1}, at=NOW + dt.timedelta(minutes=n),
            )  # fmt: skip
        record(
            session=session, actor_id=None, entity="site", entity_id=1, action="created",
            before=None, after={"name": "x"}, at=NOW,
        )  # fmt: skip
        page = list_audit(session=session, entity="region", entity_id=1, limit=2)
        assert page.total == 3
        assert [e.after for e in page.items] == [{"n": 3}, {"n": 2}]


def test_a_change_that_changes_nothing_records_nothing(database, demo):
    with database.session() as session:
        east = session.scalar(select(Region).where(Region.code == "SH-E"))
        assert east is not None
        count = session.scalar(select(func.count(AuditEntry.id)))
        regions.update_region(
            session=session, actor_id=None, region_id=east.id,
            fields={"name": east.name, "timezone": east.timezone},
        )  # fmt: skip
        assert session.scalar(select(func.count(AuditEntry.id))) == count


@pytest.mark.parametrize(
    ("fields", "error", "field"),
    [
        ({"timezone": "America"}, InvalidInput, "timezone"),
        ({"timezone": None}, InvalidInput, "timezone"),
        ({"name": None}, InvalidInput, "name"),
        ({"parent": "SH-E"}, InvalidInput, "parent"),
        ({"parent": "NOPE"}, NotFound, "parent"),
        ({"code": "SH-W"}, Conflict, "code"),
        ({"active": False}, InUse, "active"),
    ],
)
def test_region_updates_are_checked(database, demo, fields, error, field):
    with database.session() as session:
        hq = session.scalar(select(Region).where(Region.code == "HQ"))
        assert hq is not None
        with pytest.raises(error) as caught:
            regions.update_region(session=session, actor_id=None, region_id=hq.id, fields=fields)
        assert caught.value.field == field


def test_a_region_with_only_a_child_region_is_in_use(database, demo):
    with database.session() as session:
        top = regions.create_region(
            session=session, actor_id=None, fields={"code": "CN", "name": "中国", "timezone": "UTC"}
        )
        regions.create_region(
            session=session, actor_id=None,
            fields={"code": "CN-1", "name": "一区", "timezone": "UTC", "parent_id": top.id},
        )  # fmt: skip
        assert top.kind == "hq"
        with pytest.raises(InUse) as caught:
            regions.deactivate_region(session=session, actor_id=None, region_id=top.id)
        assert caught.value.code == "region_in_use"
        assert caught.value.details["remaining"] == {"child_regions": 1}


def test_inactive_references_are_refused(database, demo):
    with database.session() as session:
        lone = regions.create_region(
            session=session, actor_id=None,
            fields={"code": "LONE", "name": "Lone", "timezone": "UTC", "parent": "HQ"},
        )  # fmt: skip
        regions.deactivate_region(session=session, actor_id=None, region_id=lone.id)
        with pytest.raises(InvalidInput) as caught:
            customers.create_customer(
                session=session, actor_id=None, fields={"code": "C1", "name": "c", "region": "LONE"}
            )
        assert caught.value.field == "region"
        customer = customers.create_customer(
            session=session, actor_id=None, fields={"code": "c1", "name": "c", "region": "SH-E"}
        )
        assert customer.code == "C1"
        with pytest.raises(InvalidInput) as bad_code:
            customers.update_customer(
                session=session, actor_id=None, customer_id=customer.id, fields={"code": "a b"}
            )
        assert bad_code.value.field == "code"
        customers.deactivate_customer(session=session, actor_id=None, customer_id=customer.id)
        with pytest.raises(InvalidInput) as caught:
            sites.create_site(
                session=session, actor_id=None,
                fields={"customer_id": customer.id, "name": "s", "address": "a", "lat": 1, "lon": 1},
            )  # fmt: skip
        assert caught.value.field == "customer_id"


def test_asset_serials_are_unique_per_model(database, demo):
    with database.session() as session:
        site_id = sites.list_sites(session=session, limit=1).items[0].id
        first = assets.create_asset(
            session=session, actor_id=None,
            fields={"site_id": site_id, "equipment_type": "hvac", "model": "M", "serial": "1"},
        )  # fmt: skip
        other = assets.create_asset(
            session=session, actor_id=None,
            fields={"site_id": site_id, "equipment_type": "hvac", "model": "N", "serial": "1"},
        )  # fmt: skip
        with pytest.raises(Conflict) as caught:
            assets.update_asset(
                session=session, actor_id=None, asset_id=other.id, fields={"model": "M"}
            )
        assert caught.value.field == "serial" and caught.value.details["existing_id"] == first.id


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"shifts": [_shift(), _shift()]}, "shifts.1.weekday"),
        ({"shifts": [_shift(end="24:30")]}, "shifts.0.end"),
        ({"shifts": [_shift(break_minutes=600)]}, "shifts.0.break_minutes"),
        (
            {"shifts": [_shift(break_minutes=30, break_earliest="07:00", break_latest="09:00")]},
            "shifts.0.break_earliest",
        ),
        ({"skills": [{"skill": "hvac", "level": 0}]}, "skills.0.level"),
        ({"max_work_minutes_per_day": 2000}, "max_work_minutes_per_day"),
        ({"cost_per_job": Decimal("5")}, "cost_per_job"),
        ({"employment": "contractor", "cost_per_job": Decimal("-1")}, "cost_per_job"),
        ({"code": None}, "code"),
    ],
)
def test_engineer_checks_name_the_field(database, demo, fields, field):
    with database.session() as session:
        before = session.scalar(select(func.count(Engineer.id)))
        with pytest.raises(InvalidInput) as caught:
            engineers.create_engineer(session=session, actor_id=None, fields=_engineer(**fields))
        assert caught.value.field == field
        assert session.scalar(select(func.count(Engineer.id))) == before


def test_an_employee_cannot_keep_a_cost_when_it_stops_being_a_contractor(database, demo):
    with database.session() as session:
        engineer = engineers.create_engineer(
            session=session, actor_id=None,
            fields=_engineer(employment="contractor", cost_per_job=Decimal("20")),
        )  # fmt: skip
        with pytest.raises(InvalidInput) as caught:
            engineers.update_engineer(
                session=session, actor_id=None, engineer_id=engineer.id,
                fields={"employment": "employee"}, now=NOW,
            )  # fmt: skip
        assert caught.value.field == "employment"
        changed = engineers.update_engineer(
            session=session, actor_id=None, engineer_id=engineer.id,
            fields={"employment": "employee", "cost_per_job": Decimal("0")}, now=NOW,
        )  # fmt: skip
        assert changed.employment == "employee"


def test_an_engineer_without_published_visits_deactivates_at_once(database, demo):
    with database.session() as session:
        engineer = engineers.create_engineer(session=session, actor_id=None, fields=_engineer())
        result = engineers.deactivate_engineer(
            session=session, actor=None, engineer_id=engineer.id, now=NOW
        )
        done, returned = result.engineer, result.returned_ticket_ids
        assert (done.active, returned) == (False, [])
        assert result.reoptimizations == ()
        entry = list_audit(session=session, entity="engineer", entity_id=engineer.id).items[0]
        assert (entry.action, entry.before, entry.after) == (
            "deactivated",
            {"active": True},
            {"active": False},
        )
