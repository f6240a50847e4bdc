"""The users file: bcrypt hashes, atomic 0600 writes, clear errors; and its command line."""

from __future__ import annotations

import argparse
import io
import json
import os
import stat

import pytest

from analytics.access import users
from analytics.access.users import (
    User,
    UsersError,
    UsersFileError,
    add_user,
    list_users,
    load_users,
    remove_user,
    verify_password,
)
from analytics.cli import users as users_cli
from analytics.core import config

FAST = 4  # bcrypt cost for tests: 16 rounds instead of 4096
PASSWORD = "correct horse"


@pytest.fixture
def path(tmp_path):
    return tmp_path / "users.toml"


@pytest.fixture
def fast_bcrypt(monkeypatch):
    monkeypatch.setattr(users, "ROUNDS", FAST)


def _add(path, username="wang", role="region", units=("华东分行",), permissions=(), **kw) -> User:
    return add_user(path, username, PASSWORD, role, units, permissions, rounds=FAST, **kw)


def test_add_user_creates_the_file_readable_by_its_owner_only(path):
    _add(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".users")] == []  # no temp file left


def test_add_user_stores_a_bcrypt_hash_never_the_password(path):
    _add(path)
    text = path.read_text()
    assert PASSWORD not in text and "$2b$04$" in text


def test_add_user_round_trips_quotes_backslashes_and_chinese(path):
    _add(path, role="sub_branch", units=['上海"浦东"支行', "a\\b"], email="Wang@Bank.example")
    expected = User("wang", "sub_branch", ('上海"浦东"支行', "a\\b"), frozenset(), "Wang@Bank.example")
    assert list_users(path) == [expected]


def test_add_user_writes_json_when_the_file_name_ends_in_json(tmp_path):
    path = tmp_path / "users.json"
    _add(path, permissions=["pii"])
    assert json.loads(path.read_text())["user"][0]["permissions"] == ["pii"]
    assert list_users(path)[0].permissions == frozenset({"pii"})


def test_add_user_refuses_an_existing_username_unless_replacing(path):
    _add(path, username="Wang")
    with pytest.raises(UsersError, match="exists"):
        _add(path, username="wang")
    _add(path, username="wang", role="branch", units=["B01"], replace=True)
    assert [(u.username, u.role) for u in list_users(path)] == [("wang", "branch")]


@pytest.mark.parametrize(
    "role, units, permissions, password, reason",
    [
        ("boss", ["B01"], [], PASSWORD, "unknown role"),
        ("hq", ["B01"], [], PASSWORD, "give no units"),
        ("branch", [], [], PASSWORD, "at least one unit"),
        ("branch", [" "], [], PASSWORD, "at least one unit"),
        ("branch", ["B01"], ["admin"], PASSWORD, "unknown permissions"),
        ("branch", ["B01"], [], "short", "a password has"),
        ("branch", ["B01"], [], "x" * 73, "a password has"),
    ],
)
def test_add_user_rejects_invalid_input(path, role, units, permissions, password, reason):
    with pytest.raises(UsersError, match=reason):
        add_user(path, "wang", password, role, units, permissions, rounds=FAST)
    assert not path.exists()


def test_add_user_refuses_an_email_another_user_has(path):
    _add(path, username="wang", email="w@bank.example")
    with pytest.raises(UsersError, match="belongs to user 'wang'"):
        _add(path, username="li", email="W@bank.example")
    assert [u.username for u in list_users(path)] == ["wang"]


def test_add_user_leaves_the_old_file_when_the_write_fails(path, monkeypatch):
    _add(path, username="wang")
    before = path.read_bytes()

    def fail(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(users.os, "replace", fail)
    with pytest.raises(OSError):
        _add(path, username="li")
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["users.toml", "users.toml.lock"]


def test_remove_user_removes_only_that_user(path):
    _add(path, username="wang")
    _add(path, username="li")
    assert remove_user(path, "WANG") is True
    assert remove_user(path, "wang") is False
    assert [u.username for u in list_users(path)] == ["li"]


def test_list_users_never_returns_hashes(path):
    _add(path)
    assert "$2b$" not in repr(list_users(path)) and "$2b$" not in repr(load_users(path))


def test_verify_password_returns_the_user_for_their_password(path):
    _add(path, username="Wang", permissions=["pii"])
    assert verify_password(path, "wang", PASSWORD) == User("Wang", "region", ("华东分行",), frozenset({"pii"}))


@pytest.mark.parametrize(
    "username, password",
    [
        ("wang", "correct horse "),
        ("wang", ""),
        ("wang", "x" * 100),
        ("li", PASSWORD),
    ],
)
def test_verify_password_returns_none_for_a_wrong_password_or_unknown_user(path, username, password):
    _add(path, username="wang")
    assert verify_password(path, username, password) is None


def test_verify_password_finds_nobody_in_a_missing_file(path):
    assert verify_password(path, "wang", PASSWORD) is None


@pytest.mark.parametrize(
    "text, reason",
    [
        ("[[user]\n", "not valid TOML"),
        ("user = 3\n", "expected a list of users"),
        ('[[user]]\nusername = "a"\nrole = "hq"\n', "password_hash is missing"),
        ('[[user]]\nusername = "a"\npassword_hash = "secret"\nrole = "hq"\n', "not a bcrypt hash"),
        ('[[user]]\nusername = "a"\npassword_hash = "x"\nrole = "hq"\nunits = "B01"\n', "units must be a list"),
        ('[[user]]\nusername = "a"\npassword_hash = "x"\nrole = "hq"\npermission = ["pii"]\n', "unknown fields"),
    ],
)
def test_load_users_raises_a_clear_error_on_a_broken_file(path, text, reason):
    path.write_text(text)
    with pytest.raises(UsersFileError, match=reason):
        load_users(path)


def test_load_users_raises_on_a_username_that_appears_twice(path):
    _add(path, username="wang")
    path.write_text(path.read_text() + path.read_text().split("\n\n", 1)[1].replace('"wang"', '"WANG"'))
    with pytest.raises(UsersFileError, match="appears twice"):
        load_users(path)


def test_load_users_error_never_shows_a_hash(path):
    _add(path)
    path.write_text(path.read_text().replace("role =", "role = 7 #"))
    with pytest.raises(UsersFileError) as error:
        load_users(path)
    assert "$2b$" not in str(error.value)


def test_users_path_follows_bank_users(monkeypatch, tmp_path):
    monkeypatch.setenv("BANK_USERS", str(tmp_path / "elsewhere.toml"))
    assert config.users_path() == tmp_path / "elsewhere.toml"
    monkeypatch.delenv("BANK_USERS")
    assert config.users_path() == config.DEFAULT_USERS


# ---- the command line ----------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run(argv: list[str], monkeypatch, stdin: str | io.StringIO = "") -> int:
    parser = argparse.ArgumentParser()
    users_cli.add_parser(parser.add_subparsers(dest="command", required=True))
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin) if isinstance(stdin, str) else stdin)
    return users_cli.run(parser.parse_args(argv))


def test_run_add_reads_the_password_from_stdin(path, monkeypatch, fast_bcrypt):
    argv = ["users", "add", "wang", "--role", "branch", "--unit", "B01", "--unit", "B02", "--users", str(path)]
    assert _run(argv, monkeypatch, stdin=PASSWORD + "\n") == 0
    assert verify_password(path, "wang", PASSWORD) == User("wang", "branch", ("B01", "B02"))


def test_run_add_prompts_twice_on_a_terminal(path, monkeypatch, fast_bcrypt):
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr(users_cli.getpass, "getpass", lambda _prompt: next(answers))
    assert _run(["users", "add", "li", "--role", "hq", "--users", str(path)], monkeypatch, Terminal()) == 0
    assert verify_password(path, "li", PASSWORD) is not None


def test_add_parser_takes_no_password_argument(path, monkeypatch):
    with pytest.raises(SystemExit):
        _run(["users", "add", "wang", "--role", "hq", "--password", PASSWORD, "--users", str(path)], monkeypatch)


def test_run_add_refuses_a_short_password_with_exit_1(path, monkeypatch, capsys):
    assert _run(["users", "add", "wang", "--role", "hq", "--users", str(path)], monkeypatch, stdin="abc\n") == 1
    assert "a password needs at least 10 characters (this one has 3)" in capsys.readouterr().err
    assert not path.exists()


def test_run_list_prints_users_without_hashes(path, monkeypatch, capsys):
    _add(path, username="wang", permissions=["pii"], email="w@bank.example")
    assert _run(["users", "list", "--users", str(path)], monkeypatch) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].split() == ["wang", "region", "华东分行", "pii", "w@bank.example"]
    assert "$2b$" not in out


def test_run_remove_exits_1_for_an_unknown_user(path, monkeypatch):
    _add(path, username="wang")
    assert _run(["users", "remove", "li", "--users", str(path)], monkeypatch) == 1
    assert _run(["users", "remove", "wang", "--users", str(path)], monkeypatch) == 0
    assert list_users(path) == []
