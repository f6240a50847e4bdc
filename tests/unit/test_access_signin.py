"""The users-file sign-in check: lockouts met by parallel guesses, the right password refused while locked, the
second factor (TOTP) with codes that work once, and every step in the audit trail."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pyotp
import pytest

from analytics.access import signin, users
from analytics.access.lockout import LockoutStore
from analytics.access.signin import check_code, check_password, matching_step
from analytics.access.users import add_user

FAST = 4
PASSWORD = "correct horse battery"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"


@pytest.fixture
def env(tmp_path):
    path = tmp_path / "users.toml"
    add_user(path, "east", PASSWORD, "region", ["城东分行"], rounds=FAST)
    add_user(path, "two", PASSWORD, "hq", rounds=FAST, totp_secret=SECRET)
    return path, LockoutStore(tmp_path / "state"), tmp_path / "audit.jsonl"


def trail(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_check_password_refuses_the_right_password_during_a_lockout(env):
    path, store, audit = env
    for _ in range(5):
        assert check_password(path, store, "east", "wrong password!", "10.0.0.1", audit).user is None
    locked = check_password(path, store, "east", PASSWORD, "10.0.0.2", audit)
    assert locked.user is None and locked.locked_until is not None
    kinds = [(e["event"], e["details"].get("reason") or e["details"].get("subject")) for e in trail(audit)]
    assert kinds == [("sign_in_failed", "wrong password")] * 5 + [
        ("lockout", "account"),  # five failures do not lock the address (docs/security.md)
        ("sign_in_failed", "locked"),
    ]
    assert all(e["user"] == "east" for e in trail(audit) if e["details"].get("subject") != "source")
    assert PASSWORD not in audit.read_text(encoding="utf-8")


def test_check_password_locks_an_unknown_name_without_naming_it(env):
    path, store, audit = env
    for n in range(5):
        check_password(path, store, "hunter2hunter2", "x", f"10.0.1.{n}", audit)
    assert check_password(path, store, "hunter2hunter2", "x", "10.0.1.9", audit).locked_until is not None
    assert "hunter2" not in audit.read_text(encoding="utf-8")
    assert [e["user"] for e in trail(audit)] == [None] * 7  # 5 failures, the lockout, the refusal


def test_check_password_parallel_guesses_meet_the_lockout_after_five(env, monkeypatch):
    # 40 guesses at once from 40 addresses (so that no source is locked): only five reach bcrypt
    path, store, audit = env
    checked, lock = [], threading.Lock()
    verify = users.verify_account

    def counted(*args):
        with lock:
            checked.append(args[1])
        return verify(*args)

    monkeypatch.setattr(signin, "verify_account", counted)
    guesses = [(f"guess {n:02d} wrong", f"10.1.0.{n}") for n in range(40)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda g: check_password(path, store, "east", *g, audit), guesses))
    assert len(checked) == 5
    assert sum(o.locked_until is not None for o in outcomes) == 35
    assert check_password(path, store, "east", PASSWORD, "10.1.1.1", audit).user is None
    assert [e["details"]["subject"] for e in trail(audit) if e["event"] == "lockout"] == ["account"]


def test_check_password_signs_in_and_records_it(env):
    path, store, audit = env
    outcome = check_password(path, store, "East", PASSWORD, "10.0.0.1", audit)
    assert outcome.user.username == "east" and not outcome.needs_code
    [entry] = trail(audit)
    assert (entry["event"], entry["user"], entry["details"]) == (
        "sign_in",
        "east",
        {"method": "password", "source": "10.0.0.1"},
    )


def test_check_code_signs_in_a_totp_user_once_per_code(env):
    path, store, audit = env
    first = check_password(path, store, "two", PASSWORD, "10.0.0.1", audit)
    assert first.needs_code and first.user.username == "two"
    assert [e["event"] for e in trail(audit)] == []  # not signed in yet
    code = pyotp.TOTP(SECRET).now()
    assert check_code(path, store, "two", code, "10.0.0.1", audit).user.username == "two"
    assert check_code(path, store, "two", code, "10.0.0.1", audit).user is None  # a code works once
    events = [(e["event"], e["details"].get("factor") or e["details"].get("reason")) for e in trail(audit)]
    assert events == [("sign_in", "totp"), ("sign_in_failed", "code used before")]


def test_check_code_locks_after_five_wrong_codes_despite_right_passwords(env):
    path, store, audit = env
    for n in range(5):
        assert check_password(path, store, "two", PASSWORD, f"10.0.2.{n}", audit).needs_code
        assert check_code(path, store, "two", "000000", f"10.0.2.{n}", audit).user is None
    assert check_password(path, store, "two", PASSWORD, "10.0.2.9", audit).locked_until is not None
    right = pyotp.TOTP(SECRET).now()
    assert check_code(path, store, "two", right, "10.0.2.9", audit).locked_until is not None


def test_matching_step_accepts_one_step_of_clock_drift_either_side():
    totp = pyotp.TOTP(SECRET)
    at = 1_700_000_000.0  # step 56_666_666
    step = int(at // 30)
    assert matching_step(SECRET, totp.at(at), at) == step
    assert matching_step(SECRET, totp.at(at - 30), at) == step - 1
    assert matching_step(SECRET, totp.at(at + 30), at) == step + 1
    assert matching_step(SECRET, totp.at(at - 60), at) is None
    assert matching_step(SECRET, "12345", at) is None and matching_step(SECRET, "abcdef", at) is None


def test_provisioning_uri_names_the_user_the_issuer_and_the_secret():
    uri = signin.provisioning_uri(SECRET, "two")
    assert uri == f"otpauth://totp/Tier%20analytics:two?secret={SECRET}&issuer=Tier%20analytics"
