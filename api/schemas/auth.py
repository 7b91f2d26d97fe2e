"""Log-in schemas."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Token(BaseModel):
    """An OAuth2 bearer token."""

    access_token: str
    token_type: str = Field(default="bearer", examples=["bearer"])
    expires_in: int = Field(description="Seconds until the token expires", examples=[43200])
    role: str = Field(examples=["dispatcher"])


class Me(BaseModel):
    """Who the token belongs to."""

    id: int
    username: str
    role: str
    full_name: str | None
    engineer_id: int | None
    engineer_code: str | None
