"""Request dependencies: ``SessionDep``, ``CurrentUser`` and role guards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from dispatch.errors import AuthenticationFailed, PermissionDenied
from dispatch.infra.security import decode_access_token
from dispatch.infra.settings import Settings
from dispatch.models import Role, User
from dispatch.runtime import Runtime

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def get_settings(request: Request) -> Settings:
    """The app's settings (built once when the app was created)."""
    settings: Settings = request.app.state.settings
    return settings


def get_runtime(request: Request) -> Runtime:
    """The app's connections (database, Redis, event bus)."""
    runtime: Runtime = request.app.state.runtime
    return runtime


SettingsDep = Annotated[Settings, Depends(get_settings)]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_session(runtime: RuntimeDep) -> Iterator[Session]:
    """A session for one request: committed when the endpoint returns, rolled back on error."""
    with runtime.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
"""Committed when the endpoint function returns, before the response is sent: a client that
reads right after a 2xx sees the write, and a failed commit is an error, never a 2xx."""


def get_current_user(
    session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> User:
    """The user the bearer token names.

    Raises
    ------
    AuthenticationFailed
        No token, a bad token, or a user that no longer exists or is inactive.
    """
    if not token:
        raise AuthenticationFailed("not authenticated: send 'Authorization: Bearer <token>'")
    claims = decode_access_token(token, secret=settings.secret_key.get_secret_value())
    user = session.get(User, claims.user_id)
    if user is None or not user.active:
        raise AuthenticationFailed("the token's user no longer exists or is inactive")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_roles(*roles: Role) -> Callable[[User], User]:
    """A dependency that admits only users with one of ``roles``."""
    allowed = {r.value for r in roles}

    def guard(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise PermissionDenied(
                f"role {user.role!r} may not do this; needs one of {sorted(allowed)}"
            )
        return user

    return guard


DispatcherUser = Annotated[User, Depends(require_roles(Role.ADMIN, Role.DISPATCHER))]
AdminUser = Annotated[User, Depends(require_roles(Role.ADMIN))]
EngineerUser = Annotated[User, Depends(require_roles(Role.ENGINEER))]
