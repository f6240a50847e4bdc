"""The audit trail: one signed, hash-chained JSON line per event, personal data masked, safe under concurrent
writers. Tampering: test_access_audit_tamper.py."""

from __future__ import annotations

import hashlib
import hmac
import json
import multiprocessing
import threading
from datetime import UTC, datetime

import pytest

from analytics.access.audit import customer_hash, read_events, record, verify_chain
from analytics.access.users import User
from analytics.core import config


@pytest.fixture
def trail(tmp_path):
    return tmp_path / "audit.jsonl"


def _lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_record_appends_one_chained_line_per_event(trail):
    record("sign_in", User("wang", "hq"), audit_file=trail, method="password")
    record("export", "wang", audit_file=trail, what="tiers", rows=12)
    first, second = _lines(trail)
    assert list(first) == ["time", "user", "event", "details", "client", "seq", "prev_hash", "hash"]
    assert (first["user"], first["event"], first["details"]) == ("wang", "sign_in", {"method": "password"})
    assert second["details"] == {"what": "tiers", "rows": 12} and (first["seq"], second["seq"]) == (1, 2)
    assert first["prev_hash"] == "0" * 64 and second["prev_hash"] == first["hash"]
    # hash = HMAC-SHA256, under the 32-byte key of audit-key/audit.key, of the line's canonical JSON without its
    # hash (prev_hash and seq included), computed here independently
    key = bytes.fromhex((trail.parent / "audit-key" / "audit.key").read_text())
    content = json.dumps(
        {k: v for k, v in second.items() if k != "hash"},
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    )
    assert len(key) == 32 and second["hash"] == hmac.new(key, content.encode(), hashlib.sha256).hexdigest()
    assert datetime.fromisoformat(first["time"]).utcoffset().total_seconds() == 0


def test_record_file_is_readable_by_its_owner_only(trail):
    record("load", None, audit_file=trail, file="m.csv", outcome="loaded")
    assert trail.stat().st_mode & 0o777 == 0o600


def test_record_rejects_an_unknown_event(trail):
    with pytest.raises(ValueError, match="unknown audit event"):
        record("delete_everything", "wang", audit_file=trail)
    assert not trail.exists()


def test_record_masks_id_numbers_and_phones_anywhere_in_the_details(trail):
    record(
        "page_view",
        "wang",
        audit_file=trail,
        page="explorer",
        filters={"search": "110101199001011234", "phones": ["13812345678", "021-5555"]},
        note="called 13912345678 about 11010119900101123X",
        account=13712345678,
        old_id=110101900101123,
    )
    details = _lines(trail)[0]["details"]
    assert details == {
        "page": "explorer",
        "filters": {"search": "110***********1234", "phones": ["138****5678", "021-5555"]},
        "note": "called 139****5678 about 110***********123X",
        "account": "137****5678",
        "old_id": "110********1123",
    }
    raw = trail.read_text()
    for secret in ("110101199001011234", "13812345678", "13912345678", "13712345678", "110101900101123"):
        assert secret not in raw


def test_record_masks_personal_columns_by_name(trail):
    record("export", "wang", audit_file=trail, first_row={"customer_name": "张三丰", "phone": "+86 138 1234 5678"})
    # the phone has 17 characters: 3 kept, 10 masked, 4 kept
    assert _lines(trail)[0]["details"]["first_row"] == {"customer_name": "张**", "phone": "+86**********5678"}


def test_record_leaves_amounts_counts_and_digests_alone(trail):
    digest = "9f0a13812345678b" + "110101199001011234" + "c" * 30  # digit runs inside a hex digest
    record("load", "wang", audit_file=trail, rows=1234567, aum="123456789012.50", branch="0301", sha256=digest)
    assert _lines(trail)[0]["details"] == {
        "rows": 1234567,
        "aum": "123456789012.50",
        "branch": "0301",
        "sha256": digest,
    }


def test_record_stores_a_revealed_customer_as_a_salted_hash(trail):
    record("reveal", "wang", audit_file=trail, customer_id="000123", column="phone")
    details = _lines(trail)[0]["details"]
    assert details == {"column": "phone", "customer_sha256": customer_hash("000123", trail)}
    assert "000123" not in trail.read_text()
    salt = (trail.parent / "audit.jsonl.salt").read_bytes()
    assert len(salt) == 64 and (trail.parent / "audit.jsonl.salt").stat().st_mode & 0o777 == 0o600
    assert details["customer_sha256"] != hashlib.sha256(b"000123").hexdigest()  # not guessable without the salt


def test_verify_chain_accepts_an_untouched_trail(trail):
    assert verify_chain(trail) == (True, None)  # no trail yet
    for n in range(3):
        record("page_view", "wang", audit_file=trail, page=f"p{n}")
    assert verify_chain(trail) == (True, None)


@pytest.mark.parametrize(
    "tamper, first_bad",
    [
        (lambda lines: [lines[0], lines[1].replace('"p1"', '"p9"'), lines[2]], 2),  # edited
        (lambda lines: [lines[0], lines[2]], 2),  # deleted
        (lambda lines: [lines[0], lines[0], lines[1], lines[2]], 2),  # duplicated
        (lambda lines: [lines[1], lines[0], lines[2]], 1),  # reordered
        (lambda lines: [lines[0], lines[1], "not json", lines[2]], 3),  # inserted junk
    ],
)
def test_verify_chain_finds_the_first_tampered_line(trail, tamper, first_bad):
    for n in range(3):
        record("page_view", "wang", audit_file=trail, page=f"p{n}")
    trail.write_text("\n".join(tamper(trail.read_text().splitlines())) + "\n")
    assert verify_chain(trail) == (False, first_bad)


def test_record_after_a_torn_line_starts_a_new_line(trail):
    record("sign_in", "wang", audit_file=trail)
    with open(trail, "a") as handle:
        handle.write('{"time": "2026-')  # a writer killed mid-line
    record("sign_in", "li", audit_file=trail)
    assert trail.read_text().splitlines()[2].startswith('{"time"')
    assert verify_chain(trail) == (False, 2)
    assert list(read_events(audit_file=trail)["user"]) == ["li", "wang"]


def test_read_events_filters_and_returns_the_newest_first(trail):
    record("sign_in", "wang", audit_file=trail)
    record("export", "wang", audit_file=trail, what="tiers", rows=3)
    record("export", "li", audit_file=trail, what="scorecard", rows=5)
    record("reveal", "wang", audit_file=trail, customer_id="C1")
    frame = read_events(audit_file=trail, event="export")
    assert list(frame.columns) == ["time", "user", "event", "details", "hash", "client"]
    assert list(frame["user"]) == ["li", "wang"] and frame["details"][1] == {"what": "tiers", "rows": 3}
    assert list(read_events(2, audit_file=trail)["event"]) == ["reveal", "export"]
    mine = read_events(audit_file=trail, user="wang", event=["sign_in", "reveal"])
    assert list(mine["event"]) == ["reveal", "sign_in"]
    assert str(frame["time"].dt.tz) == "UTC"
    future = datetime(2100, 1, 1, tzinfo=UTC)
    assert read_events(audit_file=trail, since=future).empty
    assert len(read_events(audit_file=trail, until=future, since="2000-01-01")) == 4


def test_read_events_of_a_missing_trail_is_empty(trail):
    assert read_events(audit_file=trail).empty


def test_audit_path_follows_bank_audit_or_sits_beside_the_database(monkeypatch, tmp_path):
    monkeypatch.delenv("BANK_AUDIT", raising=False)
    assert config.audit_path(tmp_path / "bank.duckdb") == tmp_path / "audit.jsonl"
    assert config.audit_path() == config.DEFAULT_DB.with_name("audit.jsonl")
    monkeypatch.setenv("BANK_AUDIT", str(tmp_path / "x.jsonl"))
    assert config.audit_path(tmp_path / "bank.duckdb") == tmp_path / "x.jsonl"


def _write_many(trail, name: str, count: int) -> None:
    threads = [
        threading.Thread(
            target=lambda t=t: [record("page_view", f"{name}-{t}", audit_file=trail, n=n) for n in range(count)]
        )
        for t in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_record_keeps_the_chain_with_concurrent_processes_and_threads(trail):
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_write_many, args=(trail, f"p{i}", 25)) for i in range(3)]
    for worker in workers:
        worker.start()
    _write_many(trail, "main", 25)
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    # 4 processes x 2 threads x 25 events, every line whole and chained
    assert len(trail.read_text().splitlines()) == 200
    assert verify_chain(trail) == (True, None)
