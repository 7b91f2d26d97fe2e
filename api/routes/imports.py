"""Importing an organisation from CSV / xlsx files (dispatchers and admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile

from api.deps import DispatcherUser, RuntimeDep, SessionDep
from api.schemas.imports import ImportReportOut
from dispatch.imports import ImportFile, run_import

router = APIRouter(prefix="/api/v1/imports", tags=["imports"])


@router.post("", response_model=ImportReportOut, summary="Import an organisation's files")
def import_files(
    session: SessionDep,
    runtime: RuntimeDep,
    user: DispatcherUser,
    files: Annotated[list[UploadFile], File(description="regions.csv, engineers.xlsx, ...")],
    dry_run: Annotated[bool, Form()] = False,
) -> ImportReportOut:
    """Import the files in one transaction (upsert by code).

    Row errors come back in the report with 200 and ``committed: false`` (nothing stored);
    422 only for a request that is not an import (no files, an unknown file name, a file
    that is not UTF-8 text or not a workbook). The body is limited to
    ``DISPATCH_MAX_IMPORT_BYTES``.
    """
    uploads = [ImportFile(f.filename or "", f.file.read()) for f in files]
    report = run_import(
        session=session, files=uploads, at=runtime.clock(), actor_id=user.id, dry_run=dry_run
    )
    if report.reoptimizations:
        session.commit()  # the jobs must find their runs: commit before enqueueing
        for plan_id, time_budget_seconds in report.reoptimizations:
            runtime.jobs.enqueue_optimization(plan_id, time_budget_seconds=time_budget_seconds)
    return ImportReportOut.model_validate(report.as_dict())
