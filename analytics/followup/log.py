"""The follow-up log's store: one SQLite file in WAL mode (safe for concurrent writers and several processes),
apart from the analytics database that every load replaces.

The file is created 0600 in a folder of its own (0700). Each call opens its own connection: a connection is never
shared between threads or processes.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from analytics.core.config import followup_path

CHANNELS = ("phone", "visit", "wechat", "sms", "other")
OUTCOMES = ("reached", "not_reached", "interested", "declined", "callback")
NOTE_MAX = 200  # characters of the short note
NEXT_STEP_MAX = 60
BUSY_MS = 15_000  # how long a writer waits for another writer's transaction

_SCHEMA = """
create table if not exists contact (
    contact_id integer primary key autoincrement,
    customer_id text not null,
    contact_date text not null,
    channel text not null,
    outcome text not null,
    next_step text not null default '',
    note text not null default '',
    username text not null,
    recorded_at text not null
);
create index if not exists contact_customer on contact (customer_id, contact_date);
"""
COLUMNS = (
    "contact_id",
    "customer_id",
    "contact_date",
    "channel",
    "outcome",
    "next_step",
    "note",
    "username",
    "recorded_at",
)


class ContactError(ValueError):
    """A contact that cannot be recorded; the message says which field and why."""


@dataclass(frozen=True)
class Contact:
    customer_id: str
    contact_date: date
    channel: str
    outcome: str
    next_step: str = ""
    note: str = ""

    def checked(self, today: date) -> Contact:
        """The contact with its texts trimmed, or a ContactError."""
        note, step = _text(self.note, NOTE_MAX, "note"), _text(self.next_step, NEXT_STEP_MAX, "next_step")
        if not self.customer_id.strip():
            raise ContactError("customer_id: empty")
        if self.channel not in CHANNELS:
            raise ContactError(f"channel: {self.channel!r} is not one of {', '.join(CHANNELS)}")
        if self.outcome not in OUTCOMES:
            raise ContactError(f"outcome: {self.outcome!r} is not one of {', '.join(OUTCOMES)}")
        if self.contact_date > today:
            raise ContactError(f"contact_date: {self.contact_date} is in the future")
        return Contact(self.customer_id.strip(), self.contact_date, self.channel, self.outcome, step, note)


def _text(value: str, limit: int, name: str) -> str:
    value = " ".join(value.split())  # one line: newlines and tabs folded into spaces
    if len(value) > limit:
        raise ContactError(f"{name}: {len(value)} characters, at most {limit}")
    return value


@contextmanager
def _connect(path: Path | str | None) -> Iterator[sqlite3.Connection]:
    path = Path(path) if path else followup_path()
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))  # the WAL and shm files take its mode
    con = sqlite3.connect(path, timeout=BUSY_MS / 1000, isolation_level=None)
    try:
        con.execute(f"pragma busy_timeout = {BUSY_MS}")
        con.execute("pragma journal_mode = wal")
        con.execute("pragma synchronous = full")
        con.executescript(_SCHEMA)
        yield con
    finally:
        con.close()


def add_contact(contact: Contact, username: str, path: Path | str | None = None) -> int:
    """Append one checked contact (see Contact.checked); returns its contact_id. Scope is the caller's check."""
    contact = contact.checked(date.today())
    recorded = datetime.now(UTC).isoformat(timespec="microseconds")
    with _connect(path) as con:
        con.execute("begin immediate")
        cursor = con.execute(
            "insert into contact (customer_id, contact_date, channel, outcome, next_step, note, username, recorded_at)"
            " values (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                contact.customer_id,
                contact.contact_date.isoformat(),
                contact.channel,
                contact.outcome,
                contact.next_step,
                contact.note,
                username,
                recorded,
            ),
        )
        con.execute("commit")
        return int(cursor.lastrowid or 0)


def _exists(path: Path | str | None) -> bool:
    """Whether the log has been written yet (reading never creates it)."""
    return (Path(path) if path else followup_path()).exists()


def last_contacts(path: Path | str | None = None, until: date | None = None) -> pd.DataFrame:
    """The latest contact date of every customer contacted (on or before `until`, if given). Returns columns:
    customer_id, last_contact (date)."""
    rows = []
    if _exists(path):
        with _connect(path) as con:
            rows = con.execute(
                "select customer_id, max(contact_date) from contact where contact_date <= ? group by customer_id",
                ((until or date.max).isoformat(),),
            ).fetchall()
    frame = pd.DataFrame(rows, columns=["customer_id", "last_contact"])
    frame["last_contact"] = pd.to_datetime(frame["last_contact"]).dt.date
    return frame


def contacts_of(customer_ids: list[str], path: Path | str | None = None, limit: int = 50) -> pd.DataFrame:
    """The latest contacts of the given customers, newest first. Returns the log's COLUMNS."""
    marks = ", ".join("?" for _ in customer_ids) or "null"
    if not _exists(path):
        return pd.DataFrame(columns=list(COLUMNS))
    with _connect(path) as con:
        rows = con.execute(
            f"select {', '.join(COLUMNS)} from contact where customer_id in ({marks})"
            " order by contact_date desc, contact_id desc limit ?",
            (*customer_ids, limit),
        ).fetchall()
    return pd.DataFrame(rows, columns=list(COLUMNS))


def log_version(path: Path | str | None = None) -> int:
    """The highest contact_id written: changes with every contact recorded (a cache key for the call list)."""
    if not _exists(path):
        return 0
    with _connect(path) as con:
        return int(con.execute("select coalesce(max(contact_id), 0) from contact").fetchone()[0])
