"""OIDC identities bound to their users-file entry by issuer + sub at the first sign-in, matched on that binding
afterwards; the same email with another subject is refused. Claims as a Keycloak ID token carries them."""

from __future__ import annotations

import pytest

from analytics.access import users
from analytics.access.oidc import match_identity
from analytics.access.users import UsersError, add_user, bind_oidc, load_users

ISSUER = "https://sso.bank.example/realms/bank"
EAST = {
    "iss": ISSUER,
    "sub": "5f1c7a9e-0b1d-4c39-9d1e-2a8e8f0c1a11",
    "email": "east@bank.example",
    "email_verified": True,
    "preferred_username": "east.k",
    "name": "Wang Li",
}


@pytest.fixture
def path(tmp_path, monkeypatch):
    monkeypatch.setattr(users, "ROUNDS", 4)
    path = tmp_path / "users.toml"
    add_user(path, "east", "correct horse battery", "region", ["城东分行"], email="east@bank.example")
    add_user(path, "boss", "correct horse battery", "hq")
    return path


def test_match_identity_binds_the_entry_at_the_first_sign_in(path):
    found = match_identity(path, EAST)
    assert found.user.username == "east" and found.bound
    account = load_users(path)["east"]
    assert (account.oidc_issuer, account.oidc_subject) == (ISSUER, EAST["sub"])
    assert f'oidc_subject = "{EAST["sub"]}"' in path.read_text(encoding="utf-8")


def test_match_identity_matches_a_bound_entry_by_subject_alone(path):
    match_identity(path, EAST)
    renamed = {**EAST, "email": "wang.li@bank.example", "preferred_username": "wli"}  # the provider renamed them
    found = match_identity(path, renamed)
    assert found.user.username == "east" and not found.bound


@pytest.mark.parametrize(
    "claims",
    [
        {**EAST, "sub": "0000-another-account"},  # the same email, another subject
        {**EAST, "iss": "https://other-idp.example"},  # the same subject at another provider
    ],
)
def test_match_identity_refuses_the_same_email_with_another_subject(path, claims):
    match_identity(path, EAST)
    found = match_identity(path, claims)
    assert found.user is None and found.reason == "entry bound to another identity"


@pytest.mark.parametrize(
    "claims, reason",
    [
        ({k: v for k, v in EAST.items() if k != "sub"}, "no issuer or subject"),
        ({**EAST, "email_verified": "false", "preferred_username": None}, "no entry"),
        ({"iss": ISSUER, "sub": "x", "name": "east"}, "no entry"),  # a display name is never matched
    ],
)
def test_match_identity_refuses_without_a_subject_or_an_entry(path, claims, reason):
    assert match_identity(path, claims).reason == reason
    assert load_users(path)["east"].oidc_subject is None


def test_bind_oidc_refuses_a_second_identity_and_a_taken_one(path):
    bind_oidc(path, "east", ISSUER, "s1")
    bind_oidc(path, "east", ISSUER, "s1")  # the same binding again is no change
    with pytest.raises(UsersError, match="bound to another identity"):
        bind_oidc(path, "east", ISSUER, "s2")
    with pytest.raises(UsersError, match="bound to user 'east'"):
        bind_oidc(path, "boss", ISSUER, "s1")


def test_add_user_replace_drops_the_binding(path):
    bind_oidc(path, "east", ISSUER, "s1")
    add_user(path, "east", "correct horse battery", "region", ["城东分行"], replace=True)
    assert load_users(path)["east"].oidc_subject is None
