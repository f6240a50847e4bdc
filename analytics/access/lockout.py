"""Sign-in lockouts: failures counted per account and per source address, shared by every server process.

Five failures lock the account for 15 minutes, twenty in a burst lock the source address (a branch behind one NAT
shares it: its staff's typos and their sign-ins in flight at once must not lock them all out); each further
lockout within a day lasts twice as long as the one before (30, 60, 120 minutes, ... at most a day). A quiet day
forgets an account's count; an address forgets one failure for every 3 minutes without one. While locked, every
attempt is refused before any password is checked, the right one included.

An attempt is counted as a failure when it begins (`begin`), in one transaction with the check, so that parallel
guesses cannot all pass the check before any of them is counted; `succeeded` takes the count back. The state is
a SQLite file in WAL mode (`lockout.sqlite`, 0600, in a 0700 folder beside the users file), so that several
server processes share it. Typed account names are kept only as an HMAC under a key of the same file (a name
that does not exist may be a password typed into the wrong field); `name` holds the name of a known account.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

FILE = "lockout.sqlite"
KINDS = ("account", "source")
SCHEMA = """
create table if not exists meta (key text primary key, value text not null);
create table if not exists subject (
    kind text not null, key text not null, name text,
    failures integer not null default 0, lockouts integer not null default 0,
    locked_until real not null default 0, last_failure real not null default 0,
    primary key (kind, key)
);
create table if not exists used_code (key text primary key, step integer not null);
"""


@dataclass(frozen=True)
class Limits:
    failures: int = 5  # failures of an account that start its lockout
    source_failures: int = 20  # failures from one address that start its lockout
    source_leak_minutes: float = 3.0  # an address forgets one failure for each span this long without one
    minutes: float = 15.0  # the first lockout
    growth: float = 2.0  # each further lockout lasts this many times the one before
    max_minutes: float = 24 * 60.0
    forget_hours: float = 24.0  # a subject with no failure for this long starts again from nothing


@dataclass(frozen=True)
class Lock:
    """A lockout an attempt starts if it fails: of which kind, for how long, the how-manieth."""

    kind: str
    name: str | None  # the account's name (known accounts only) or the source address
    until: float
    minutes: float
    count: int


@dataclass(frozen=True)
class Attempt:
    allowed: bool
    account: str  # the HMAC key of the typed name
    source: str
    retry_at: float | None = None  # refused: when the lockout ends
    locks: tuple[Lock, ...] = ()  # allowed: the lockouts it started (taken back if it succeeds)


@dataclass(frozen=True)
class Subject:
    """An account or source with recent failures, as the Audit page shows it."""

    kind: str
    name: str | None
    failures: int
    lockouts: int
    locked_until: float | None  # None when not locked now
    last_failure: float


class LockoutStore:
    def __init__(self, folder: Path | str, limits: Limits = Limits(), clock: Callable[[], float] = time.time) -> None:
        self.folder, self.limits, self.clock = Path(folder), limits, clock

    def begin(self, account: str, source: str, known: bool = False) -> Attempt:
        """Count an attempt of the typed `account` name from `source` as a failure, unless either is locked.

        `known`: the name is an account of the users file (only then is the name itself kept)."""
        now = self.clock()
        with self._transaction() as con:
            key = self._key(con, account)
            subjects = (("account", key, account.strip() if known else None), ("source", source, source))
            rows = {kind: self._row(con, kind, k, now) for kind, k, _ in subjects}
            locked = [row[2] for row in rows.values() if row[2] > now]
            if locked:
                return Attempt(False, key, source, retry_at=max(locked))
            locks = []
            for kind, k, name in subjects:
                failures, lockouts, _ = rows[kind]
                failures, until = failures + 1, 0.0
                if failures >= self.threshold(kind):
                    lockouts, failures = lockouts + 1, 0
                    minutes = min(self.limits.minutes * self.limits.growth ** (lockouts - 1), self.limits.max_minutes)
                    until = now + minutes * 60
                    locks.append(Lock(kind, name, until, minutes, lockouts))
                con.execute(
                    "insert into subject values (?, ?, ?, ?, ?, ?, ?) on conflict (kind, key) do update set"
                    " name = coalesce(excluded.name, name), failures = excluded.failures,"
                    " lockouts = excluded.lockouts, locked_until = excluded.locked_until,"
                    " last_failure = excluded.last_failure",
                    (kind, k, name, failures, lockouts, until, now),
                )
        return Attempt(True, key, source, locks=tuple(locks))

    def succeeded(self, attempt: Attempt, *, complete: bool = True) -> None:
        """Take back the failure `attempt` counted (and any lockout it started). `complete`: the user is signed
        in, so the account's failures are cleared; a first factor passed (a code still to come) clears nothing."""
        if not attempt.allowed:
            return
        with self._transaction() as con:
            for kind, key in (("account", attempt.account), ("source", attempt.source)):
                lock = next((x for x in attempt.locks if x.kind == kind), None)
                if lock is not None:  # this attempt started it: the count stands where it stood before
                    con.execute(
                        "update subject set locked_until = 0, lockouts = lockouts - 1, failures = ?"
                        " where kind = ? and key = ? and locked_until = ?",
                        (self.threshold(kind) - 1, kind, key, lock.until),
                    )
                else:
                    con.execute(
                        "update subject set failures = max(failures - 1, 0) where kind = ? and key = ?", (kind, key)
                    )
            if complete:
                con.execute("update subject set failures = 0 where kind = 'account' and key = ?", (attempt.account,))

    def threshold(self, kind: str) -> int:
        """The failures that lock a subject of `kind`."""
        return self.limits.failures if kind == "account" else self.limits.source_failures

    def first_use(self, account: str, step: int) -> bool:
        """Record that `account` used the one-time code of time step `step`; False when it (or a later one) was
        used already: a code works once."""
        with self._transaction() as con:
            key = self._key(con, account)
            row = con.execute("select step from used_code where key = ?", (key,)).fetchone()
            if row is not None and row[0] >= step:
                return False
            con.execute(
                "insert into used_code values (?, ?) on conflict (key) do update set step = excluded.step", (key, step)
            )
        return True

    def status(self) -> list[Subject]:
        """Subjects locked now or with a failure within the forget period: locked first, then latest failure."""
        if not (self.folder / FILE).exists():
            return []
        now = self.clock()
        with self._transaction() as con:
            rows = con.execute(
                "select kind, name, failures, lockouts, locked_until, last_failure from subject"
                " where locked_until > ? or (failures > 0 and last_failure > ?)"
                " order by locked_until > ? desc, last_failure desc",
                (now, now - self.limits.forget_hours * 3600, now),
            ).fetchall()
        return [Subject(k, n, f, lo, u if u > now else None, last) for k, n, f, lo, u, last in rows]

    # ---- the file ------------------------------------------------------------------------------

    def _row(self, con: sqlite3.Connection, kind: str, key: str, now: float) -> tuple[int, int, float]:
        row = con.execute(
            "select failures, lockouts, locked_until, last_failure from subject where kind = ? and key = ?", (kind, key)
        ).fetchone()
        if row is None:
            return 0, 0, 0.0
        failures, lockouts, until, last = row
        if until <= now and now - last > self.limits.forget_hours * 3600:
            return 0, 0, 0.0
        if kind == "source" and until <= now:  # a leaky bucket: the quiet spans since the last failure are forgotten
            failures = max(failures - int((now - last) / (self.limits.source_leak_minutes * 60)), 0)
        return failures, lockouts, until

    @staticmethod
    def _key(con: sqlite3.Connection, account: str) -> str:
        row = con.execute("select value from meta where key = 'hmac_key'").fetchone()
        if row is None:
            row = (secrets.token_hex(32),)
            con.execute("insert into meta values ('hmac_key', ?)", row)
        name = account.strip().casefold().encode()
        return hmac.new(bytes.fromhex(row[0]), name, hashlib.sha256).hexdigest()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE: one writer at a time across processes), committed on success."""
        con = self._connect()
        try:
            con.execute("begin immediate")
            yield con
            con.execute("commit")
        except BaseException:
            if con.in_transaction:
                con.execute("rollback")
            raise
        finally:
            con.close()

    def _connect(self) -> sqlite3.Connection:
        if not self.folder.exists():
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.folder / FILE
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))  # SQLite gives -wal and -shm the same mode
        con = sqlite3.connect(path, timeout=30, isolation_level=None)
        con.execute("pragma journal_mode = wal")
        con.execute("pragma synchronous = normal")
        con.executescript(SCHEMA)
        return con
