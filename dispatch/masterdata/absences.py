"""Engineers' absences (sick, leave, training, other): record, list, cancel.

An absence is a period in UTC instants. The optimiser plans nobody inside one
(:mod:`dispatch.org.availability`); one that overlaps a published plan takes the engineer's
visits that have not started out of it (:mod:`dispatch.masterdata.absence_effects`).

Rules chosen here:

- ``end`` after ``start``, at most :data:`MAX_LENGTH` long, starting within
  :data:`HORIZON` of now either way (a typo in a year is refused, not stored);
- the engineer exists and is active;
- an absence may not overlap another uncancelled absence of the same engineer (409,
  naming it): two overlapping records would leave the engineer away when one of them is
  cancelled; cancel or shorten the existing one first.

Every write records an audit entry (:func:`dispatch.infra.audit.record`) and emits an
``engineer.absence`` event naming the engineer, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from dispatch.errors import Conflict, InvalidInput, NotFound
from dispatch.infra.audit import record
from dispatch.infra.events import EventKind, emit
from dispatch.infra.paging import Page, paginate
from dispatch.masterdata.absence_effects import Released, release_absent_visits
from dispatch.models import AbsenceReason, Engineer, EngineerAbsence, Plan, User
from dispatch.org.regions import region_ids
from solver import TravelTimeProvider

MAX_LENGTH = dt.timedelta(days=366)
"""The longest absence one record may hold."""
HORIZON = dt.timedelta(days=2 * 366)
"""How far from now an absence may start (past or future)."""


@dataclass(frozen=True)
class AbsenceChange:
    """An absence recorded or cancelled, and what it did to the published plans.

    Attributes
    ----------
    absence
        The row.
    released
        Per published plan touched: the new plan and the tickets sent back to the pool.
    reoptimizations
        Queued in-day runs (the caller commits, then enqueues their ids).
    """

    absence: EngineerAbsence
    released: tuple[Released, ...] = ()
    reoptimizations: tuple[Plan, ...] = ()


def absence_dict(absence: EngineerAbsence) -> dict[str, Any]:
    """The absence's fields as JSON-ready data (for the audit trail and events)."""
    return {
        "engineer_id": absence.engineer_id,
        "start": absence.start.isoformat(),
        "end": absence.end.isoformat(),
        "reason": absence.reason,
        "note": absence.note,
        "cancelled_at": absence.cancelled_at.isoformat() if absence.cancelled_at else None,
    }


def _engineer(session: Session, engineer_id: int) -> Engineer:
    engineer = session.get(Engineer, engineer_id)
    if engineer is None:
        raise NotFound(f"no engineer {engineer_id}", field="engineer_id")
    return engineer


def _check_period(start: dt.datetime, end: dt.datetime, now: dt.datetime) -> None:
    for name, value in (("start", start), ("end", end)):
        if value.tzinfo is None:
            raise InvalidInput(f"{name} needs a time zone offset", field=name)
    if end <= start:
        raise InvalidInput("an absence must end after it starts", field="end")
    if end - start > MAX_LENGTH:
        raise InvalidInput(
            f"an absence may last at most {MAX_LENGTH.days} days; record longer ones in parts",
            field="end",
        )
    if abs(start - now) > HORIZON:
        raise InvalidInput(
            f"an absence must start within {HORIZON.days} days of now", field="start"
        )


def _overlapping(
    session: Session, engineer_id: int, start: dt.datetime, end: dt.datetime
) -> EngineerAbsence | None:
    return session.scalars(
        select(EngineerAbsence)
        .where(
            EngineerAbsence.engineer_id == engineer_id,
            EngineerAbsence.cancelled_at.is_(None),
            EngineerAbsence.start < end,
            EngineerAbsence.end > start,
        )
        .order_by(EngineerAbsence.start)
        .limit(1)
    ).first()


def create_absence(
    *,
    session: Session,
    engineer_id: int,
    start: dt.datetime,
    end: dt.datetime,
    reason: str,
    note: str | None = None,
    actor: User | None,
    now: dt.datetime,
    time_budget_seconds: float = 10.0,
    travel: TravelTimeProvider | None = None,
) -> AbsenceChange:
    """Record an absence; take the engineer's affected visits out of published plans.

    Parameters
    ----------
    session
        Open session; the caller commits, then enqueues ``reoptimizations``.
    engineer_id, start, end, reason, note
        The absence (aware instants; ``reason`` one of :class:`AbsenceReason`).
    actor
        Who records it (``None``: the system, e.g. an import).
    now
        The current instant (what "not started yet" and "today" mean).
    time_budget_seconds
        Seconds for each queued in-day re-optimisation.
    travel
        Travel-time provider for re-timing the published routes.

    Raises
    ------
    NotFound
        No such engineer (field ``engineer_id``).
    InvalidInput
        Inactive engineer, unknown reason, or a period that ends before it starts, is too
        long or too far from now (the field at fault).
    Conflict
        It overlaps another uncancelled absence of the engineer (field ``start``).
    """
    _check_new(session, engineer_id, start, end, reason, now)
    absence = EngineerAbsence(
        engineer_id=engineer_id,
        start=start.astimezone(dt.UTC),
        end=end.astimezone(dt.UTC),
        reason=reason,
        note=note,
        created_at=now,
        created_by_id=actor.id if actor is not None else None,
    )
    session.add(absence)
    session.flush()
    _audit(session, absence.created_by_id, absence, "created", None, absence_dict(absence), now)
    change = _release(
        session, absence, actor, now, time_budget_seconds=time_budget_seconds, travel=travel
    )
    _announce(session, absence, "created", change.released)
    return change


def _release(
    session: Session,
    absence: EngineerAbsence,
    actor: User | None,
    now: dt.datetime,
    *,
    time_budget_seconds: float,
    travel: TravelTimeProvider | None,
) -> AbsenceChange:
    """Release the absent engineer's affected visits and queue a re-plan of each day."""
    released = release_absent_visits(
        session=session, absence=absence, actor=actor, now=now, travel=travel
    )
    reruns = tuple(
        r.request_rerun(
            session=session, actor=actor, now=now, time_budget_seconds=time_budget_seconds
        )
        for r in released
    )
    return AbsenceChange(absence=absence, released=tuple(released), reoptimizations=reruns)


def _check_new(
    session: Session,
    engineer_id: int,
    start: dt.datetime,
    end: dt.datetime,
    reason: str,
    now: dt.datetime,
) -> None:
    """A new absence's checks: an active engineer, a known reason, a sane period, no overlap."""
    engineer = _engineer(session, engineer_id)
    if not engineer.active:
        raise InvalidInput(f"engineer {engineer.code} is not active", field="engineer_id")
    if reason not in {r.value for r in AbsenceReason}:
        raise InvalidInput(f"unknown absence reason {reason!r}", field="reason")
    _check_period(start, end, now)
    clash = _overlapping(session, engineer_id, start, end)
    if clash is not None:
        raise Conflict(
            f"engineer {engineer.code} is already absent from {clash.start.isoformat()} "
            f"to {clash.end.isoformat()} (absence {clash.id}); cancel it first",
            field="start",
            absence_id=clash.id,
        )


def _audit(
    session: Session,
    actor_id: int | None,
    absence: EngineerAbsence,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    at: dt.datetime,
) -> None:
    """Record ``action`` on ``absence`` in the audit trail."""
    record(
        session=session,
        actor_id=actor_id,
        entity="absence",
        entity_id=absence.id,
        action=action,
        before=before,
        after=after,
        at=at,
    )


def _announce(
    session: Session, absence: EngineerAbsence, action: str, released: Sequence[Released]
) -> None:
    emit(
        session,
        EventKind.ENGINEER_ABSENCE,
        {
            "absence_id": absence.id,
            "engineer_id": absence.engineer_id,
            "engineer_ids": [absence.engineer_id],
            "action": action,
            "start": absence.start.isoformat(),
            "end": absence.end.isoformat(),
            "reason": absence.reason,
            "released_ticket_ids": sorted(t for r in released for t in r.ticket_ids),
            "plan_ids": [r.plan.id for r in released],
        },
    )


def get_absence(*, session: Session, engineer_id: int, absence_id: int) -> EngineerAbsence:
    """One absence of an engineer.

    Raises
    ------
    NotFound
        No such engineer, or no such absence of theirs (field ``absence_id``).
    """
    _engineer(session, engineer_id)
    absence = session.get(EngineerAbsence, absence_id)
    if absence is None or absence.engineer_id != engineer_id:
        raise NotFound(f"engineer {engineer_id} has no absence {absence_id}", field="absence_id")
    return absence


def cancel_absence(
    *,
    session: Session,
    engineer_id: int,
    absence_id: int,
    actor: User | None,
    now: dt.datetime,
) -> AbsenceChange:
    """Cancel an absence: the row stays, ``cancelled_at`` is set; the engineer is available
    again to plans computed from now on (plans computed before are stale).

    Cancelling an absence already cancelled changes nothing (and records nothing).

    Raises
    ------
    NotFound
        No such engineer or absence.
    """
    absence = get_absence(session=session, engineer_id=engineer_id, absence_id=absence_id)
    if absence.cancelled_at is not None:
        return AbsenceChange(absence=absence)
    before = absence_dict(absence)
    absence.cancelled_at = now
    session.flush()
    actor_id = actor.id if actor is not None else None
    old, new = {"cancelled_at": before["cancelled_at"]}, {"cancelled_at": now.isoformat()}
    _audit(session, actor_id, absence, "cancelled", old, new, now)
    _announce(session, absence, "cancelled", ())
    return AbsenceChange(absence=absence)


def _period_query(
    start: dt.datetime | None, end: dt.datetime | None, include_cancelled: bool
) -> Select[Any]:
    if start is not None and end is not None and end <= start:
        raise InvalidInput("'to' must be after 'from'", field="to")
    query = select(EngineerAbsence).options(selectinload(EngineerAbsence.engineer))
    if start is not None:
        query = query.where(EngineerAbsence.end > start)
    if end is not None:
        query = query.where(EngineerAbsence.start < end)
    if not include_cancelled:
        query = query.where(EngineerAbsence.cancelled_at.is_(None))
    return query.order_by(EngineerAbsence.start, EngineerAbsence.id)


def list_absences(
    *,
    session: Session,
    engineer_id: int,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    include_cancelled: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> Page[EngineerAbsence]:
    """An engineer's absences intersecting ``[start, end)`` (open ends: unbounded), earliest first.

    Raises
    ------
    NotFound
        No such engineer.
    InvalidInput
        ``end`` not after ``start`` (field ``to``), or bad paging.
    """
    _engineer(session, engineer_id)
    query = _period_query(start, end, include_cancelled).where(
        EngineerAbsence.engineer_id == engineer_id
    )
    return paginate(session, query, limit=limit, offset=offset)


def absence_overview(
    *,
    session: Session,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    region_id: int | None = None,
    include_cancelled: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> Page[EngineerAbsence]:
    """The dispatcher's overview: every engineer's absences in a period, optionally of one
    region (and the regions below it), earliest first."""
    query = _period_query(start, end, include_cancelled)
    if region_id is not None:
        regions = region_ids(session=session, region_id=region_id)
        query = query.join(Engineer, Engineer.id == EngineerAbsence.engineer_id).where(
            Engineer.region_id.in_(regions)
        )
    return paginate(session, query, limit=limit, offset=offset)
