"""``POST /api/v1/imports``: the report with 200, 422 only for what is not an import."""

from __future__ import annotations

import datetime as dt

import pytest

from dispatch.org.users import create_user
from tests.conftest import login
from tests.dispatch.test_imports import counts
from tests.org_files import BAD_ROWS, organisation, spoiled

DAY = dt.date(2026, 11, 24)
EVENING_BEFORE = dt.datetime(2026, 11, 23, 19, 0, tzinfo=dt.UTC)
"""The service's clock in these tests (the imported absences are near it)."""


@pytest.fixture
def desk(client, database) -> dict[str, dict[str, str]]:
    client.app.state.runtime.clock = lambda: EVENING_BEFORE
    with database.session() as session:
        create_user(session=session, username="desk", password="desk-pass-1", role="dispatcher")
        create_user(session=session, username="boss", password="boss-pass-1", role="admin")
    return {
        "dispatcher": login(client, "desk", "desk-pass-1"),
        "admin": login(client, "boss", "boss-pass-1"),
    }


def upload(client, headers, files: dict[str, bytes], dry_run: bool = False):
    return client.post(
        "/api/v1/imports",
        files=[("files", (name, data, "text/csv")) for name, data in files.items()],
        data={"dry_run": "true" if dry_run else "false"},
        headers=headers,
    )


def test_import_dry_run_then_commit_then_reimport(client, database, desk):
    files = organisation(engineers=6, sites=12, tickets_day=DAY)
    before = counts(database)
    dry = upload(client, desk["dispatcher"], files, dry_run=True)
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] is True and dry.json()["committed"] is False
    assert dry.json()["created"]["tickets"] == 12
    assert counts(database) == before
    done = upload(client, desk["admin"], files)
    assert done.status_code == 200 and done.json()["committed"] is True
    assert done.json()["errors"] == []
    again = upload(client, desk["dispatcher"], files).json()
    assert set(again["created"].values()) == {0} and set(again["updated"].values()) == {0}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_row_errors_come_back_with_200_and_nothing_stored(client, database, desk, case):
    before = counts(database)
    files = spoiled(organisation(engineers=6, sites=12, tickets_day=DAY), case)
    response = upload(client, desk["dispatcher"], files)
    assert response.status_code == 200, response.text
    body = response.json()
    name, _spoil, row, column = BAD_ROWS[case]
    assert body["committed"] is False
    assert [(e["file"], e["row"], e["column"]) for e in body["errors"]] == [(name, row, column)]
    assert counts(database) == before


def test_what_is_not_an_import_is_a_422(client, desk):
    unknown = upload(client, desk["dispatcher"], {"people.csv": b"code\nx\n"})
    assert unknown.status_code == 422
    assert unknown.json()["field"] == "files" and "people.csv" in unknown.json()["detail"]
    for name, data in (("regions.csv", b"\xff\xfe not UTF-8"), ("sites.xlsx", b"not a workbook")):
        broken = upload(client, desk["dispatcher"], {name: data})
        assert broken.status_code == 422 and name in broken.json()["detail"]
    nothing = client.post("/api/v1/imports", data={"dry_run": "true"}, headers=desk["dispatcher"])
    assert nothing.status_code == 422


def test_engineers_may_not_import_and_strangers_are_refused(client, database, desk):
    files = organisation(engineers=3, sites=4)
    assert upload(client, {}, files).status_code == 401
    assert upload(client, desk["admin"], files).json()["committed"] is True
    with database.session() as session:
        create_user(
            session=session,
            username="field",
            password="field-pass-1",
            role="engineer",
            engineer_code="E00000",
        )
    engineer = login(client, "field", "field-pass-1")
    assert upload(client, engineer, files).status_code == 403


def test_uploads_are_capped(settings, database):
    from fastapi.testclient import TestClient

    from api.app import create_app

    small = settings.model_copy(update={"max_import_bytes": 2048})
    with TestClient(create_app(small)) as client:
        with database.session() as session:
            create_user(session=session, username="desk", password="desk-pass-1", role="dispatcher")
        headers = login(client, "desk", "desk-pass-1")
        files = organisation(engineers=30, sites=40)
        assert upload(client, headers, files).status_code == 413
        assert upload(client, headers, {"regions.csv": files["regions.csv"]}).status_code == 200
