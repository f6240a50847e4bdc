"""Sign-in, chosen by configuration: the users file's password form, OIDC (st.login) mapped through the users
file, or the local demo user on localhost only. Anything unclear signs nobody in and shows no data."""

from __future__ import annotations

from importlib.util import find_spec

import pytest
from streamlit.testing.v1.util import patch_config_options

from analytics.access.audit import verify_chain
from analytics.access.users import remove_user
from tests.helpers.pages import app, no_exception
from tests.helpers.security import events, fresh, sign_in, signed_in
from ui import auth, origin, signin_form

OIDC = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "s" * 32,
        "client_id": "dashboard",
        "client_secret": "x",
        "server_metadata_url": "https://sso.bank.example/realms/bank/.well-known/openid-configuration",
    }
}


@pytest.fixture
def slept(monkeypatch) -> list[float]:
    """The delays a failed sign-in waited (recorded instead of slept)."""
    delays: list[float] = []
    monkeypatch.setattr(signin_form, "sleep", delays.append)
    return delays


def shows_data(at) -> bool:
    return bool(at.dataframe or at.metric)


def test_sign_in_form_shows_before_any_page_when_the_users_file_exists(trail):
    at = no_exception(fresh().run())
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert not shows_data(at) and not at.warning  # no demo banner
    assert events(trail) == []


def test_sign_in_with_the_right_password_records_the_user_and_shows_the_pages(trail):
    at = no_exception(signed_in("east"))
    assert shows_data(at) and "sign_in_username" not in [t.key for t in at.text_input]  # lands on the workbench
    assert any("已登录：east（分行）" in c.value for c in at.sidebar.caption)
    [entry] = events(trail, "sign_in")
    assert (entry["user"], entry["details"]) == ("east", {"method": "password", "source": "local"})
    assert verify_chain(trail) == (True, None)


@pytest.mark.parametrize("username, password", [("east", "wrong password!"), ("nobody", "correct horse battery")])
def test_wrong_password_or_unknown_user_signs_nobody_in_with_the_same_message(trail, slept, username, password):
    at = no_exception(sign_in(fresh(), username, password))
    assert not shows_data(at)
    assert [e.value for e in at.error] == ["用户名或密码错误。"]
    assert slept == [signin_form.FAIL_DELAY]
    [entry] = events(trail, "sign_in_failed")
    # only a known username reaches the trail: an unknown one may be a password typed in the wrong field
    assert entry["user"] == ("east" if username == "east" else None)
    assert "nobody" not in str(entry) and password not in str(entry)
    assert events(trail, "sign_in") == []


def test_sign_out_forgets_the_user(trail):
    at = signed_in("b3302")
    at.sidebar.button(key="sign_out").click().run()
    no_exception(at)
    assert not shows_data(at) and [t.label for t in at.text_input] == ["用户名", "密码"]


def test_a_user_removed_from_the_file_is_signed_out_at_the_next_run(trail, tmp_path, monkeypatch, users_file):
    own = tmp_path / "users.toml"
    own.write_bytes(users_file.read_bytes())
    monkeypatch.setenv("BANK_USERS", str(own))
    at = signed_in("b3302")
    assert shows_data(at)
    remove_user(own, "b3302")
    no_exception(at.run())
    assert not shows_data(at) and "未在用户文件中分配角色" in at.error[0].value


def test_a_broken_or_missing_users_file_signs_nobody_in(trail, tmp_path, monkeypatch, slept):
    broken = tmp_path / "users.toml"
    broken.write_text('[[user]]\nusername = "x"\n', encoding="utf-8")
    monkeypatch.setenv("BANK_USERS", str(broken))
    at = no_exception(sign_in(fresh(), "east"))
    assert not shows_data(at) and "用户文件缺失、无法读取或格式有误" in at.error[0].value
    monkeypatch.setenv("BANK_USERS", str(tmp_path / "missing.toml"))  # named but missing: no demo fallback
    at = no_exception(sign_in(fresh(), "east"))
    assert not shows_data(at) and not at.warning


ISSUER = "https://sso.bank.example/realms/bank"


@pytest.fixture
def own_users(trail, tmp_path, monkeypatch, users_file):
    """A copy of the users file for this test: an OIDC sign-in writes its binding into the file."""
    own = tmp_path / "users.toml"
    own.write_bytes(users_file.read_bytes())
    monkeypatch.setenv("BANK_USERS", str(own))
    return own


def oidc_app(user: dict):
    if user.get("is_logged_in"):
        user = {"iss": ISSUER, "sub": f"sub-of-{user.get('email') or user.get('name')}", **user}
    at = fresh()
    at.secrets = OIDC
    at.user = user
    return at.run()


def test_oidc_shows_only_the_sign_in_button_until_the_provider_signs_the_user_in(trail, own_users):
    at = no_exception(oidc_app({"is_logged_in": False}))
    assert [b.key for b in at.button] == ["oidc_sign_in"] and not at.text_input and not shows_data(at)
    assert bool(at.error) == (find_spec("authlib") is None)  # st.login needs Authlib: said, not crashed


def test_oidc_identity_is_mapped_to_its_role_and_units_through_the_users_file(trail, own_users):
    at = no_exception(
        oidc_app({"is_logged_in": True, "email": "EAST@bank.example", "email_verified": True, "name": "boss"})
    )
    assert shows_data(at)
    assert any("已登录：east（分行）" in c.value for c in at.sidebar.caption)
    assert at.selectbox(key="view").options == ["我的范围", "分行", "支行", "网点", "客户经理"]
    [entry] = events(trail, "sign_in")
    assert entry["user"] == "east" and entry["details"]["method"] == "oidc"
    at.run()
    assert len(events(trail, "sign_in")) == 1  # once per session, not per run
    at.sidebar.button(key="sign_out").click().run()
    assert at.user == {"is_logged_in": False}


@pytest.mark.parametrize(
    "claims",
    [
        {"email": "stranger@bank.example"},  # nobody in the users file
        {"email": "east@bank.example", "email_verified": False},  # an unverified email proves nothing
        {"email": "east@bank.example", "email_verified": "false"},
        {"name": "boss"},  # display names are never matched
    ],
)
def test_oidc_identity_without_a_mapping_sees_nothing(trail, own_users, claims):
    at = no_exception(oidc_app({"is_logged_in": True, **claims}))
    assert not shows_data(at)
    assert "未在用户文件中分配角色" in at.error[0].value
    assert at.sidebar.button(key="sign_out")
    [entry] = events(trail, "sign_in_failed")
    assert entry["details"]["method"] == "oidc"


def test_demo_mode_shows_the_banner_and_runs_as_the_local_hq_user(monkeypatch, tmp_path, demo_db):
    monkeypatch.setenv("BANK_USERS", "")
    monkeypatch.setattr(auth, "users_path", lambda: tmp_path / "none.toml")
    monkeypatch.setenv("BANK_AUDIT", str(tmp_path / "audit.jsonl"))
    at = no_exception(app(demo_db))
    assert [w.value for w in at.warning] == ["演示模式，未启用登录"]
    assert shows_data(at) and not at.text_input
    assert events(tmp_path / "audit.jsonl", "page_view")[0]["user"] == "local"


@pytest.mark.parametrize(
    "context, address",
    [({"url": "http://10.1.2.3:8501/"}, None), ({"url": "http://dashboard.bank.example/"}, None), ({}, "0.0.0.0")],
)
def test_demo_mode_refuses_to_show_data_beyond_localhost(monkeypatch, tmp_path, demo_db, context, address):
    monkeypatch.setenv("BANK_USERS", "")
    monkeypatch.setattr(auth, "users_path", lambda: tmp_path / "none.toml")
    monkeypatch.setenv("BANK_DB", str(demo_db))
    at = fresh()
    at.context = context
    with patch_config_options({"server.address": address}):
        no_exception(at.run())
    assert not shows_data(at)
    assert "演示模式只为本机（localhost）提供服务" in at.error[0].value


@pytest.mark.parametrize(
    "host, local",
    [
        ("localhost:8501", True),
        ("127.0.0.1", True),
        ("[::1]:8501", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("10.0.0.5:8501", False),
        ("::ffff:10.0.0.5", False),
        ("localhost.evil.com", False),
        ("bank.example", False),
    ],
)
def test_is_loopback_accepts_only_this_machine(host, local):
    assert origin.is_loopback(origin.host_of(host)) is local
