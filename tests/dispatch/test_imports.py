"""Importing an organisation: upsert by code, one transaction, every bad row reported."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from dispatch.imports import ImportFile, export_files, run_import
from dispatch.infra import migrate
from dispatch.infra.db import Database
from dispatch.infra.settings import Settings
from dispatch.models import AuditEntry, Base, Engineer, EngineerAbsence, Site, Ticket
from tests.conftest import TEST_SECRET
from tests.org_files import BAD_ROWS, organisation, replace_cell, spoiled, xlsx_bytes

DAY = dt.date(2026, 11, 24)
AT = dt.datetime(2026, 11, 23, 19, 0, tzinfo=dt.UTC)
"""The import's instant: fixed, the evening before the tickets' day."""


def files_of(files: dict[str, bytes]) -> list[ImportFile]:
    return [ImportFile(name, data) for name, data in files.items()]


def counts(database: Database) -> dict[str, int]:
    """Rows in every table."""
    with database.session() as session:
        return {
            t.name: session.scalar(select(func.count()).select_from(t)) or 0
            for t in Base.metadata.sorted_tables
        }


def do_import(database: Database, files: dict[str, bytes], **options: object):
    with database.session() as session:
        return run_import(session=session, files=files_of(files), at=AT, **options)  # type: ignore[arg-type]


@pytest.fixture
def org() -> dict[str, bytes]:
    return organisation(engineers=9, sites=12, tickets_day=DAY)


def test_import_creates_then_reimport_changes_nothing(database, org):
    first = do_import(database, org)
    assert first.errors == [] and first.committed
    assert first.created == {
        "regions": 4,
        "engineers": 9,
        "customers": 3,
        "sites": 12,
        "assets": 12,
        "tickets": 12,
        "absences": 2,
    }
    before = counts(database)
    again = do_import(database, org)
    assert again.committed and again.errors == []
    assert set(again.created.values()) == {0} and set(again.updated.values()) == {0}
    assert again.unchanged == first.created
    assert counts(database) == before
    with database.session() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.external_ref == "EXT-00000"))
        assert ticket is not None and ticket.number.startswith("K00000-REP-20261123-")
        assert ticket.response_due is not None and ticket.required_skill == "hvac"
        engineer = session.scalar(select(Engineer).where(Engineer.code == "E00003"))
        assert engineer is not None and engineer.name == "Techniker 3 王3"
        assert [(s.skill, s.level) for s in engineer.skills] == [("hvac", 2), ("lift", 3)]
        assert [s.weekday for s in engineer.shifts] == [0, 1, 2, 3, 4]
        assert engineer.shifts[0].start_minute == 8 * 60 and engineer.shifts[0].break_minutes == 30
        audits = session.scalar(select(func.count()).select_from(AuditEntry))
        assert audits == sum(first.created.values()) - first.created["tickets"]  # own history


def test_a_changed_row_is_updated_and_audited(database, org):
    do_import(database, org)
    changed = {**org, "engineers.csv": replace_cell(org["engineers.csv"], 3, "name", "Jörg 张")}
    report = do_import(database, changed, actor_id=None)
    assert report.updated["engineers"] == 1 and report.unchanged["engineers"] == 8
    assert sum(report.created.values()) == 0
    with database.session() as session:
        entry = session.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "updated", AuditEntry.entity == "engineer"
            )
        )
        assert entry is not None
        assert entry.before == {"name": "Techniker 1 王1"} and entry.after == {"name": "Jörg 张"}


def test_dry_run_stores_nothing(database, org):
    before = counts(database)
    report = do_import(database, org, dry_run=True)
    assert report.errors == [] and report.dry_run and not report.committed
    assert report.created["sites"] == 12
    assert counts(database) == before


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_each_bad_row_is_named_and_nothing_changes(database, org, case):
    do_import(database, organisation(engineers=9, sites=12))  # something stored already
    before = counts(database)
    bad = spoiled(org, case)
    bad["engineers.csv"] = replace_cell(bad["engineers.csv"], 2, "name", "changed")
    report = do_import(database, bad)
    name, _spoil, row, column = BAD_ROWS[case]
    assert not report.committed
    assert [(e.file, e.row, e.column) for e in report.errors] == [(name, row, column)], (
        report.errors
    )
    assert counts(database) == before
    with database.session() as session:
        assert session.scalar(select(Engineer.name).where(Engineer.code == "E00000")) != "changed"


def test_every_bad_row_is_reported_not_only_the_first(database, org):
    bad = {
        **org,
        "sites.csv": replace_cell(replace_cell(org["sites.csv"], 2, "lat", "200"), 5, "lon", "x"),
    }
    bad["engineers.csv"] = replace_cell(org["engineers.csv"], 4, "skills", "hvac:0")
    report = do_import(database, bad)
    assert [(e.file, e.row, e.column) for e in report.errors] == [
        ("engineers.csv", 4, "skills"),
        ("sites.csv", 2, "lat"),
        ("sites.csv", 5, "lon"),
    ]
    assert "200" in report.errors[1].message
    assert counts(database)["sites"] == 0


def test_a_reference_may_point_into_the_same_import_or_the_database(database, org):
    do_import(database, {k: v for k, v in org.items() if k in ("regions.csv", "engineers.csv")})
    rest = {k: v for k, v in org.items() if k not in ("regions.csv", "engineers.csv")}
    report = do_import(database, rest)
    assert report.errors == [] and report.created["customers"] == 3


def test_bom_and_xlsx_read_like_plain_csv(database, org):
    bom = {name: b"\xef\xbb\xbf" + data for name, data in org.items()}
    report = do_import(database, bom)
    assert report.errors == [] and report.created["engineers"] == 9
    workbook = {name.replace(".csv", ".xlsx"): xlsx_bytes(data) for name, data in org.items()}
    again = do_import(database, workbook)
    assert again.errors == [], again.errors
    assert sum(again.created.values()) == 0 and sum(again.updated.values()) == 0


def test_export_then_import_is_lossless(database, org, tmp_path):
    assert do_import(database, org).committed
    with database.session() as session:
        exported = export_files(session=session)
    assert exported["regions.csv"] == org["regions.csv"]
    assert exported["sites.csv"] == org["sites.csv"]  # Chinese addresses unchanged
    assert exported["engineers.csv"] == org["engineers.csv"]
    assert "空调不制冷".encode() in exported["tickets.csv"]
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    migrate.upgrade(url)
    fresh = Database(Settings(environment="test", database_url=url, secret_key=TEST_SECRET))  # type: ignore[arg-type]
    try:
        assert do_import(fresh, exported).committed
        with fresh.session() as session:
            assert export_files(session=session) == exported
    finally:
        fresh.dispose()
    assert sum(do_import(database, exported).updated.values()) == 0


def test_a_ticket_cannot_move_to_another_customer(database, org):
    do_import(database, org)
    moved = {"tickets.csv": replace_cell(org["tickets.csv"], 2, "site", "S000001")}
    moved["tickets.csv"] = replace_cell(moved["tickets.csv"], 2, "customer", "K00001")
    report = do_import(database, moved)
    assert {(e.row, e.column) for e in report.errors} == {(2, "customer"), (2, "site")}
    assert not report.committed


def test_an_absence_is_stored_in_utc(database, org):
    do_import(database, org)
    with database.session() as session:
        starts = sorted(session.scalars(select(EngineerAbsence.start)))
        assert starts[0] == dt.datetime(2026, 11, 23, 23, 0, tzinfo=dt.UTC)
        assert (
            session.scalar(select(func.count()).select_from(Site).where(Site.code.is_(None))) == 0
        )


def test_a_ticket_row_edits_its_editable_fields(database, org):
    do_import(database, org)
    edited = replace_cell(org["tickets.csv"], 2, "priority", "2")
    edited = replace_cell(edited, 2, "window_start", "2026-11-24T13:00:00+01:00")
    edited = replace_cell(edited, 2, "window_end", "2026-11-24T15:00:00+01:00")
    edited = replace_cell(edited, 3, "preferred_engineer", "E00004")
    report = do_import(database, {"tickets.csv": edited})
    assert report.errors == [] and report.updated == {"tickets": 2}
    with database.session() as session:
        first = session.scalar(select(Ticket).where(Ticket.external_ref == "EXT-00000"))
        assert first is not None and first.priority == 2
        assert [(w.start, w.end) for w in first.windows] == [
            (
                dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC),
                dt.datetime(2026, 11, 24, 14, tzinfo=dt.UTC),
            )
        ]
        assert first.events[-1].kind == "updated" and first.events[-1].after["priority"] == 2
        second = session.scalar(select(Ticket).where(Ticket.external_ref == "EXT-00001"))
        assert second is not None
        assert [(r.kind, r.engineer_id) for r in second.engineer_rules] == [
            ("preferred", session.scalar(select(Engineer.id).where(Engineer.code == "E00004")))
        ]
    assert sum(do_import(database, {"tickets.csv": edited}).updated.values()) == 0


def test_customers_regions_and_absences_update_in_place(database, org):
    do_import(database, org)
    changed = {
        "customers.csv": replace_cell(org["customers.csv"], 3, "tier", "vip"),
        "regions.csv": replace_cell(org["regions.csv"], 3, "parent", ""),
        "absences.csv": replace_cell(org["absences.csv"], 2, "reason", "leave"),
    }
    report = do_import(database, changed)
    assert report.errors == [], report.errors
    assert report.updated == {"regions": 1, "customers": 1, "absences": 1}
    with database.session() as session:
        assert sorted(session.scalars(select(EngineerAbsence.reason))) == ["leave", "training"]
        kinds = session.scalars(select(AuditEntry.entity).where(AuditEntry.action == "updated"))
        assert sorted(kinds) == ["absence", "customer", "region"]


def test_overlapping_absences_are_refused_by_the_absences_service(database, org):
    do_import(database, org)
    overlap = replace_cell(org["absences.csv"], 3, "engineer", "E00001")
    report = do_import(database, {"absences.csv": overlap})
    assert [(e.file, e.row, e.column) for e in report.errors] == [("absences.csv", 3, "start")]
    assert "already absent" in report.errors[0].message


@pytest.mark.parametrize("zone", ["Europe", "Mars/Base", "../etc"])
def test_a_bad_time_zone_is_a_row_error(database, org, zone):
    report = do_import(
        database, {"regions.csv": replace_cell(org["regions.csv"], 2, "timezone", zone)}
    )
    assert [(e.row, e.column) for e in report.errors] == [(2, "timezone")]
