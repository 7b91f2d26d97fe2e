"""Log-in schemas."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import Field

from api.schemas.common import ApiModel, Text


class LoginForm(OAuth2PasswordRequestForm):
    """The OAuth2 password form with bounded fields free of NUL characters."""

    def __init__(
        self,
        *,
        grant_type: Annotated[str | None, Form(pattern="^password$")] = None,
        username: Annotated[Text, Form(min_length=1, max_length=150)],
        password: Annotated[Text, Form(max_length=1024, json_schema_extra={"format": "password"})],
        scope: Annotated[Text, Form(max_length=1024)] = "",
        client_id: Annotated[Text | None, Form(max_length=256)] = None,
        client_secret: Annotated[
            Text | None, Form(max_length=1024, json_schema_extra={"format": "password"})
        ] = None,
    ) -> None:
        super().__init__(
            grant_type=grant_type,
            username=username,
            password=password,
            scope=scope,
            client_id=client_id,
            client_secret=client_secret,
        )


class Token(ApiModel):
    """An OAuth2 bearer token."""

    access_token: str
    token_type: str = Field(default="bearer", examples=["bearer"])
    expires_in: int = Field(description="Seconds until the token expires", examples=[43200])
    role: str = Field(examples=["dispatcher"])


class Me(ApiModel):
    """Who the token belongs to."""

    id: int
    username: str
    role: str
    full_name: str | None
    engineer_id: int | None
    engineer_code: str | None
