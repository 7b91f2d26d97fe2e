"""Creating users and logging in."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from dispatch.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound
from dispatch.infra import security
from dispatch.infra.security import (
    create_access_token,
    decode_access_token,
    hash_password,
    verify_password,
)
from dispatch.models import User
from dispatch.org.users import MIN_PASSWORD_LENGTH, authenticate, create_user, set_password

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


class RecordingHasher(PasswordHasher):
    """argon2's own hasher, remembering which hashes it verified against."""

    def __init__(self) -> None:
        super().__init__(time_cost=2, memory_cost=19_456, parallelism=1)
        self.verified: list[str] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verified.append(hash if isinstance(hash, str) else hash.decode())
        return super().verify(hash, password)


def test_an_unknown_or_inactive_user_costs_a_hash_like_a_wrong_password(
    database, demo, monkeypatch
):
    recording = RecordingHasher()
    monkeypatch.setattr(security, "_hasher", recording)
    with database.session() as session:
        known = session.scalar(select(User).where(User.username == "dispatcher"))
        known.active = False

    for username in ("nobody", "dispatcher", "admin"):
        with pytest.raises(AuthenticationFailed) as caught, database.session() as session:
            authenticate(session=session, username=username, password="wrong-guess")
        assert caught.value.message == "incorrect username or password"

    assert len(recording.verified) == 3  # one argon2 verification per refusal, whatever why
    unknown, inactive, wrong = recording.verified
    assert unknown.startswith("$argon2id$v=19$m=19456,t=2,p=1$")  # the same cost as real ones
    assert inactive == known.password_hash and wrong != unknown


def test_passwords_set_later_need_the_minimum_length(database, demo):
    with database.session() as session:
        user = session.scalar(select(User).where(User.username == "admin"))
        with pytest.raises(InvalidInput) as caught:
            set_password(session=session, user=user, password="x" * (MIN_PASSWORD_LENGTH - 1))
        assert caught.value.field == "password"
        set_password(session=session, user=user, password="a-longer-secret")
    with database.session() as session:
        assert authenticate(session=session, username="admin", password="a-longer-secret")
    assert MIN_PASSWORD_LENGTH == 10
