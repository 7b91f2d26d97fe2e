"""What every kind of master data shares: lookups, checks naming the field, audited writes.

Services take ``fields``: a mapping of the input fields given (a creation's or a partial
update's), already typed by the caller (the API's schemas, an import's row parser). The
checks here raise domain errors that name the field at fault, before anything is written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from dispatch.errors import Conflict, InUse, InvalidInput, NotFound
from dispatch.infra.audit import changed_fields, record
from dispatch.models import Base, Region, Ticket
from dispatch.org.listing import find_by_code
from dispatch.tickets.lifecycle import OPEN_STATUSES

__all__ = [
    "active_region",
    "check_lat_lon",
    "check_range",
    "check_text",
    "check_timezone",
    "check_unique",
    "coded_values",
    "find_by_code",
    "hhmm",
    "minutes_of",
    "reference",
    "refuse_open_tickets",
    "require",
    "require_reference",
    "write_audited",
]

M = TypeVar("M", bound=Base)
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


def reference(
    session: Session,
    model: type[M],
    fields: Mapping[str, Any],
    *,
    by_id: str,
    by_code: str | None = None,
    code_column: InstrumentedAttribute[str] | None = None,
) -> M | None:
    """The row a body names by id (``fields[by_id]``) or by code (``fields[by_code]``).

    ``None`` when the body names neither.

    Raises
    ------
    NotFound
        The named row does not exist (``field`` is the key used).
    """
    if fields.get(by_id) is not None:
        row = session.get(model, fields[by_id])
        if row is None:
            raise NotFound(f"no {by_code or by_id} with id {fields[by_id]}", field=by_id)
        return row
    if by_code is not None and code_column is not None and fields.get(by_code) is not None:
        found: M = find_by_code(session, code_column, fields[by_code], by_code)
        return found
    return None


def active_region(
    session: Session,
    fields: Mapping[str, Any],
    *,
    by_id: str = "region_id",
    by_code: str = "region",
) -> Region | None:
    """The (active) region a body names by id or code, if it names one.

    Raises
    ------
    NotFound
        Unknown region.
    InvalidInput
        The region is inactive.
    """
    region = reference(
        session, Region, fields, by_id=by_id, by_code=by_code, code_column=Region.code
    )
    if region is not None and not region.active:
        field = by_id if fields.get(by_id) is not None else by_code
        raise InvalidInput(f"region {region.code!r} is inactive", field=field)
    return region


def require(fields: Mapping[str, Any], *names: str) -> None:
    """Refuse a creation that lacks one of ``names``.

    Raises
    ------
    InvalidInput
        The first missing (or ``None``) field.
    """
    for name in names:
        if fields.get(name) is None:
            raise InvalidInput(f"{name} is required", field=name)


def require_reference(fields: Mapping[str, Any], by_code: str, by_id: str, field: str) -> None:
    """Refuse a creation naming the row it refers to neither by code nor by id.

    Raises
    ------
    InvalidInput
        ``<by_code> (code) or <by_id> is required``, naming ``field``.
    """
    if fields.get(by_id) is None and fields.get(by_code) is None:
        raise InvalidInput(f"{by_code} (code) or {by_id} is required", field=field)


def check_text(value: Any, field: str, *, max_length: int) -> str:
    """``value`` as a non-blank string of at most ``max_length`` characters, stripped.

    Raises
    ------
    InvalidInput
        Blank, too long, or containing a NUL character.
    """
    if value is None:
        raise InvalidInput(f"{field} must not be null", field=field)
    text = str(value).strip()
    if not text:
        raise InvalidInput(f"{field} must not be blank", field=field)
    if len(text) > max_length:
        raise InvalidInput(f"{field} is longer than {max_length} characters", field=field)
    if "\x00" in text:
        raise InvalidInput(f"{field} must not contain NUL characters", field=field)
    return text


def check_range(value: float | int | None, field: str, low: float, high: float) -> None:
    """Refuse a number outside ``[low, high]`` (``None`` passes).

    Raises
    ------
    InvalidInput
        Out of range, naming ``field``.
    """
    if value is not None and not low <= value <= high:
        raise InvalidInput(f"{field} must be between {low:g} and {high:g}", field=field)


def check_lat_lon(fields: Mapping[str, Any], lat: str, lon: str) -> None:
    """Refuse a latitude outside -90..90 or a longitude outside -180..180."""
    check_range(fields.get(lat), lat, -90, 90)
    check_range(fields.get(lon), lon, -180, 180)


def check_timezone(name: str, field: str = "timezone") -> str:
    """``name`` when it is an IANA time zone zoneinfo knows.

    Raises
    ------
    InvalidInput
        Unknown time zone.
    """
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a directory ("America")
        raise InvalidInput(f"unknown time zone {name!r}", field=field) from None
    return name


def minutes_of(text: str, field: str) -> int:
    """Minutes after midnight of an ``HH:MM`` time (``24:00`` = 1440).

    Raises
    ------
    InvalidInput
        Not ``HH:MM`` or beyond 24:00.
    """
    match = _HHMM.fullmatch(text)
    if match is None or (match.group(1) == "24" and match.group(2) != "00"):
        raise InvalidInput(f"{field} must be a time HH:MM (00:00..24:00)", field=field)
    return int(match.group(1)) * 60 + int(match.group(2))


def hhmm(minutes: int | None) -> str | None:
    """``HH:MM`` of minutes after midnight (``None`` stays ``None``)."""
    return None if minutes is None else f"{minutes // 60:02d}:{minutes % 60:02d}"


def check_unique(
    session: Session,
    column: InstrumentedAttribute[Any],
    value: Any,
    *,
    field: str,
    kind: str,
    exclude_id: int | None = None,
) -> None:
    """Refuse a value another row of the table already has.

    Raises
    ------
    Conflict
        Duplicate (409, naming ``field``).
    """
    model = column.class_
    query = select(model.id).where(column == value)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    existing = session.scalar(query.limit(1))
    if existing is not None:
        raise Conflict(
            f"another {kind} ({existing}) already has {field} {value!r}",
            field=field,
            existing_id=existing,
        )


def coded_values(
    session: Session,
    fields: Mapping[str, Any],
    row: Any,
    plain: tuple[str, ...],
    *,
    code_column: InstrumentedAttribute[Any],
    code_length: int,
    kind: str,
    required: tuple[str, ...] = (),
    reference: tuple[str, str, str] | None = None,
    spelling: Callable[[str], str] | None = None,
    nullable_code: bool = False,
) -> dict[str, Any]:
    """The ``plain`` fields given, with their ``code`` and ``name`` checked (stripped).

    ``row`` is the row changed (``None`` for a creation): its own code is no conflict. A
    creation needs the ``required`` fields, then the row named by ``reference``
    (``(by_code, by_id, field)``, see :func:`require_reference`). ``spelling`` checks and
    normalises a code further (a customer's: upper case, plain letters) before its
    uniqueness; a ``nullable_code`` may be ``None`` (no code).

    Raises
    ------
    InvalidInput
        A missing field (a creation's), a blank or too long code or name.
    Conflict
        Another row has the code.
    """
    if row is None:
        require(fields, *required)
        if reference is not None:
            require_reference(fields, *reference)
    values = {name: fields[name] for name in plain if name in fields}
    if "code" in values and not (nullable_code and values["code"] is None):
        values["code"] = check_text(values["code"], "code", max_length=code_length)
        if spelling is not None:
            values["code"] = spelling(values["code"])
        check_unique(
            session, code_column, values["code"], field="code", kind=kind,
            exclude_id=row.id if row is not None else None,
        )  # fmt: skip
    if "name" in values:
        values["name"] = check_text(values["name"], "name", max_length=200)
    return values


def refuse_open_tickets(
    session: Session, condition: ColumnElement[bool], *, what: str, entity: str
) -> None:
    """Refuse to deactivate ``what`` while tickets matching ``condition`` are still open.

    Raises
    ------
    InUse
        ``<entity>_in_use``: open tickets remain (``open_tickets``: how many).
    """
    statuses = [s.value for s in OPEN_STATUSES]
    query = select(func.count(Ticket.id)).where(condition, Ticket.status.in_(statuses))
    count = int(session.scalar(query) or 0)
    if count:
        raise InUse(
            f"{what} has {count} open ticket(s); close or cancel them first",
            entity=entity,
            field="active",
            open_tickets=count,
        )


def write_audited(
    *,
    session: Session,
    row: Base,
    values: Mapping[str, Any],
    actor_id: int | None,
    entity: str,
    action: str,
    extra_before: Mapping[str, Any] | None = None,
    extra_after: Mapping[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """Set ``values`` on ``row``, flush, and record the fields that changed (if any).

    ``extra_before``/``extra_after`` carry changes made outside ``values`` (an engineer's
    skills and shifts). A creation (``action="created"``) records ``before=None`` and every
    given field in ``after``.

    Returns
    -------
    dict
        The changed fields' new values (empty when nothing changed).
    """
    before = {name: getattr(row, name) for name in values}
    for name, value in values.items():
        setattr(row, name, value)
    session.add(row)
    session.flush()
    old, new = changed_fields({**before, **(extra_before or {})}, {**values, **(extra_after or {})})
    row_id = int(getattr(row, "id"))  # noqa: B009 (every master-data row has an id)
    if action == "created":
        _, created = changed_fields({}, {**values, **(extra_after or {})})
        record(
            session=session, actor_id=actor_id, entity=entity, entity_id=row_id,
            action=action, before=None, after=created, at=at,
        )  # fmt: skip
        return created
    if new:
        record(
            session=session, actor_id=actor_id, entity=entity, entity_id=row_id,
            action=action, before=old, after=new, at=at,
        )  # fmt: skip
    return new
