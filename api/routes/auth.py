"""Log-in: OAuth2 password flow issuing signed JWTs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from api.deps import CurrentUser, RuntimeDep, SessionDep, SettingsDep
from api.openapi import problem_responses
from api.rows import record_of
from api.schemas.auth import LoginForm, Me, Token
from api.schemas.common import Problem
from dispatch.infra.security import create_access_token
from dispatch.org.login_throttle import log_in

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post(
    "/token",
    response_model=Token,
    summary="Log in (OAuth2 password flow)",
    responses={
        **problem_responses(401, d401="Incorrect username or password"),
        429: {
            "model": Problem,
            "description": "Too many failed log-ins for this user name or from this address; "
            "wait the seconds in `Retry-After`",
            "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        },
    },
)
def login(
    form: Annotated[LoginForm, Depends()],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> Token:
    """Exchange a username and password for a bearer token.

    Failed log-ins are throttled per user name and per client address
    (``DISPATCH_LOGIN_FAILURES_PER_USER``, ``..._PER_ADDRESS`` within
    ``DISPATCH_LOGIN_FAILURE_WINDOW_SECONDS``): beyond them the answer is 429 with
    ``Retry-After``, whatever the password."""
    user = log_in(
        session=session,
        throttle=runtime.login_throttle,
        username=form.username,
        password=form.password,
        address=request.client.host if request.client is not None else None,
        now=runtime.clock(),
    )
    token = create_access_token(
        user_id=user.id,
        role=user.role,
        secret=settings.secret_key.get_secret_value(),
        minutes=settings.access_token_minutes,
    )
    return Token(access_token=token, expires_in=settings.access_token_minutes * 60, role=user.role)


@router.get("/me", response_model=Me, summary="Who am I")
def me(user: CurrentUser) -> Me:
    """The current user and, for engineers, the engineer they are bound to."""
    return record_of(Me, user, engineer_code=user.engineer.code if user.engineer else None)
