"""The audit trail: who signed in, viewed, exported, revealed or loaded what. Append-only JSON Lines.

Each line holds time (UTC), user, event, details, prev_hash and hash = SHA-256(prev_hash + the line's
content), so editing, inserting or deleting a line breaks the chain from there on (verify_chain finds it).
Deleting lines at the end leaves a shorter valid chain: keep the last hash elsewhere to detect that too.
Personal data never reaches the file: a revealed customer is stored as an HMAC-SHA256 of its id salted with
a secret beside the file, and values that look like ID numbers or phone numbers are masked.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from analytics.access.users import User
from analytics.core.config import audit_path
from analytics.core.masking import PERSONAL_DATA, mask_id_number, mask_phone, mask_value

EVENTS = ("sign_in", "sign_in_failed", "page_view", "export", "reveal", "load")
GENESIS = "0" * 64
COLUMNS = ["time", "user", "event", "details", "hash"]
# whole tokens only: digits inside a longer run of letters and digits (a SHA-256, a file name) are left alone
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])([0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z])")
PHONE = re.compile(r"(?<![0-9A-Za-z])1[0-9]{10}(?![0-9A-Za-z])")


def record_loads(results: list, user: User | str | None, audit_file: Path | str | None = None) -> None:
    """One `load` event per file: name, SHA-256, outcome, rows, periods and problem count (never values)."""
    for result in results:
        record(
            "load",
            user,
            audit_file=audit_file,
            file=Path(result.file).name,
            sha256=result.sha256,
            outcome=result.outcome,
            rows=result.rows,
            periods=[p.isoformat() for p in result.periods],
            problems=len(result.problems),
        )


def record(
    event: str, user: User | str | None, /, *, audit_file: Path | str | None = None, **details: object
) -> dict[str, object]:
    """Append one event and return the line as written.

    A `customer_id` detail is replaced by `customer_sha256` (see customer_hash); every other detail is
    written with ID and phone numbers masked. Safe across threads and processes (an exclusive flock).
    """
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}: expected one of {', '.join(EVENTS)}")
    path = Path(audit_file) if audit_file else audit_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        scrubbed = {k: _scrub(v, k) for k, v in details.items() if k != "customer_id"}
        if "customer_id" in details:
            scrubbed["customer_sha256"] = customer_hash(str(details["customer_id"]), path)
        tail = _last_line(handle)
        entry: dict[str, object] = {
            "time": datetime.now(UTC).isoformat(timespec="microseconds"),
            "user": user.username if isinstance(user, User) else user,
            "event": event,
            "details": scrubbed,
            "prev_hash": _line_hash(tail) if tail is not None else GENESIS,
        }
        entry["hash"] = _hash(entry)
        torn = tail is not None and not tail.endswith(b"\n")  # a writer died mid-line: start a new one
        handle.write((b"\n" if torn else b"") + json.dumps(entry, ensure_ascii=False).encode() + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    return entry


def customer_hash(customer_id: str, audit_file: Path | str | None = None) -> str:
    """How a customer id appears in the trail: HMAC-SHA256 under the trail's secret salt (to search for it)."""
    path = Path(audit_file) if audit_file else audit_path()
    return hmac.new(_salt(path), customer_id.encode(), hashlib.sha256).hexdigest()


def read_events(
    limit: int | None = 1000,
    *,
    event: str | Sequence[str] | None = None,
    user: str | None = None,
    since: datetime | str | None = None,
    until: datetime | str | None = None,
    audit_file: Path | str | None = None,
) -> pd.DataFrame:
    """The latest `limit` events matching every filter given, newest first.

    Returns columns: time (UTC), user, event, details (a dict), hash. Damaged lines are skipped here;
    verify_chain reports them.
    """
    events = {event} if isinstance(event, str) else set(event or ())
    low, high = _utc(since), _utc(until)
    rows = []
    for entry in _entries(Path(audit_file) if audit_file else audit_path()):
        if entry is None or (events and entry.get("event") not in events) or (user and entry.get("user") != user):
            continue
        try:
            when = _utc(str(entry.get("time")))
        except ValueError:  # a damaged line: verify_chain reports it
            continue
        if (low is not None and when < low) or (high is not None and when > high):
            continue
        rows.append({**{c: entry.get(c) for c in COLUMNS}, "time": when})
    rows = rows[::-1][:limit] if limit is not None else rows[::-1]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    return frame


def verify_chain(audit_file: Path | str | None = None) -> tuple[bool, int | None]:
    """(True, None) when every line is intact and chained to the one before; else (False, first bad line)."""
    previous = GENESIS
    for number, entry in enumerate(_entries(Path(audit_file) if audit_file else audit_path()), start=1):
        if entry is None or entry.get("prev_hash") != previous or entry.get("hash") != _hash(entry):
            return False, number
        previous = entry["hash"]
    return True, None


def _utc(moment: datetime | str | None) -> pd.Timestamp | None:
    if moment is None:
        return None
    stamp = pd.Timestamp(moment)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


# ---- the chain ---------------------------------------------------------------------------------


def _hash(entry: dict[str, object]) -> str:
    content = {k: entry.get(k) for k in ("time", "user", "event", "details")}
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((str(entry.get("prev_hash")) + canonical).encode()).hexdigest()


def _line_hash(line: bytes) -> str:
    """The hash the next line chains to: the line's own hash, or a digest of a line that is not one of ours."""
    try:
        entry = json.loads(line)
        if isinstance(entry, dict) and isinstance(entry.get("hash"), str):
            return entry["hash"]
    except ValueError:
        pass
    return hashlib.sha256(line.rstrip(b"\n")).hexdigest()


def _last_line(handle) -> bytes | None:
    """The file's last line (with its newline if it has one); None for an empty file."""
    end = handle.seek(0, os.SEEK_END)
    position, tail = end, b""
    while position > 0 and tail.count(b"\n") < 2:
        step = min(1 << 14, position)
        position -= step
        handle.seek(position)
        tail = handle.read(step) + tail
    if not tail:
        return None
    body, newline = (tail[:-1], b"\n") if tail.endswith(b"\n") else (tail, b"")
    return body.rsplit(b"\n", 1)[-1] + newline


def _entries(path: Path):
    """Each line parsed (None where it is not a JSON object); nothing when the trail does not exist."""
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        return
    with handle:
        for line in handle:
            try:
                entry = json.loads(line)
            except ValueError:
                entry = None
            yield entry if isinstance(entry, dict) else None


def _salt(path: Path) -> bytes:
    """The trail's secret salt, created once (0600, written whole before it appears) beside the trail."""
    salt_file = path.with_name(path.name + ".salt")
    if not salt_file.exists():
        salt_file.parent.mkdir(parents=True, exist_ok=True)
        temp = salt_file.with_name(f".{salt_file.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
        try:
            os.link(temp, salt_file)  # fails if another process made it first: theirs is kept
        except FileExistsError:
            pass
        finally:
            temp.unlink()
    return salt_file.read_bytes().strip()


# ---- personal data -----------------------------------------------------------------------------


def _scrub(value: object, key: str | None = None) -> object:
    """`value` made JSON-safe, with personal data masked (by column name, or by what it looks like)."""
    if isinstance(value, dict):
        return {str(k): _scrub(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_scrub(v, key) for v in value]
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        text = str(value)
        return value if _mask_text(text) == text else _mask_text(text)
    text = value.isoformat() if isinstance(value, (date, datetime)) else str(value)
    if key in PERSONAL_DATA:
        return mask_value(key, text)
    return _mask_text(text)


def _mask_text(text: str) -> str:
    text = ID_NUMBER.sub(lambda m: mask_id_number(m.group()) or "", text)
    return PHONE.sub(lambda m: mask_phone(m.group()) or "", text)
