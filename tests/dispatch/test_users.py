"""Creating users and logging in."""

from __future__ import annotations

import datetime as dt

import pytest

from dispatch.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound
from dispatch.security import (
    create_access_token,
    decode_access_token,
    hash_password,
    verify_password,
)
from dispatch.users import authenticate, create_user

SECRET = "s" * 40


def test_password_hashes_are_argon2_and_salted():
    a, b = hash_password("pw"), hash_password("pw")
    assert a.startswith("$argon2id$") and a != b
    assert verify_password(a, "pw") and not verify_password(a, "wrong")
    assert not verify_password("not-a-hash", "pw")


def test_tokens_round_trip_and_expire():
    now = dt.datetime.now(dt.UTC)
    token = create_access_token(user_id=7, role="dispatcher", secret=SECRET, minutes=5, now=now)
    claims = decode_access_token(token, secret=SECRET)
    assert (claims.user_id, claims.role) == (7, "dispatcher")
    with pytest.raises(AuthenticationFailed, match="invalid"):
        decode_access_token(token, secret="another-secret-" * 3)
    expired = create_access_token(
        user_id=7, role="dispatcher", secret=SECRET, minutes=1, now=now - dt.timedelta(minutes=10)
    )
    with pytest.raises(AuthenticationFailed, match="expired"):
        decode_access_token(expired, secret=SECRET)


def test_create_and_authenticate(database, demo):
    with database.session() as session:
        user = create_user(
            session=session, username="alice", password="secret-pass-1", role="dispatcher"
        )
        assert user.id is not None
    with database.session() as session:
        assert (
            authenticate(session=session, username="alice", password="secret-pass-1").role
            == "dispatcher"
        )
        with pytest.raises(AuthenticationFailed):
            authenticate(session=session, username="alice", password="nope")
        with pytest.raises(AuthenticationFailed):
            authenticate(session=session, username="nobody", password="secret-pass-1")


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        (
            {"username": "Bad Name", "password": "secret-pass-1", "role": "admin"},
            InvalidInput,
            "username",
        ),
        ({"username": "bob", "password": "x", "role": "admin"}, InvalidInput, "password"),
        ({"username": "bob", "password": "nine-char", "role": "admin"}, InvalidInput, "password"),
        ({"username": "bob", "password": "secret-pass-1", "role": "root"}, InvalidInput, "role"),
        (
            {"username": "bob", "password": "secret-pass-1", "role": "engineer"},
            InvalidInput,
            "engineer_code",
        ),
        (
            {
                "username": "bob",
                "password": "secret-pass-1",
                "role": "engineer",
                "engineer_code": "E999",
            },
            NotFound,
            "engineer_code",
        ),
        (
            {
                "username": "bob",
                "password": "secret-pass-1",
                "role": "dispatcher",
                "engineer_code": "E002",
            },
            InvalidInput,
            "engineer_code",
        ),
        (
            {"username": "dispatcher", "password": "secret-pass-1", "role": "dispatcher"},
            Conflict,
            "username",
        ),
        # the demo's engineer user is already bound to E001
        (
            {
                "username": "bob",
                "password": "secret-pass-1",
                "role": "engineer",
                "engineer_code": "E001",
            },
            Conflict,
            "engineer_code",
        ),
    ],
)
def test_bad_users_are_refused_with_the_field(database, demo, kwargs, error, field):
    with pytest.raises(error) as caught, database.session() as session:
        create_user(session=session, **kwargs)
    assert caught.value.field == field


def test_engineer_user_is_bound(database, demo):
    with database.session() as session:
        user = create_user(
            session=session,
            username="e2",
            password="secret-pass-1",
            role="engineer",
            engineer_code="E002",
        )
        assert user.engineer is not None and user.engineer.code == "E002"
