"""Users and log-in: creating accounts and checking passwords."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound
from dispatch.infra.rows import get_row
from dispatch.infra.security import hash_password, verify_password
from dispatch.models import Engineer, Role, User

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD_LENGTH = 10
"""Passwords of users created or changed have at least this many characters."""


def create_user(
    *,
    session: Session,
    username: str,
    password: str,
    role: Role | str,
    engineer_code: str | None = None,
    full_name: str | None = None,
    region_id: int | None = None,
    enforce_min_length: bool = True,
) -> User:
    """Create a user; an engineer user is bound to the engineer with ``engineer_code``.

    The password needs :data:`MIN_PASSWORD_LENGTH` characters; ``enforce_min_length=False``
    is only for the demo data set, whose users have the documented password ``demo``.

    Raises
    ------
    InvalidInput
        Bad username, short password, unknown role, or a binding that does not fit the role.
    Conflict
        The username is taken, or the engineer already has a user.
    NotFound
        No engineer has ``engineer_code``.
    """
    try:
        role = Role(role)
    except ValueError as exc:
        raise InvalidInput(f"unknown role {role!r}", field="role") from exc
    if not _USERNAME.match(username):
        raise InvalidInput(
            "username must be 2-64 lower-case letters, digits, '.', '_' or '-'", field="username"
        )
    if enforce_min_length:
        check_password(password)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"username {username!r} is taken", field="username")
    engineer_id: int | None = None
    if role is Role.ENGINEER:
        if not engineer_code:
            raise InvalidInput("an engineer user needs an engineer code", field="engineer_code")
        engineer = session.scalar(select(Engineer).where(Engineer.code == engineer_code))
        if engineer is None:
            raise NotFound(f"no engineer with code {engineer_code!r}", field="engineer_code")
        if session.scalar(select(User.id).where(User.engineer_id == engineer.id)) is not None:
            raise Conflict(f"engineer {engineer_code} already has a user", field="engineer_code")
        engineer_id = engineer.id
    elif engineer_code:
        raise InvalidInput("only engineer users are bound to an engineer", field="engineer_code")
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role.value,
        engineer_id=engineer_id,
        full_name=full_name,
        region_id=region_id,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(*, session: Session, username: str, password: str) -> User:
    """The active user with these credentials.

    Raises
    ------
    AuthenticationFailed
        Unknown user, wrong password or inactive account (one message for all three).
    """
    user = session.scalar(select(User).where(User.username == username))
    # the hash runs whether or not the user exists (and is active): the same work, so the
    # same time, for every refusal
    matches = verify_password(user.password_hash if user is not None else None, password)
    if user is None or not user.active or not matches:
        raise AuthenticationFailed("incorrect username or password")
    return user


def check_password(password: str) -> None:
    """Refuse a password shorter than :data:`MIN_PASSWORD_LENGTH`.

    Raises
    ------
    InvalidInput
        Too short (naming ``password``).
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"password must have at least {MIN_PASSWORD_LENGTH} characters", field="password"
        )


def set_password(*, session: Session, user: User, password: str) -> None:
    """Change ``user``'s password (at least :data:`MIN_PASSWORD_LENGTH` characters).

    Raises
    ------
    InvalidInput
        The password is too short.
    """
    check_password(password)
    user.password_hash = hash_password(password)
    session.flush()


def get_user(*, session: Session, user_id: int) -> User:
    """The user with ``user_id`` (:class:`~dispatch.errors.NotFound` when none)."""
    return get_row(session, User, user_id, "user")
