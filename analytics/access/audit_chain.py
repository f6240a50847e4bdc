"""What makes the audit trail tamper-evident: its key, each line's MAC and the anchor.

Each line's `hash` is HMAC-SHA256, under a secret key kept in a file of its own (config.audit_key_path), of the
line's canonical JSON without its hash; the line holds its number (`seq`) and the hash of the line before
(`prev_hash`). Without the key nobody can edit a line, forge one or re-chain the lines after a deletion. The anchor
(config.audit_anchor_path, another folder) holds the latest line's number and hash under the same key, so that a
cut end, a replaced file or a deleted one shows too. Trails written before the key (plain SHA-256, no `seq`) are
"legacy": the first keyed line chains to their last line and seals them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

GENESIS = "0" * 64
MARKER = "chain_keyed"  # the first keyed line after legacy lines: its details say how many it seals
KEY_BYTES = 32


class AuditKeyError(RuntimeError):
    """The key cannot be used: missing while the trail has keyed lines, or not a key."""


class AnchorError(ValueError):
    """The anchor file cannot be read, or its MAC does not match under the key."""


@dataclass(frozen=True)
class Anchor:
    seq: int  # the number of the anchored line (lines are numbered from 1)
    hash: str  # its hash
    time: str  # when the anchor was written (UTC, ISO 8601)


# ---- the key -----------------------------------------------------------------------------------


def read_key(path: Path) -> bytes | None:
    """The key in `path` (hex), None when there is no such file."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditKeyError(f"{path}: cannot read the audit key: {exc}") from exc
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise AuditKeyError(f"{path}: not an audit key (expected {2 * KEY_BYTES} hex digits)") from None
    if len(key) < 16:
        raise AuditKeyError(f"{path}: the audit key is too short")
    return key


def create_key(path: Path) -> bytes:
    """The key in `path`, made on first use: secrets.token_bytes(32) as hex, 0600, in a folder made 0700."""
    key = read_key(path)
    if key is None:
        write_private(path, secrets.token_bytes(KEY_BYTES).hex() + "\n", replace=False)
        key = read_key(path)
    assert key is not None
    return key


def mac(key: bytes, entry: dict[str, object]) -> str:
    """HMAC-SHA256 of the entry's canonical JSON (sorted keys, no spaces), every field but `hash`."""
    return hmac.digest(key, canonical({k: v for k, v in entry.items() if k != "hash"}), "sha256").hex()


def legacy_hash(entry: dict[str, object]) -> str:
    """The hash of a line written before the key: SHA-256(prev_hash + canonical time, user, event, details)."""
    content = canonical({k: entry.get(k) for k in ("time", "user", "event", "details")})
    return hashlib.sha256(str(entry.get("prev_hash")).encode() + content).hexdigest()


def line_hash(line: bytes, entry: dict | None = None) -> str:
    """What a legacy line is chained to: its own hash, or the SHA-256 of a line that is not an entry (`entry`: the
    line already parsed)."""
    entry = entry if entry is not None else parse(line)
    return str(entry["hash"]) if entry is not None else hashlib.sha256(line.rstrip(b"\n")).hexdigest()


def canonical(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def parse(line: bytes) -> dict | None:
    """The entry on a line: a JSON object with a string `hash` (and, if any, an integer `seq`); else None."""
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("hash"), str):
        return None
    seq = entry.get("seq", 0)
    return entry if isinstance(seq, int) and not isinstance(seq, bool) else None


# ---- the anchor --------------------------------------------------------------------------------


def write_anchor(path: Path, key: bytes, seq: int, hash_: str) -> Anchor:
    """Replace the anchor (0600, in a folder made 0700) with line `seq` and its hash, signed with the key."""
    anchor = Anchor(seq, hash_, datetime.now(UTC).isoformat(timespec="seconds"))
    body: dict[str, object] = {"seq": anchor.seq, "hash": anchor.hash, "time": anchor.time}
    body["mac"] = hmac.new(key, canonical(body), hashlib.sha256).hexdigest()
    write_private(path, json.dumps(body) + "\n", replace=True)
    return anchor


def read_anchor(path: Path, key: bytes | None) -> Anchor | None:
    """The anchor in `path` (None when there is none); AnchorError when it is damaged or its MAC does not match
    (not checked without a key)."""
    try:
        body = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise AnchorError(f"{path}: not an anchor: {exc}") from exc
    if not isinstance(body, dict) or not isinstance(body.get("seq"), int) or not isinstance(body.get("hash"), str):
        raise AnchorError(f"{path}: not an anchor")
    signed = {k: body.get(k) for k in ("seq", "hash", "time")}
    if key is not None:
        expected = hmac.new(key, canonical(signed), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, str(body.get("mac"))):
            raise AnchorError(f"{path}: the anchor's MAC does not match the key")
    return Anchor(body["seq"], body["hash"], str(body.get("time")))


# ---- files -------------------------------------------------------------------------------------


def private_folder(folder: Path) -> None:
    """Make `folder` (and any parent) if missing, the folder itself 0700; a folder that exists keeps its mode."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        return
    os.chmod(folder, 0o700)  # whatever the umask


def write_private(path: Path, text: str, *, replace: bool) -> None:
    """Write `path` whole (0600) before it appears: replacing it, or (replace=False) only if it does not exist."""
    private_folder(path.parent)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        if replace:
            os.replace(temp, path)
        else:
            try:
                os.link(temp, path)  # fails if another process made it first: theirs is kept
            except FileExistsError:
                pass
    finally:
        temp.unlink(missing_ok=True)


def lines_backwards(handle: BinaryIO) -> Iterator[bytes]:
    """The file's lines from the last to the first, without their newlines (a torn last line included)."""
    position = handle.seek(0, os.SEEK_END)
    rest, first = b"", True
    while position > 0:
        step = min(1 << 16, position)
        position -= step
        handle.seek(position)
        parts = (handle.read(step) + rest).split(b"\n")
        rest = parts[0]
        tail = parts[1:]
        if first and tail and tail[-1] == b"":
            tail = tail[:-1]  # the newline that ends the file ends its last line
        first = False
        yield from reversed(tail)
    if rest or not first:
        yield rest


def count_lines(handle: BinaryIO) -> int:
    """How many lines the file holds, a torn last line included."""
    handle.seek(0)
    count, last = 0, b"\n"
    while chunk := handle.read(1 << 20):
        count += chunk.count(b"\n")
        last = chunk[-1:]
    return count + (last != b"\n")
