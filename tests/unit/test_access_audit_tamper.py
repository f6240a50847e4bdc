"""Tamper evidence: each way of tampering found with its line and what; the key and the anchor kept apart and
private; legacy trails sealed; the anchor never overwriting the evidence of a cut."""

from __future__ import annotations

import hashlib
import json
import os
import shutil

import pytest

from analytics.access import audit
from analytics.access.audit import reanchor, record, verify_chain
from analytics.access.audit_chain import AuditKeyError, lines_backwards, read_anchor, read_key
from analytics.access.audit_verify import verify
from tests.helpers.tampering import CASES, found, rows, write_rows


@pytest.fixture
def trail(tmp_path):
    path = tmp_path / "audit.jsonl"
    for n in range(5):
        record("page_view", "wang", audit_file=path, page=f"p{n}")
    return path


def _key(trail):
    return trail.parent / "audit-key" / "audit.key"


def _anchor(trail):
    return trail.parent / "audit-anchor" / "audit.anchor"


@pytest.mark.parametrize("case", list(CASES))
def test_verify_finds_each_way_of_tampering_with_its_line(trail, case):
    tamper, expected = CASES[case]
    assert verify(trail).intact
    tamper(trail)
    verdict = verify(trail)
    assert found(verdict.findings) == expected
    assert not verdict.intact and verify_chain(trail) == (False, expected[0][1])


def test_record_keeps_the_key_and_the_anchor_private_in_folders_of_their_own(tmp_path):
    trail = tmp_path / "audit.jsonl"
    umask = os.umask(0)  # modes must not depend on the umask
    try:
        record("sign_in", "wang", audit_file=trail)
    finally:
        os.umask(umask)
    key, anchor = _key(trail), _anchor(trail)
    assert [oct(p.stat().st_mode & 0o777) for p in (trail, key, key.parent, anchor, anchor.parent)] == [
        "0o600", "0o600", "0o700", "0o600", "0o700",
    ]  # fmt: skip
    assert key.parent != trail.parent and anchor.parent not in (trail.parent, key.parent)
    assert len(read_key(key)) == 32 and key.read_text().strip() not in trail.read_text()
    assert read_anchor(anchor, read_key(key)).seq == 1 and verify(trail).warnings == []


def test_record_puts_the_key_and_the_anchor_where_the_environment_says(tmp_path, monkeypatch):
    monkeypatch.setenv("BANK_AUDIT_KEY_FILE", str(tmp_path / "secrets" / "k"))
    monkeypatch.setenv("BANK_AUDIT_ANCHOR", str(tmp_path / "elsewhere" / "a"))
    record("sign_in", "wang", audit_file=tmp_path / "audit.jsonl")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.jsonl", "elsewhere", "secrets"]
    assert verify(tmp_path / "audit.jsonl").anchor.seq == 1


def test_verify_warns_of_a_key_others_can_read(trail):
    _key(trail).chmod(0o644)
    verdict = verify(trail)
    assert verdict.intact and [(w.kind, w.values["mode"]) for w in verdict.warnings] == [("key_mode", "0644")]


def test_record_refuses_to_make_a_new_key_for_a_keyed_trail(trail):
    _key(trail).unlink()
    with pytest.raises(AuditKeyError, match="the audit key is missing"):
        record("sign_in", "wang", audit_file=trail)
    assert len(rows(trail)) == 5 and not _key(trail).exists()
    assert found(verify(trail).findings) == [("key_missing", None, None, {})]


def _legacy_trail(path, pages):
    """A trail as written before the key: SHA-256(prev_hash + canonical content), computed here by hand."""
    previous, entries = "0" * 64, []
    for page in pages:
        entry = {"time": "2026-01-05T08:00:00+00:00", "user": "wang", "event": "page_view", "details": {"page": page}}
        content = json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        entry |= {"prev_hash": previous, "hash": hashlib.sha256((previous + content).encode()).hexdigest()}
        entries.append(entry)
        previous = entry["hash"]
    write_rows(path, entries)
    return entries


def test_record_seals_a_legacy_trail_with_a_marker_then_signs(tmp_path):
    trail = tmp_path / "audit.jsonl"
    old = _legacy_trail(trail, ["a", "b", "c"])
    verdict = verify(trail)
    assert verdict.intact and (verdict.legacy_lines, verdict.keyed, verdict.anchor) == (3, False, None)
    record("sign_in", "wang", audit_file=trail)
    marker, event = rows(trail)[3:]
    assert (marker["event"], marker["details"], marker["seq"]) == (
        "chain_keyed", {"legacy_lines": 3, "legacy_hash": old[2]["hash"]}, 4,
    )  # fmt: skip
    assert marker["prev_hash"] == old[2]["hash"] and (event["seq"], event["prev_hash"]) == (5, marker["hash"])
    verdict = verify(trail)
    assert verdict.intact and (verdict.legacy_lines, verdict.keyed, verdict.anchor.seq) == (3, True, 5)


def test_verify_finds_legacy_lines_rewritten_after_the_seal(tmp_path):
    trail = tmp_path / "audit.jsonl"
    _legacy_trail(trail, ["a", "b", "c"])
    record("sign_in", "wang", audit_file=trail)
    keyed = rows(trail)[3:]
    write_rows(trail, _legacy_trail(tmp_path / "forged.jsonl", ["a", "B", "c"]) + keyed)  # a valid SHA-256 chain
    # lines 1-3 chain as before the key, but the marker sealed the old line 3's hash
    assert found(verify(trail).findings) == [("chain", 4, 4, {})]


def test_verify_finds_an_unkeyed_line_after_the_keyed_ones(trail):
    legacy = _legacy_trail(trail.with_name("x.jsonl"), ["downgraded"])
    write_rows(trail, [*rows(trail), legacy[0]])
    assert found(verify(trail).findings) == [("unkeyed", 6, 6, {})]


def test_record_anchors_every_nth_event(tmp_path, monkeypatch):
    monkeypatch.setenv("BANK_AUDIT_ANCHOR_EVERY", "3")
    trail = tmp_path / "audit.jsonl"
    for n in range(7):
        record("page_view", "wang", audit_file=trail, page=f"p{n}")
    verdict = verify(trail)  # anchored at line 1 (the first), 3 and 6
    assert verdict.intact and (verdict.anchor.seq, verdict.unanchored) == (6, 1)
    assert verdict.anchor.hash == rows(trail)[5]["hash"]
    write_rows(trail, rows(trail)[:6])
    assert verify(trail).intact  # the line after the anchor can go unnoticed: the price of anchoring every 3rd
    write_rows(trail, rows(trail)[:5])
    assert found(verify(trail).findings) == [("cut", 6, 6, {"anchored": 6, "ends": 5})]


def test_record_never_overwrites_the_evidence_of_a_cut(trail):
    anchored = rows(trail)[4]["hash"]
    write_rows(trail, rows(trail)[:3])
    record("page_view", "wang", audit_file=trail, page="after the cut")  # line 4
    assert found(verify(trail).findings) == [("cut", 5, 5, {"anchored": 5, "ends": 4})]
    for n in range(3):  # lines 5-7: a new line 5, not the anchored one
        record("page_view", "wang", audit_file=trail, page=f"later {n}")
    verdict = verify(trail)
    assert (verdict.anchor.seq, verdict.anchor.hash) == (5, anchored)
    assert found(verdict.findings) == [("replaced", 5, 5, {"anchored": 5})]


def test_record_after_the_trail_was_deleted_keeps_the_anchor(trail):
    trail.unlink()
    record("sign_in", "wang", audit_file=trail)  # a new trail, line 1
    assert found(verify(trail).findings) == [("cut", 2, 2, {"anchored": 5, "ends": 1})]


def test_record_leaves_a_deleted_anchor_missing_until_reanchored(trail):
    _anchor(trail).unlink()
    record("sign_in", "wang", audit_file=trail)
    assert found(verify(trail).findings) == [("anchor_missing", None, None, {})]
    anchor = reanchor("cli:ops", trail)
    reset = rows(trail)[-1]
    assert (reset["event"], reset["user"], reset["details"], reset["seq"]) == (
        "anchor_reset", "cli:ops", {"previous": {"missing": True}}, 7,
    )  # fmt: skip
    assert (anchor.seq, anchor.hash) == (7, reset["hash"]) and verify(trail).intact


def test_verify_finds_an_anchor_written_without_the_key(trail):
    body = json.loads(_anchor(trail).read_text())
    _anchor(trail).write_text(json.dumps({**body, "seq": 3, "hash": rows(trail)[2]["hash"]}))
    assert found(verify(trail).findings) == [("anchor_invalid", None, None, {})]


def test_verify_checks_a_trail_moved_with_its_anchor(trail, tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    shutil.move(trail, archive / "audit-2026.jsonl")
    shutil.move(_anchor(trail), archive / "audit-2026.anchor")
    verdict = verify(archive / "audit-2026.jsonl", key_file=_key(trail), anchor_file=archive / "audit-2026.anchor")
    assert verdict.intact and (verdict.lines, verdict.anchor.seq) == (5, 5)


def test_record_takes_the_client_given_or_the_one_registered(tmp_path, monkeypatch):
    trail = tmp_path / "audit.jsonl"
    record("sign_in", "wang", audit_file=trail, client={"host": "ops-1", "pid": 4242})
    monkeypatch.setattr(audit, "_client_source", lambda: {"address": "10.1.2.3", "user_agent": "Mozilla/5.0"})
    record("page_view", "wang", audit_file=trail, page="overview")
    record("page_view", "wang", audit_file=trail, client={"note": "call 13812345678"}, page="x")
    assert [e["client"] for e in rows(trail)] == [
        {"host": "ops-1", "pid": 4242},
        {"address": "10.1.2.3", "user_agent": "Mozilla/5.0"},
        {"note": "call 138****5678"},
    ]
    assert list(audit.read_events(audit_file=trail)["client"])[1] == {
        "address": "10.1.2.3",
        "user_agent": "Mozilla/5.0",
    }


def test_lines_backwards_reads_whole_and_torn_lines_across_blocks(tmp_path):
    path = tmp_path / "f"
    long = b"x" * 70_000  # longer than one block of 64 KiB
    for data, expected in [
        (b"", []),
        (b"\n", [b""]),
        (b"a\nb\n", [b"b", b"a"]),
        (b"a\nb", [b"b", b"a"]),
        (b"a\n" + long + b"\nc\n", [b"c", long, b"a"]),
    ]:
        path.write_bytes(data)
        with open(path, "rb") as handle:
            assert list(lines_backwards(handle)) == expected, data[:10]
