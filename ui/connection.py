"""The dashboard's database: one sealed read-only connection per process for the current generation of the
file ($BANK_DB, else data/bank.duckdb), reopened when a load has written a new generation, so serving users
and loading extracts never lock each other out. Pages take a cursor per query through analytics."""

from __future__ import annotations

import threading

import duckdb

from analytics.core.config import database_path
from analytics.store.generations import generation, open_current_reader, writing

_lock = threading.Lock()
_current: dict[str, object] = {}


def get_connection() -> duckdb.DuckDBPyConnection:
    """A cursor of the reader of the database's current generation (reopened when a load has replaced the
    file). Each caller gets its own cursor: sessions run in threads, and DuckDB refuses a connection that
    another thread is using. Sessions still holding the previous reader finish on it."""
    path = database_path()
    with _lock:
        if generation(path) is None:
            with writing(path):  # an empty database with its tables, for the empty state
                pass
        key = (str(path), generation(path))
        if _current.get("key") != key:
            reader = open_current_reader(path)  # may rebuild an older version's derived tables: a new generation
            _current["key"], _current["con"] = (str(path), generation(path)), reader
        return _current["con"].cursor()  # type: ignore[union-attr]
