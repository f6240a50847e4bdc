"""Nine ways to tamper with an audit trail of five lines, done as an attacker without the key would, and what
analytics.access.audit_verify must find for each: (kind, first line, last line, values), worked out by hand."""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
from collections.abc import Callable
from pathlib import Path

from analytics.access.audit import record

GUESSED = b"the attacker's key, never ours!!"  # an attacker can compute MACs, only not under our key


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_rows(path: Path, entries: list[dict | str]) -> None:
    lines = [e if isinstance(e, str) else json.dumps(e, ensure_ascii=False) for e in entries]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def attacker_hash(entry: dict) -> str:
    """The trail's own format (HMAC-SHA256 of the canonical JSON without `hash`), under the attacker's key."""
    body = json.dumps({k: v for k, v in entry.items() if k != "hash"}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))  # fmt: skip
    return hmac.new(GUESSED, body.encode(), hashlib.sha256).hexdigest()


def rechain(entries: list[dict], start: int) -> list[dict]:
    """Entries from index `start` on renumbered and re-chained, each hashed again without the key."""
    for i in range(start, len(entries)):
        entries[i]["seq"] = i + 1
        entries[i]["prev_hash"] = entries[i - 1]["hash"] if i else "0" * 64
        entries[i]["hash"] = attacker_hash(entries[i])
    return entries


def edit(path: Path) -> None:
    entries = rows(path)
    entries[1]["details"]["page"] = "p9"
    write_rows(path, entries)


def rehashed_edit(path: Path) -> None:
    entries = rows(path)
    entries[1]["details"]["page"] = "p9"
    write_rows(path, rechain(entries, 1))


def rehashed_deletion(path: Path) -> None:
    entries = rows(path)
    del entries[2]
    write_rows(path, rechain(entries, 2))


def forged_append(path: Path) -> None:
    entries = rows(path)
    forged = {**entries[-1], "details": {"page": "forged"}, "seq": 6, "prev_hash": entries[-1]["hash"]}
    forged["hash"] = attacker_hash(forged)
    write_rows(path, [*entries, forged])


def cut_tail(path: Path) -> None:
    write_rows(path, rows(path)[:3])


def replaced_file(path: Path) -> None:
    """The trail replaced by another one of five lines, written by this software under another key."""
    other = path.parent / "elsewhere" / path.name
    for n in range(5):
        record("page_view", "mallory", audit_file=other, page=f"x{n}")
    shutil.copyfile(other, path)


def deleted_file(path: Path) -> None:
    path.unlink()


def garbage_line(path: Path) -> None:
    entries: list[dict | str] = list(rows(path))
    entries.insert(2, "not json {")
    write_rows(path, entries)


def middle_deletion(path: Path) -> None:
    entries = rows(path)
    del entries[2]
    write_rows(path, entries)


Expected = list[tuple[str, int | None, int | None, dict]]
CASES: dict[str, tuple[Callable[[Path], None], Expected]] = {
    # line 2's content changed, its hash kept: its MAC fails; line 3 still chains to line 2's hash
    "edit": (edit, [("mac", 2, 2, {})]),
    # lines 2-5 hashed again under the attacker's key: each MAC fails, and line 5 is not the anchored line 5
    "rehashed edit": (rehashed_edit, [("mac", 2, 5, {}), ("replaced", 5, 5, {"anchored": 5})]),
    # line 3 deleted, lines 4-5 renumbered 3-4 and re-chained: their MACs fail; 4 lines, the anchor says 5
    "rehashed deletion": (rehashed_deletion, [("mac", 3, 4, {}), ("cut", 5, 5, {"anchored": 5, "ends": 4})]),
    # a sixth line chained to line 5 under the attacker's key
    "forged append": (forged_append, [("mac", 6, 6, {})]),
    # lines 4-5 removed: lines 1-3 are intact, but the anchor records 5
    "cut tail": (cut_tail, [("cut", 4, 4, {"anchored": 5, "ends": 3})]),
    # five lines of another trail: no MAC holds under our key, and line 5 is not the anchored one
    "replaced file": (replaced_file, [("mac", 1, 5, {}), ("replaced", 5, 5, {"anchored": 5})]),
    # no trail at all, while the anchor records 5 lines
    "deleted file": (deleted_file, [("missing", None, None, {"anchored": 5})]),
    # a line that is no entry inserted as line 3: the entries around it still chain (seq 2 -> 3)
    "garbage line": (garbage_line, [("unreadable", 3, 3, {})]),
    # line 3 deleted, nothing rehashed: line 3 is now seq 4, one missing before it
    "middle deletion": (middle_deletion, [("gap", 3, 3, {"missing": 1})]),
}


def found(findings: list) -> Expected:
    """Findings as the cases state them: kind, first and last line, and the values that are numbers."""
    return [
        (f.kind, f.line, f.last if f.last is not None else f.line, {k: v for k, v in f.values.items() if isinstance(v, int)})
        for f in findings
    ]  # fmt: skip
