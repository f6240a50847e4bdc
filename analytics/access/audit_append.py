"""Appending a line to the audit trail under its lock: signed with the key, chained, and the anchor moved on.

The caller holds the trail's exclusive flock; the formats are analytics.access.audit_chain's.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import BinaryIO

from analytics.access import audit_chain as chain
from analytics.access.audit_chain import GENESIS, MARKER
from analytics.core.config import audit_anchor_every, audit_anchor_path, audit_key_path


def append_line(
    handle: BinaryIO, path: Path, body: dict[str, object], *, force_anchor: bool = False
) -> dict[str, object]:
    """Sign `body` as the trail's next line, write it (after the marker, on a legacy trail), move the anchor."""
    last_line, last, torn = _tail(handle)
    keyed = last is not None and "seq" in last
    key_file = audit_key_path(path)
    key = chain.read_key(key_file) if keyed else chain.create_key(key_file)
    if key is None:
        raise chain.AuditKeyError(f"{key_file}: the audit key is missing, but {path} has keyed lines: restore it")
    lines: list[dict[str, object]] = []
    if last is None:
        seq, prev = 1, GENESIS
    elif keyed:
        seq, prev = int(last["seq"]) + 1, str(last["hash"])
    else:  # a legacy trail: the marker seals its lines, then the chain goes on under the key
        count, prev = chain.count_lines(handle), chain.line_hash(last_line or b"")
        sealed = {"legacy_lines": count, "legacy_hash": prev}
        lines.append(
            _signed(key, {**body, "user": None, "event": MARKER, "details": sealed, "client": {}}, count + 1, prev)
        )
        seq, prev = count + 2, str(lines[-1]["hash"])
    lines.append(_signed(key, body, seq, prev))
    data = b"".join(json.dumps(line, ensure_ascii=False).encode() + b"\n" for line in lines)
    handle.write((b"\n" if torn else b"") + data)  # after a writer that died mid-line: a new line
    handle.flush()
    os.fsync(handle.fileno())
    _move_anchor(handle, path, key, lines[-1], first=not keyed, force=force_anchor)
    return lines[-1]


def _signed(key: bytes, body: dict[str, object], seq: int, prev: str) -> dict[str, object]:
    entry = {**body, "seq": seq, "prev_hash": prev}
    entry["hash"] = chain.mac(key, entry)
    return entry


def _move_anchor(
    handle: BinaryIO, path: Path, key: bytes, entry: dict[str, object], *, first: bool, force: bool
) -> None:
    """Anchor `entry` when due (every Nth line, the trail's first keyed line, or forced), unless the anchor no
    longer matches the trail: that anchor (or its absence) is the evidence of a cut, a replacement or a deletion,
    and is left for verify to report."""
    seq, anchor_file = int(str(entry["seq"])), audit_anchor_path(path)
    if not force:
        if not first and seq % audit_anchor_every():
            return
        try:
            current = chain.read_anchor(anchor_file, key)
        except chain.AnchorError:
            return
        if current is None and not first:
            return
        if current is not None and (current.seq >= seq or _hash_at(handle, current.seq) != current.hash):
            return
    chain.write_anchor(anchor_file, key, seq, str(entry["hash"]))


def _hash_at(handle: BinaryIO, seq: int) -> str | None:
    """The hash of line `seq`, looked for among the last lines only (an anchor is never further back)."""
    for back, line in enumerate(chain.lines_backwards(handle)):
        entry = chain.parse(line)
        if back > audit_anchor_every() + 64 or (entry is not None and entry.get("seq", 0) < seq):
            return None
        if entry is not None and entry.get("seq") == seq:
            return str(entry["hash"])
    return None


def _tail(handle: BinaryIO) -> tuple[bytes | None, dict | None, bool]:
    """(the last line, the last entry, whether the file ends mid-line); (None, None, False) for an empty file."""
    last_line, last = None, None
    for line in chain.lines_backwards(handle):
        last_line = line if last_line is None else last_line
        last = chain.parse(line)
        if last is not None:
            break
    if last_line is None:
        return None, None, False
    handle.seek(-1, os.SEEK_END)
    return last_line, last, handle.read(1) != b"\n"
