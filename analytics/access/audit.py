"""The audit trail: who signed in, viewed, exported, revealed, loaded or administered what. Append-only JSON Lines.

Each line holds time (UTC), user, event, details, client (the request's address, session and user agent), seq
(its number), prev_hash and hash: an HMAC-SHA256 under a key kept apart from the trail, and an anchor in another
folder holds the latest line's number and hash (analytics.access.audit_chain). audit_verify.verify finds an
edited, forged, inserted or deleted line, a cut end, a replaced or a deleted file.
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
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from analytics.access import audit_chain as chain
from analytics.access.audit_append import append_line
from analytics.access.audit_chain import Anchor
from analytics.access.audit_verify import verify
from analytics.access.users import User
from analytics.core.config import audit_anchor_path, audit_key_path, audit_path
from analytics.core.masking import PERSONAL_DATA, mask_id_number, mask_phone, mask_value

EVENTS: tuple[str, ...] = ("sign_in", "sign_in_failed", "page_view", "export", "reveal", "load", "contact")
EVENTS += ("user_added", "user_removed", "password_changed", "user_change_refused")  # python -m analytics users
EVENTS += ("lockout", "session_expired", "sign_out", "oidc_bound", "export_refused")  # sign-in and downloads
RESET = "anchor_reset"  # written by reanchor only, like the chain's MARKER
COLUMNS = ["time", "user", "event", "details", "hash", "client"]
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
    event: str,
    user: User | str | None,
    /,
    *,
    audit_file: Path | str | None = None,
    client: Mapping[str, object] | None = None,
    **details: object,
) -> dict[str, object]:
    """Append one event and return the line as written.

    A `customer_id` detail is replaced by `customer_sha256` (see customer_hash); every other detail is
    written with ID and phone numbers masked. `client` says where the request came from (address, session,
    user_agent); by default what set_client_source's function says (the dashboard's request), else nothing.
    The line is chained and signed, the anchor moved on when due. Safe across threads and processes (an
    exclusive flock). AuditKeyError when the trail has keyed lines and its key is missing.
    """
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}: expected one of {', '.join(EVENTS)}")
    return _append(event, user, details, client, Path(audit_file) if audit_file else audit_path())


def set_client_source(source: Callable[[], Mapping[str, object]] | None) -> None:
    """Where record() finds the client of an event recorded without one (the dashboard registers the request's
    address, session and user agent); None: nowhere."""
    global _client_source
    _client_source = source


def reanchor(user: User | str | None, audit_file: Path | str | None = None) -> Anchor:
    """Record an `anchor_reset` (the anchor it replaces, if readable) and anchor that line, whatever the anchor
    said: for an anchor lost or moved, or a finding the bank has investigated. Returns the new anchor."""
    path = Path(audit_file) if audit_file else audit_path()
    key = chain.read_key(audit_key_path(path))
    try:
        old = chain.read_anchor(audit_anchor_path(path), key)
        previous: dict[str, object] = {"seq": old.seq, "hash": old.hash, "time": old.time} if old else {"missing": True}
    except chain.AnchorError as exc:
        previous = {"damaged": str(exc)}
    entry = _append(RESET, user, {"previous": previous}, None, path, force_anchor=True)
    return chain.read_anchor(audit_anchor_path(path), None) or Anchor(int(str(entry["seq"])), str(entry["hash"]), "")


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

    Returns columns: time (UTC), user, event, details (a dict), hash, client (a dict: address, session,
    user_agent where known). Damaged lines are skipped here; verify reports them.
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
        rows.append({**{c: entry.get(c) for c in COLUMNS}, "client": entry.get("client") or {}, "time": when})
    rows = rows[::-1][:limit] if limit is not None else rows[::-1]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    return frame


def verify_chain(audit_file: Path | str | None = None) -> tuple[bool, int | None]:
    """(True, None) when the trail, its key and its anchor agree (audit_verify.verify); else (False, the first
    line found wrong or missing, None for a finding about the whole file such as a missing key or anchor)."""
    verdict = verify(audit_file)
    return verdict.intact, verdict.first_line


def _utc(moment: datetime | str | None) -> pd.Timestamp | None:
    if moment is None:
        return None
    stamp = pd.Timestamp(moment)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


# ---- the chain ---------------------------------------------------------------------------------

_client_source: Callable[[], Mapping[str, object]] | None = None


def _append(
    event: str,
    user: User | str | None,
    details: Mapping[str, object],
    client: Mapping[str, object] | None,
    path: Path,
    *,
    force_anchor: bool = False,
) -> dict[str, object]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        scrubbed = {k: _scrub(v, k) for k, v in details.items() if k != "customer_id"}
        if "customer_id" in details:
            scrubbed["customer_sha256"] = customer_hash(str(details["customer_id"]), path)
        found = client if client is not None else (_client_source() if _client_source else None)
        body: dict[str, object] = {
            "time": datetime.now(UTC).isoformat(timespec="microseconds"),
            "user": user.username if isinstance(user, User) else user,
            "event": event,
            "details": scrubbed,
            "client": {str(k): _scrub(v) for k, v in (found or {}).items() if v is not None},  # by pattern only
        }
        return append_line(handle, path, body, force_anchor=force_anchor)


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
