"""Checking the audit trail against its key and its anchor: every finding with its line and what is wrong.

Line by line: a line that is not an entry (`unreadable`); a keyed line whose MAC does not match under the key
(`mac`: edited, or written without the key); a line whose number skips some (`gap`: lines deleted before it) or
that does not follow the line before (`chain`: copied, reordered or re-chained); a line without a key after the
keyed lines began (`unkeyed`); a legacy line whose plain SHA-256 chain breaks (`legacy`). Then the whole file
against the anchor: the trail ends before the anchored line (`cut`), the anchored line is another one
(`replaced`), the trail is gone (`missing`); or the anchor is missing (`anchor_missing`) or damaged
(`anchor_invalid`), the key is missing (`key_missing`) or not a key (`key_invalid`). Consecutive lines with the
same finding are one finding with a range.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path

from analytics.access import audit_chain as chain
from analytics.access.audit_chain import GENESIS, Anchor
from analytics.core.config import audit_anchor_path, audit_key_path, audit_path

MESSAGES = {
    "unreadable": "not a line of the trail (damaged or inserted)",
    "mac": "its hash does not match under the key: edited, or written without the key",
    "gap": "{missing} line(s) missing before it: deleted",
    "chain": "does not follow the line before it: copied, reordered or re-chained",
    "unkeyed": "written without the key after the keyed lines began",
    "legacy": "the unkeyed SHA-256 chain of the lines written before the key breaks here",
    "cut": "the trail ends at line {ends}, but the anchor ({time}) records {anchored} lines: its end was cut",
    "replaced": "the anchor ({time}) records another line {anchored}: the trail was replaced or rewritten",
    "missing": "the trail is missing, but the anchor ({time}) records {anchored} lines: it was deleted",
    "anchor_missing": "the anchor {path} is missing: a cut end or a replaced file cannot be ruled out",
    "anchor_invalid": "the anchor {path} is damaged or was not written with the key",
    "key_missing": "the key {path} is missing: the lines' hashes cannot be checked",
    "key_invalid": "the key {path} cannot be used: {reason}",
    "key_mode": "the key {path} can be read by others (mode {mode}): it should be 0600",
    "anchor_mode": "the anchor {path} can be read by others (mode {mode}): it should be 0600",
}


@dataclass
class Finding:
    line: int | None  # the first line concerned (1 = the first); None: the whole file
    kind: str  # a key of MESSAGES
    last: int | None = None  # the last line of a range of consecutive lines with this finding
    values: dict[str, object] = field(default_factory=dict)

    def text(self) -> str:
        where = "" if self.line is None else f"line {self.line}: "
        if self.last is not None and self.line is not None and self.last > self.line:
            where = f"lines {self.line}-{self.last}: "
        return where + MESSAGES[self.kind].format(**self.values)


@dataclass
class Verdict:
    trail: Path
    key_file: Path
    anchor_file: Path
    findings: list[Finding]  # what shows tampering or makes it undetectable; empty: intact
    warnings: list[Finding]  # file modes
    lines: int  # lines in the file
    entries: int  # readable entries
    legacy_lines: int  # lines written before the key (verified as a plain SHA-256 chain, sealed by the marker)
    keyed: bool  # the trail has lines signed with the key
    anchor: Anchor | None
    last_seq: int  # the number of the last line as the lines say

    @property
    def intact(self) -> bool:
        return not self.findings

    @property
    def first_line(self) -> int | None:
        return self.findings[0].line if self.findings else None

    @property
    def unanchored(self) -> int:
        """Lines after the anchored one (fewer than BANK_AUDIT_ANCHOR_EVERY when the anchor follows every Nth)."""
        return max(self.last_seq - self.anchor.seq, 0) if self.anchor else self.last_seq


class _Walk:
    """The line-by-line checks, keeping what the file-level checks need."""

    def __init__(self, key: bytes | None, anchored: int | None) -> None:
        self.key, self.anchored = key, anchored
        self.findings: list[Finding] = []
        self.lines = self.entries = self.legacy_lines = self.last_seq = 0
        self.keyed = False
        self.previous: str | None = None  # what the next line chains to: the hash of the line before, or its digest
        self.expected: tuple[int, str] = (1, GENESIS)  # the next keyed line's number and prev_hash
        self.at_anchor: tuple[int, str] | None = None  # (line, hash) of the line with the anchored number

    def add(self, line: int, kind: str, **values: object) -> None:
        for finding in reversed(self.findings[-4:]):  # a run of one finding on consecutive lines is one range
            if finding.kind == kind and finding.values == values and (finding.last or finding.line) == line - 1:
                finding.last = line
                return
        self.findings.append(Finding(line, kind, line, values))

    def line(self, number: int, raw: bytes) -> None:
        self.lines = number
        entry = chain.parse(raw)
        if entry is None:
            self.add(number, "unreadable")
        elif "seq" not in entry:
            self._legacy(number, entry)
        else:
            self._keyed(number, entry)
        self.previous = chain.line_hash(raw, entry)

    def _legacy(self, number: int, entry: dict) -> None:
        if self.keyed:
            self.add(number, "unkeyed")
            return
        if entry.get("prev_hash") != (self.previous or GENESIS) or entry["hash"] != chain.legacy_hash(entry):
            self.add(number, "legacy")
        self.entries += 1
        self.legacy_lines = self.last_seq = number
        self._note_anchor(number, number, entry["hash"])

    def _keyed(self, number: int, entry: dict) -> None:
        if not self.keyed:
            self.keyed = True
            if self.legacy_lines:  # the marker: chained to the last line before it, numbered after it
                self.expected = (number, self.previous or GENESIS)
        if self.key is not None and entry["hash"] != chain.mac(self.key, entry):
            self.add(number, "mac")
        seq, (want, prev) = entry["seq"], self.expected
        if seq > want:
            self.add(number, "gap", missing=seq - want)
        elif seq < want or entry.get("prev_hash") != prev:
            self.add(number, "chain")
        self.expected = (seq + 1, entry["hash"])
        self.entries += 1
        self.last_seq = seq
        self._note_anchor(number, seq, entry["hash"])

    def _note_anchor(self, number: int, seq: int, hash_: str) -> None:
        if seq == self.anchored:
            self.at_anchor = (number, hash_)


def verify(
    audit_file: Path | str | None = None,
    *,
    key_file: Path | str | None = None,
    anchor_file: Path | str | None = None,
) -> Verdict:
    """Check the trail (default $BANK_AUDIT) line by line under its key, then against its anchor."""
    trail = Path(audit_file) if audit_file else audit_path()
    key_path = Path(key_file) if key_file else audit_key_path(trail)
    anchor_path = Path(anchor_file) if anchor_file else audit_anchor_path(trail)
    findings: list[Finding] = []
    try:
        key = chain.read_key(key_path)
    except chain.AuditKeyError as exc:
        key = None
        findings.append(Finding(None, "key_invalid", values={"path": key_path, "reason": exc}))
    try:
        anchor = chain.read_anchor(anchor_path, key)
    except chain.AnchorError:
        anchor = None
        findings.append(Finding(None, "anchor_invalid", values={"path": anchor_path}))
    walk = _Walk(key, anchor.seq if anchor else None)
    exists = trail.exists()
    if exists:
        with open(trail, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                walk.line(number, raw)
    if walk.keyed and key is None and not any(f.kind == "key_invalid" for f in findings):
        findings.append(Finding(None, "key_missing", values={"path": key_path}))
    findings = walk.findings + findings + _against_anchor(walk, anchor, anchor_path, exists, findings)
    warnings = [
        Finding(None, kind, values={"path": path, "mode": f"{mode:04o}"})
        for kind, path in (("key_mode", key_path), ("anchor_mode", anchor_path))
        if path.exists() and (mode := stat.S_IMODE(path.stat().st_mode)) & 0o077
    ]
    return Verdict(
        trail, key_path, anchor_path, findings, warnings, walk.lines, walk.entries, walk.legacy_lines, walk.keyed,
        anchor, walk.last_seq,
    )  # fmt: skip


def _against_anchor(
    walk: _Walk, anchor: Anchor | None, path: Path, exists: bool, found: list[Finding]
) -> list[Finding]:
    if anchor is None:
        damaged = any(f.kind == "anchor_invalid" for f in found)
        return [Finding(None, "anchor_missing", values={"path": path})] if walk.keyed and not damaged else []
    values = {"anchored": anchor.seq, "time": anchor.time}
    if not exists:
        return [Finding(None, "missing", values=values)]
    if walk.last_seq < anchor.seq:
        return [Finding(walk.lines + 1, "cut", values={**values, "ends": walk.last_seq})]
    if walk.at_anchor is None or walk.at_anchor[1] != anchor.hash:
        return [Finding(walk.at_anchor[0] if walk.at_anchor else None, "replaced", values=values)]
    return []
