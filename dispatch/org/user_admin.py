"""Administering users: list, create, change role / binding / region / name / active, passwords.

Every change is recorded in the audit trail (:func:`dispatch.infra.audit.record`, entity
``user``) without secrets. The rules:

- a user has the role ``engineer`` exactly when it is bound to an engineer, and an
  engineer has at most one user;
- a deactivated user cannot log in, and the tokens it holds stop working (every request
  re-reads the user, :func:`api.deps.get_current_user`);
- at least one active admin remains (nobody locks the organisation out);
- passwords have at least :data:`dispatch.org.users.MIN_PASSWORD_LENGTH` characters; changing
  one's own needs the current one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from dispatch.errors import Conflict, InvalidInput, NotFound
from dispatch.infra.audit import record
from dispatch.infra.security import verify_password
from dispatch.models import Engineer, Region, Role, User
from dispatch.org.listing import Listing
from dispatch.org.users import check_password, create_user, get_user, set_password

_UNSET: Any = object()


@dataclass(frozen=True)
class UserChange:
    """What to change on a user; :data:`KEEP_FIELD` (the default) leaves a field as it is."""

    role: str | None = None
    engineer_id: int | None = _UNSET
    region_id: int | None = _UNSET
    full_name: str | None = _UNSET
    active: bool | None = None


KEEP_FIELD: Any = _UNSET
"""The default of :class:`UserChange`'s nullable fields: not given."""


def user_facts(user: User) -> dict[str, Any]:
    """What the audit trail records of a user (never the password hash)."""
    return {
        "username": user.username,
        "role": user.role,
        "engineer_id": user.engineer_id,
        "region_id": user.region_id,
        "full_name": user.full_name,
        "active": user.active,
    }


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError as exc:
        raise InvalidInput(
            f"role must be one of {', '.join(r.value for r in Role)}", field="role"
        ) from exc


def _with_role(session: Session, query: Select[Any], role: str) -> Select[Any]:
    """The users with the role ``role`` (:class:`~dispatch.errors.InvalidInput` when unknown)."""
    return query.where(User.role == _role(role).value)


def _name_like(query: Select[Any], q: str | None, *columns: Any) -> Select[Any]:
    """The users whose ``columns`` contain ``q`` in any case (``%`` and ``_`` as wildcards)."""
    if not q:
        return query
    pattern = f"%{q.lower()}%"
    return query.where(or_(*(func.lower(column).like(pattern) for column in columns)))


list_users: Listing[User] = Listing(
    select(User).options(selectinload(User.engineer)).order_by(User.username),
    {"role": _with_role},
    User.active,
    (User.username, User.full_name),
    _name_like,
)
"""Users ordered by username, filtered by role (unknown: ``InvalidInput``), active flag and
a text in name/username."""


def _check_binding(
    session: Session, user: User | None, role: Role, engineer_id: int | None
) -> None:
    """Role ``engineer`` iff bound; the engineer exists and has no other user."""
    if role is Role.ENGINEER and engineer_id is None:
        raise InvalidInput("an engineer user must be bound to an engineer", field="engineer_id")
    if role is not Role.ENGINEER and engineer_id is not None:
        raise InvalidInput("only engineer users are bound to an engineer", field="engineer_id")
    if engineer_id is None:
        return
    if session.get(Engineer, engineer_id) is None:
        raise NotFound(f"no engineer {engineer_id}", field="engineer_id")
    other = session.scalar(select(User.id).where(User.engineer_id == engineer_id))
    if other is not None and (user is None or other != user.id):
        raise Conflict(f"engineer {engineer_id} already has a user", field="engineer_id")


def _check_region(session: Session, region_id: int | None) -> None:
    if region_id is not None and session.get(Region, region_id) is None:
        raise NotFound(f"no region {region_id}", field="region_id")


def add_user(
    *,
    session: Session,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    engineer_id: int | None = None,
    region_id: int | None = None,
    full_name: str | None = None,
    at: dt.datetime | None = None,
) -> User:
    """Create a user (see :func:`dispatch.org.users.create_user`) and record it.

    Raises
    ------
    InvalidInput
        Bad username, short password, unknown role, a binding that does not fit the role.
    NotFound
        Unknown engineer or region.
    Conflict
        The username is taken, or the engineer already has a user.
    """
    kind = _role(role)
    _check_binding(session, None, kind, engineer_id)
    _check_region(session, region_id)
    engineer = session.get(Engineer, engineer_id) if engineer_id is not None else None
    user = create_user(
        session=session,
        username=username,
        password=password,
        role=kind,
        engineer_code=engineer.code if engineer is not None else None,
        full_name=full_name,
        region_id=region_id,
    )
    _audit(session, actor, user, "created", None, user_facts(user), at)
    return user


def _keeps_an_admin(session: Session, user: User, role: Role, active: bool) -> None:
    if user.role != Role.ADMIN.value or (role is Role.ADMIN and active):
        return
    others = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.ADMIN.value, User.active.is_(True), User.id != user.id)
    )
    if not others:
        raise Conflict(
            "the last active admin cannot be demoted or deactivated",
            field="role" if role is not Role.ADMIN else "active",
        )


def update_user(
    *,
    session: Session,
    actor: User | None,
    user_id: int,
    change: UserChange,
    at: dt.datetime | None = None,
) -> User:
    """Change a user's role, engineer binding, region, full name or active flag; record it.

    Changing the role away from ``engineer`` needs ``engineer_id: null`` in the same
    change (and to ``engineer`` an ``engineer_id``): the binding rule holds after every
    change.

    Raises
    ------
    NotFound
        No such user (``user_id``), engineer or region.
    InvalidInput
        Unknown role, a binding that does not fit the role.
    Conflict
        The engineer already has a user, or the change would leave no active admin.
    """
    user = get_user(session=session, user_id=user_id)
    role = _role(change.role) if change.role is not None else Role(user.role)
    engineer_id = user.engineer_id if change.engineer_id is _UNSET else change.engineer_id
    region_id = user.region_id if change.region_id is _UNSET else change.region_id
    active = user.active if change.active is None else change.active
    _check_binding(session, user, role, engineer_id)
    _check_region(session, region_id)
    _keeps_an_admin(session, user, role, active)
    before = user_facts(user)
    user.role, user.engineer_id, user.region_id, user.active = (
        role.value,
        engineer_id,
        region_id,
        active,
    )
    if change.full_name is not _UNSET:
        user.full_name = change.full_name
    session.flush()
    after = user_facts(user)
    changed = [k for k in after if after[k] != before[k]]
    if changed:
        action = "deactivated" if before["active"] and not active else "updated"
        old, new = {k: before[k] for k in changed}, {k: after[k] for k in changed}
        _audit(session, actor, user, action, old, new, at)
    return user


def reset_password(
    *,
    session: Session,
    actor: User | None,
    user_id: int,
    password: str,
    at: dt.datetime | None = None,
) -> User:
    """An admin sets a user's password (min length applies); recorded without the secret.

    Raises
    ------
    NotFound
        No such user.
    InvalidInput
        The password is too short (``new_password``).
    """
    user = get_user(session=session, user_id=user_id)
    _set(session, user, password, actor=actor, action="password_reset", at=at)
    return user


def change_own_password(
    *, session: Session, user: User, current: str, new: str, at: dt.datetime | None = None
) -> User:
    """A user changes their own password, proving the current one first.

    Raises
    ------
    InvalidInput
        ``current`` is wrong (``current_password``); the new password is too short or equals the current one (``new_password``).
    """
    if not verify_password(user.password_hash, current):
        raise InvalidInput("the current password is wrong", field="current_password")
    if new == current:
        raise InvalidInput(
            "the new password must differ from the current one", field="new_password"
        )
    _set(session, user, new, actor=user, action="password_changed", at=at)
    return user


def _set(
    session: Session,
    user: User,
    password: str,
    *,
    actor: User | None,
    action: str,
    at: dt.datetime | None,
) -> None:
    """Set ``user``'s password (checked, ``field="new_password"``); audit it without the secret."""
    try:
        check_password(password)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field="new_password") from exc
    set_password(session=session, user=user, password=password)
    _audit(session, actor, user, action, None, {"password": "changed"}, at)


def _audit(
    session: Session,
    actor: User | None,
    user: User,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    at: dt.datetime | None,
) -> None:
    """Record ``action`` on ``user`` by ``actor`` (``None``: the system) in the audit trail."""
    record(
        session=session,
        actor_id=actor.id if actor is not None else None,
        entity="user",
        entity_id=user.id,
        action=action,
        before=before,
        after=after,
        at=at,
    )
