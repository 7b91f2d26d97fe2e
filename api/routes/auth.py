"""Log-in: OAuth2 password flow issuing signed JWTs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from api.deps import CurrentUser, SessionDep, SettingsDep
from api.schemas.auth import LoginForm, Me, Token
from dispatch.security import create_access_token
from dispatch.users import authenticate

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/token", response_model=Token, summary="Log in (OAuth2 password flow)")
def login(
    form: Annotated[LoginForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
) -> Token:
    """Exchange a username and password for a bearer token."""
    user = authenticate(session=session, username=form.username, password=form.password)
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
    return Me(
        id=user.id,
        username=user.username,
        role=user.role,
        full_name=user.full_name,
        engineer_id=user.engineer_id,
        engineer_code=user.engineer.code if user.engineer else None,
    )
