"""Sign-in hardening on the running app (AppTest): lockouts after five failures, the second factor, idle and
absolute session timeouts, sign-out and expiry audited, OIDC identities bound to issuer + sub, the Audit page's
lockout alert, and downloads checked again when their file is built."""

from __future__ import annotations

import time
from collections.abc import Callable

import pyotp
import pytest

from analytics.access.users import add_user, remove_user
from tests.helpers.pages import frame_with, no_exception
from tests.helpers.security import FAST, PASSWORD, events, fresh, sign_in, signed_in
from tests.ui.test_signin import OIDC
from ui import signin_form, timeouts

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"
OVERVIEW = "总览_"  # the overview's download: its file name starts with the page's name (in Chinese, the default)


def overview(served: dict) -> Callable[[], bytes]:
    """The overview page's download among those drawn."""
    [name] = [name for name in served if name.startswith(OVERVIEW) and name.endswith("_2026Q3.xlsx")]
    return served[name]


def shows_data(at) -> bool:
    return bool(at.dataframe or at.metric)


def oidc_app(user: dict):
    at = fresh()
    at.secrets = OIDC
    at.user = user
    return at.run()


@pytest.fixture
def own(trail, tmp_path, monkeypatch, users_file):
    """A copy of the users file for this test (it changes), with the user two: hq, with a second factor."""
    path = tmp_path / "users.toml"
    path.write_bytes(users_file.read_bytes())
    add_user(path, "two", PASSWORD, "hq", rounds=FAST, totp_secret=SECRET)
    monkeypatch.setenv("BANK_USERS", str(path))
    return path


@pytest.fixture
def later(monkeypatch) -> list[float]:
    """Minutes added to the sessions' clock (ui.timeouts.now)."""
    offset = [0.0]
    monkeypatch.setattr(timeouts, "now", lambda: time.time() + offset[0] * 60)
    return offset


@pytest.fixture(autouse=True)
def no_delay(monkeypatch):
    monkeypatch.setattr(signin_form, "sleep", lambda _seconds: None)


def test_five_wrong_passwords_lock_the_account_and_the_right_one_then_fails(trail):
    at = fresh().run()
    for _ in range(5):
        sign_in(at, "east", "wrong password!")
        assert [e.value for e in at.error] == ["用户名或密码错误。"]
    no_exception(sign_in(at, "east", PASSWORD))
    assert not shows_data(at)
    assert [e.value for e in at.error] == ["登录失败次数过多，已暂时锁定。请约 15 分钟后再试。"]
    assert [e["details"]["subject"] for e in events(trail, "lockout")] == ["account"]  # not the address
    assert [e["details"]["reason"] for e in events(trail, "sign_in_failed")][-1] == "locked"
    assert events(trail, "sign_in") == []


def test_a_user_with_a_second_factor_signs_in_with_the_password_then_the_code(own, trail):
    at = no_exception(sign_in(fresh(), "two"))
    assert not shows_data(at) and [t.key for t in at.text_input] == ["sign_in_code"]
    at.text_input(key="sign_in_code").input("000000")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["验证码错误。"] and not shows_data(at)
    at.text_input(key="sign_in_code").input(pyotp.TOTP(SECRET).now())
    no_exception(at.button[0].click().run())
    assert shows_data(at)
    [entry] = events(trail, "sign_in")
    assert (entry["user"], entry["details"]["factor"]) == ("two", "totp")


def test_an_idle_session_ends_after_15_minutes_and_is_audited(trail, later):
    at = signed_in("east")
    later[0] = 14
    assert shows_data(no_exception(at.run()))  # a click within 15 minutes keeps the session
    later[0] = 14 + 15.5
    no_exception(at.run())
    assert not shows_data(at) and [t.label for t in at.text_input] == ["用户名", "密码"]
    assert "超过 15 分钟未操作，已自动退出登录" in at.info[0].value
    [entry] = events(trail, "session_expired")
    assert (entry["user"], entry["details"]) == ("east", {"method": "password", "reason": "idle"})


def test_a_session_ends_at_bank_session_hours_whatever_the_clicks(trail, later, monkeypatch):
    monkeypatch.setenv("BANK_SESSION_HOURS", "1")
    monkeypatch.setenv("BANK_IDLE_MINUTES", "30")
    at = signed_in("east")
    for minutes in (20, 40, 59):  # a click every 20 minutes: never idle for 30
        later[0] = minutes
        assert shows_data(no_exception(at.run()))
    later[0] = 61
    no_exception(at.run())
    assert not shows_data(at) and "登录已满 1 小时" in at.info[0].value
    assert [e["details"]["reason"] for e in events(trail, "session_expired")] == ["absolute"]


def test_sign_out_is_audited(trail):
    at = signed_in("b3302")
    no_exception(at.sidebar.button(key="sign_out").click().run())
    [entry] = events(trail, "sign_out")
    assert (entry["user"], entry["details"]) == ("b3302", {"method": "password"})


def test_oidc_identity_is_bound_at_first_sign_in_and_another_sub_with_the_same_email_is_refused(own, trail):
    claims = {"is_logged_in": True, "iss": "https://sso.bank.example", "email": "east@bank.example"}
    at = no_exception(oidc_app({**claims, "sub": "a-1"}))
    assert shows_data(at)
    [bound] = events(trail, "oidc_bound")
    assert (bound["user"], bound["details"]) == ("east", {"issuer": "https://sso.bank.example", "subject": "a-1"})
    at = no_exception(oidc_app({**claims, "sub": "b-2"}))
    assert not shows_data(at) and "已绑定另一个统一身份认证账户" in at.error[0].value
    assert events(trail, "sign_in_failed")[-1]["details"]["reason"] == "entry bound to another identity"


def test_audit_page_alerts_hq_to_lockouts_and_recent_failures(trail):
    at = fresh().run()
    sign_in(at, "east", "wrong password!")
    hq = signed_in("boss", "views/audit.py")
    assert "当前锁定 0 个，近 24 小时登录失败 2 个对象" in hq.warning[0].value  # the account east and the source
    for _ in range(4):
        sign_in(at, "east", "wrong password!")
    no_exception(hq.run())
    assert "当前锁定 1 个，近 24 小时登录失败 1 个对象" in hq.error[0].value  # the account; the address is not locked
    shown = frame_with(hq, "对象", "锁定次数")
    assert list(shown["对象"]) == ["east", "local"] and list(shown["锁定次数"]) == [1, 0]


def test_download_of_a_removed_user_yields_nothing(own, trail, served):
    at = signed_in("b3302", "views/overview.py")  # branch users land on the workbench
    assert overview(served)
    remove_user(own, "b3302")
    with pytest.raises(PermissionError, match="user removed"):
        overview(served)()
    assert events(trail, "export") == []
    [refused] = events(trail, "export_refused")
    assert (refused["user"], refused["details"]["reason"]) == ("b3302", "user removed")
    assert shows_data(at)  # the page drawn before; its next run signs the user out


def test_download_of_a_narrowed_user_yields_nothing_while_an_unchanged_one_builds(own, trail, served):
    signed_in("jiefang", "views/overview.py")
    overview(served)()  # unchanged: the workbook is built and recorded
    assert [e["user"] for e in events(trail, "export")] == ["jiefang"]
    add_user(own, "jiefang", PASSWORD, "branch", ["3201"], rounds=FAST, replace=True)  # 解放路支行 -> one branch
    with pytest.raises(PermissionError, match="role, units or permissions changed"):
        overview(served)()
    assert len(events(trail, "export")) == 1


def test_download_after_the_session_ended_yields_nothing(trail, served, later):
    signed_in("east", "views/overview.py")
    later[0] = 16
    with pytest.raises(PermissionError, match="session ended"):
        overview(served)()
    assert events(trail, "export") == []
