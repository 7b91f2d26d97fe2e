"""User administration schemas (admins), and changing one's own password."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import ApiModel, Id, Text
from dispatch.models import Role

Password = Field(max_length=1024, json_schema_extra={"format": "password"})


class UserOut(ApiModel):
    """A user (never the password)."""

    id: int
    username: str = Field(examples=["dispatcher"])
    full_name: str | None
    role: str = Field(examples=["dispatcher"])
    engineer_id: int | None
    engineer_code: str | None = None
    region_id: int | None
    active: bool
    created_at: dt.datetime


class UserCreate(BaseModel):
    """A new user; role ``engineer`` exactly when ``engineer_id`` is given."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "username": "li.wei",
                    "password": "a-long-passphrase",
                    "role": "dispatcher",
                    "full_name": "Li Wei",
                    "region_id": 2,
                }
            ]
        },
    )

    username: Text = Field(min_length=2, max_length=64)
    password: Text = Password
    role: Role
    engineer_id: Id | None = None
    region_id: Id | None = None
    full_name: Text | None = Field(default=None, max_length=200)


class UserPatch(BaseModel):
    """Changes to a user; left out: unchanged. ``engineer_id``, ``region_id`` and
    ``full_name`` may be ``null`` to clear them; ``active: false`` deactivates (no more
    log-ins, existing tokens refused)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"active": False},
                {"role": "dispatcher", "engineer_id": None},
                {"region_id": 3, "full_name": "Wang Fang"},
            ]
        },
    )

    role: Role | None = None
    engineer_id: Id | None = None
    region_id: Id | None = None
    full_name: Text | None = Field(default=None, max_length=200)
    active: bool | None = None


class PasswordReset(BaseModel):
    """An admin sets a user's password."""

    model_config = ConfigDict(extra="forbid")

    new_password: Text = Password


class PasswordChange(BaseModel):
    """Change one's own password."""

    model_config = ConfigDict(extra="forbid")

    current_password: Text = Password
    new_password: Text = Password
