"""`python -m analytics audit verify|reanchor`, and the users commands recorded in the audit trail."""

from __future__ import annotations

import getpass
import io
import os
import shutil
import socket

import pytest

from analytics.access import users
from analytics.access.audit import record
from analytics.cli.main import main
from tests.helpers.tampering import rows, write_rows

PASSWORD = "Tier-dashboard 2026"


@pytest.fixture
def trail(tmp_path, monkeypatch):
    path = tmp_path / "audit.jsonl"
    monkeypatch.setenv("BANK_AUDIT", str(path))
    return path


def test_audit_verify_exits_0_when_intact_and_1_naming_each_finding(trail, capsys):
    for n in range(3):
        record("page_view", "wang", audit_file=trail, page=f"p{n}")
    assert main(["audit", "verify"]) == 0
    assert capsys.readouterr().out.startswith(f"{trail}: intact: 3 lines, anchored at line 3 (")
    write_rows(trail, [rows(trail)[0], rows(trail)[2]])
    assert main(["audit", "verify", "--trail", str(trail)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{trail}: line 2: 1 line(s) missing before it: deleted",
        f"{trail}: NOT intact: 1 finding(s)",
    ]


def test_audit_verify_checks_an_archived_trail_with_its_key_and_anchor(trail, tmp_path, capsys):
    for n in range(4):
        record("page_view", "wang", audit_file=trail, page=f"p{n}")
    archive = tmp_path / "archive"
    archive.mkdir()
    shutil.move(trail, archive / "2026.jsonl")
    shutil.move(tmp_path / "audit-anchor" / "audit.anchor", archive / "2026.anchor")
    key = tmp_path / "audit-key" / "audit.key"
    argv = ["audit", "verify", "--trail", str(archive / "2026.jsonl"), "--key", str(key)]
    assert main([*argv, "--anchor", str(archive / "2026.anchor")]) == 0
    assert main(argv) == 1  # without its anchor: the default one, beside the archive, does not exist
    assert "the anchor" in capsys.readouterr().out


def test_audit_reanchor_records_the_reset_and_anchors_the_end(trail, tmp_path, capsys):
    record("sign_in", "wang", audit_file=trail)
    (tmp_path / "audit-anchor" / "audit.anchor").unlink()
    assert main(["audit", "verify"]) == 1
    assert main(["audit", "reanchor"]) == 0
    out = capsys.readouterr().out
    assert f"{trail}: anchored at line 2 (anchor_reset recorded)" in out and "intact: 2 lines" in out
    assert [e["event"] for e in rows(trail)] == ["sign_in", "anchor_reset"]


def test_users_commands_are_recorded_with_who_ran_them(trail, tmp_path, monkeypatch):
    monkeypatch.setattr(users, "ROUNDS", 4)
    users_file = str(tmp_path / "users.toml")

    def run(*argv: str, stdin: str = "") -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        return main(["users", *argv, "--users", users_file])

    assert run("add", "wang.li", "--role", "region", "--unit", "华东分行", "--email", "wang.li@bank.example",
               stdin=PASSWORD + "\n") == 0  # fmt: skip
    assert run("passwd", "wang.li", stdin=PASSWORD + "!\n") == 0
    assert run("add", "zhao", "--role", "hq", stdin="password\n") == 1  # too short, and a common password
    assert run("remove", "wang.li") == 0
    assert run("remove", "wang.li") == 1
    entries = rows(trail)
    assert {(e["user"], tuple(e["client"].items())) for e in entries} == {
        (f"cli:{getpass.getuser()}", (("host", socket.gethostname()), ("pid", os.getpid())))
    }
    details = [(e["event"], {k: v for k, v in e["details"].items() if k != "users_file"}) for e in entries]
    assert details[0] == (
        "user_added",
        {"username": "wang.li", "role": "region", "units": ["华东分行"], "permissions": [],
         "email": "w***@bank.example", "replaced": False, "totp": False},
    )  # fmt: skip
    assert details[1] == ("password_changed", {"username": "wang.li"})
    assert details[2][0] == "user_change_refused" and details[2][1]["action"] == "add"
    assert details[2][1]["username"] == "zhao" and "10 characters" in details[2][1]["reason"]
    assert details[3:] == [
        ("user_removed", {"username": "wang.li"}),
        ("user_change_refused", {"action": "remove", "username": "wang.li", "reason": "no such user"}),
    ]
    assert {e["details"]["users_file"] for e in entries} == {users_file}
    assert PASSWORD not in trail.read_text(encoding="utf-8") and main(["audit", "verify"]) == 0
