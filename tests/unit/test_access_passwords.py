"""The password policy (length, the username, the shipped common passwords) and where the command line enforces
it: `users add` and `users passwd`; `users add --totp` and its key shown once."""

from __future__ import annotations

import argparse
import io
import re

import pyotp
import pytest

from analytics.access import users
from analytics.access.passwords import COMMON_FILE, WeakPassword, check_password, common_passwords, problems
from analytics.access.users import load_users, verify_password
from analytics.cli import users as users_cli

GOOD = "correct horse battery"


@pytest.fixture
def path(tmp_path, monkeypatch):
    monkeypatch.setattr(users, "ROUNDS", 4)
    return tmp_path / "users.toml"


def run(argv: list[str], monkeypatch, stdin: str = "") -> int:
    parser = argparse.ArgumentParser()
    users_cli.add_parser(parser.add_subparsers(dest="command", required=True))
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return users_cli.run(parser.parse_args(argv))


def test_common_passwords_ships_a_few_hundred_including_the_commonest():
    common = common_passwords()
    assert 300 <= len(common) <= 1000
    assert {"12345678", "password", "qwertyuiop", "1234567890", "woaini1314"} <= common
    assert not any(line.startswith("#") for line in common)
    assert COMMON_FILE.name == "common_passwords.txt"


@pytest.mark.parametrize(
    "password, username, rule",
    [
        ("abc12345", "wang", "at least 10 characters (this one has 8)"),
        ("12345678", "wang", "at least 10 characters"),
        ("password", "wang", "one of the commonest"),
        ("Wang.Li2026!", "wang.li", "must not be or contain the username"),
        ("zhao.lei.branch", "ZHAO.LEI.BRANCH", "must not be or contain the username"),
        ("QWERTYUIOP", "wang", "one of the commonest"),  # compared without case
        ("1234567890", "wang", "one of the commonest"),
        ("a" * 73, "wang", "at most 72 bytes"),
    ],
)
def test_problems_names_the_rule_a_password_breaks(password, username, rule):
    assert any(rule in p for p in problems(password, username))


def test_problems_accepts_a_long_uncommon_password_and_short_names_inside():
    assert problems(GOOD, "wang.li") == []
    assert problems("a correct horse battery", "a") == []  # a one-letter name is not looked for inside


def test_check_password_says_every_rule_at_once():
    with pytest.raises(WeakPassword) as error:
        check_password("password", "password")
    message = str(error.value)
    assert "at least 10" in message and "username" in message and "commonest" in message


def test_run_add_refuses_a_common_password_with_a_clear_message(path, monkeypatch, capsys):
    argv = ["users", "add", "wang", "--role", "hq", "--users", str(path)]
    assert run(argv, monkeypatch, "1234567890\n") == 1
    assert capsys.readouterr().err == ("users: this password is one of the commonest passwords: choose another\n")
    assert not path.exists()


def test_run_passwd_changes_only_the_password_and_applies_the_policy(path, monkeypatch, capsys):
    base = ["--users", str(path)]
    assert run(["users", "add", "wang", "--role", "branch", "--unit", "B01", *base], monkeypatch, GOOD + "\n") == 0
    assert run(["users", "passwd", "wang", *base], monkeypatch, "wang-wang-wang\n") == 1
    assert "must not be or contain the username" in capsys.readouterr().err
    assert run(["users", "passwd", "wang", *base], monkeypatch, "another long secret\n") == 0
    assert verify_password(path, "wang", GOOD) is None
    assert verify_password(path, "wang", "another long secret").units == ("B01",)
    assert run(["users", "passwd", "nobody", *base], monkeypatch, "another long secret\n") == 1


def test_run_add_totp_prints_the_key_once_and_stores_it(path, monkeypatch, capsys):
    argv = ["users", "add", "two", "--role", "hq", "--totp", "--users", str(path)]
    assert run(argv, monkeypatch, GOOD + "\n") == 0
    out = capsys.readouterr().out
    secret = re.search(r"key: ([A-Z2-7]+)", out).group(1)
    assert f"otpauth://totp/Tier%20analytics:two?secret={secret}&issuer=Tier%20analytics" in out
    account = load_users(path)["two"]
    assert account.totp_secret == secret and secret not in repr(account)
    assert pyotp.TOTP(secret).verify(pyotp.TOTP(secret).now())
    assert run(["users", "list", "--users", str(path)], monkeypatch) == 0
    assert secret not in capsys.readouterr().out
