"""The Audit page's integrity section: each way of tampering (tests/helpers/tampering.py) shown to HQ with its line
and what; intact again once the trail is restored."""

from __future__ import annotations

import hashlib
import json
from types import SimpleNamespace

from analytics.access.audit import record
from tests.helpers.pages import no_exception
from tests.helpers.security import signed_in
from tests.helpers.tampering import CASES, rows
from ui import audit_trail

SHOWN = {  # what the page says for each case, in Chinese (the default language)
    "edit": ["审计链在第 2 行断开", "第 2 行：签名与密钥不符"],
    "rehashed edit": ["审计链在第 2 行断开", "第 2–5 行：签名与密钥不符", "第 5 行：锚点（", "记录的第 5 行与此不同"],
    "rehashed deletion": ["第 3–4 行：签名与密钥不符", "第 5 行：审计文件止于第 4 行", "记录了 5 行：末尾被截去"],
    "forged append": ["审计链在第 6 行断开", "第 6 行：签名与密钥不符"],
    "cut tail": ["审计链在第 4 行断开", "第 4 行：审计文件止于第 3 行", "记录了 5 行：末尾被截去"],
    "replaced file": ["审计链在第 1 行断开", "第 1–5 行：签名与密钥不符", "记录的第 5 行与此不同"],
    "deleted file": ["审计链不完整", "审计文件不存在", "记录了 5 行：文件被删除"],
    "garbage line": ["审计链在第 3 行断开", "第 3 行：不是审计记录"],
    "middle deletion": ["审计链在第 3 行断开", "第 3 行：之前缺少 1 行：被删除"],
}


def test_audit_page_shows_each_way_of_tampering_with_its_line(trail):
    assert set(SHOWN) == set(CASES)
    at = signed_in("boss", "views/audit.py")
    assert "审计链完整" in at.success[0].value and not at.error
    assert len(rows(trail)) <= 5  # the sign-in and the page views so far
    while len(rows(trail)) < 5:
        record("page_view", "boss", audit_file=trail, page="filler")
    pristine = trail.read_bytes()
    for case, (tamper, _) in CASES.items():
        trail.write_bytes(pristine)
        tamper(trail)
        no_exception(at.run())
        said = at.error[0].value if at.error else ""
        assert [text for text in SHOWN[case] if text not in said] == [], (case, said)
    trail.write_bytes(pristine)
    no_exception(at.run())
    assert "审计链完整" in at.success[0].value and not at.error
    assert any("锚点：第 5 行" in c.value for c in at.caption)


def test_dashboard_events_carry_the_session_and_address_even_when_served_later(trail, served):
    at = signed_in("boss", "views/audit.py")
    served["audit.xlsx"]()  # built as the browser fetches it, outside the script run
    entries = rows(trail)
    assert [e["event"] for e in entries][0] == "sign_in" and entries[-1]["event"] == "export"
    # AppTest has no browser: a loopback peer without proxy headers and no User-Agent
    assert {(e["client"]["address"], len(e["client"]["session"]), "user_agent" in e["client"]) for e in entries} == {
        ("local", 16, False)
    }
    assert len({e["client"]["session"] for e in entries}) == 1 and no_exception(at)


def test_client_takes_the_peer_or_the_local_proxys_last_forwarded_address(monkeypatch):
    run = SimpleNamespace(session_id="5f0c-session")
    monkeypatch.setattr(audit_trail, "get_script_run_ctx", lambda suppress_warning: run)
    digest = hashlib.sha256(b"5f0c-session").hexdigest()[:16]
    for ip, headers, address in [
        ("203.0.113.7", {"X-Forwarded-For": "198.51.100.1"}, "203.0.113.7"),  # a peer elsewhere: itself
        (None, {"X-Forwarded-For": "198.51.100.1, 10.0.0.9"}, "10.0.0.9"),  # the proxy on this machine added it
        (None, {"X-Real-IP": "10.0.0.8"}, "10.0.0.8"),
        (None, {}, "local"),
    ]:
        context = SimpleNamespace(headers={**headers, "User-Agent": "M" * 250}, ip_address=ip)
        monkeypatch.setattr(audit_trail, "st", SimpleNamespace(context=context))
        assert audit_trail.client() == {"address": address, "session": digest, "user_agent": "M" * 200}
    monkeypatch.setattr(audit_trail, "get_script_run_ctx", lambda suppress_warning: None)
    assert audit_trail.client() == {}


def test_audit_page_table_shows_where_each_event_came_from(trail):
    record(
        "page_view",
        "boss",
        audit_file=trail,
        page="p",
        client={"address": "10.1.2.3", "session": "ab12", "user_agent": "UA/1"},
    )
    at = signed_in("boss", "views/audit.py")
    shown = at.dataframe[0].value
    mine = shown[shown["client_address"] == "10.1.2.3"]
    assert list(mine["client_session"]) == ["ab12"] and list(mine["client_user_agent"]) == ["UA/1"]
    labels = {name: c.get("label") for name, c in json.loads(at.dataframe[0].proto.columns).items()}
    assert labels["client_address"] == "客户端地址" and labels["client_user_agent"] == "浏览器" and no_exception(at)
