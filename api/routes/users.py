"""User administration (admins) and changing one's own password (anyone logged in)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import AdminUser, CurrentUser, RuntimeDep, SessionDep
from api.openapi import problem_responses
from api.schemas.common import IdPath, Limit, Offset, Paged, Text, paged
from api.schemas.users import PasswordChange, PasswordReset, UserCreate, UserOut, UserPatch
from dispatch.models import Role, User
from dispatch.org.user_admin import (
    KEEP_FIELD,
    UserChange,
    add_user,
    change_own_password,
    list_users,
    reset_password,
    update_user,
)

router = APIRouter(prefix="/api/v1", tags=["users"])


def _out(user: User) -> UserOut:
    out = UserOut.model_validate(user)
    out.engineer_code = user.engineer.code if user.engineer is not None else None
    return out


@router.get("/users", response_model=Paged[UserOut], summary="List users")
def users(
    session: SessionDep,
    _admin: AdminUser,
    role: Role | None = None,
    active: bool | None = None,
    q: Annotated[Text | None, Query(max_length=64, description="In username or name")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Paged[UserOut]:
    """Users ordered by username, filtered by role, active flag and a text."""
    page = list_users(
        session=session,
        role=role.value if role is not None else None,
        active=active,
        q=q,
        limit=limit,
        offset=offset,
    )
    return paged(page, UserOut, _out)


@router.post(
    "/users",
    response_model=UserOut,
    status_code=status.HTTP_201_CREATED,
    summary="Create a user",
    responses=problem_responses(
        404, 409, d404="No such engineer or region", d409="Username or engineer taken"
    ),
)
def create(body: UserCreate, session: SessionDep, runtime: RuntimeDep, admin: AdminUser) -> UserOut:
    """A new account; an engineer account is bound to its engineer. Passwords have at least
    10 characters."""
    user = add_user(
        session=session,
        actor=admin,
        **body.model_dump(exclude={"role"}),
        role=body.role.value,
        at=runtime.clock(),
    )
    return _out(user)


@router.patch(
    "/users/{user_id}",
    response_model=UserOut,
    summary="Change a user",
    responses=problem_responses(
        404,
        409,
        d404="No such user, engineer or region",
        d409="The engineer has another user, or no active admin would remain",
    ),
)
def change(
    user_id: IdPath, body: UserPatch, session: SessionDep, runtime: RuntimeDep, admin: AdminUser
) -> UserOut:
    """Role, engineer binding (role ``engineer`` exactly when bound), region, name, active."""
    given = body.model_fields_set
    user = update_user(
        session=session,
        actor=admin,
        user_id=user_id,
        change=UserChange(
            role=body.role.value if body.role is not None else None,
            engineer_id=body.engineer_id if "engineer_id" in given else KEEP_FIELD,
            region_id=body.region_id if "region_id" in given else KEEP_FIELD,
            full_name=body.full_name if "full_name" in given else KEEP_FIELD,
            active=body.active,
        ),
        at=runtime.clock(),
    )
    return _out(user)


@router.post(
    "/users/{user_id}/password",
    response_model=UserOut,
    summary="Reset a user's password",
    responses=problem_responses(404, d404="No such user"),
)
def reset(
    user_id: IdPath, body: PasswordReset, session: SessionDep, runtime: RuntimeDep, admin: AdminUser
) -> UserOut:
    """Set a new password (at least 10 characters); recorded in the audit trail without it."""
    return _out(
        reset_password(
            session=session,
            actor=admin,
            user_id=user_id,
            password=body.new_password,
            at=runtime.clock(),
        )
    )


@router.post(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Change my password",
)
def change_mine(
    body: PasswordChange, session: SessionDep, runtime: RuntimeDep, user: CurrentUser
) -> None:
    """Needs the current password; the new one has at least 10 characters."""
    change_own_password(
        session=session,
        user=user,
        current=body.current_password,
        new=body.new_password,
        at=runtime.clock(),
    )
