"""The dashboard's database: one sealed read-only connection per process for the current generation of the
file ($BANK_DB, else data/bank.duckdb), reopened when a load has written a new generation, so serving users
and loading extracts never lock each other out. Pages take a cursor per query through analytics."""

from __future__ import annotations

import threading

import duckdb

from analytics.core.config import database_path
from analytics.store.catalog import data_version
from analytics.store.generations import generation, open_current_reader, writing

_lock = threading.Lock()
_current: dict[str, object] = {}


def get_connection() -> duckdb.DuckDBPyConnection:
    """A cursor of the reader of the database's current generation (reopened when a load has replaced the
    file). Each caller gets its own cursor: sessions run in threads, and DuckDB refuses a connection that
    another thread is using. Sessions still holding the previous reader finish on it."""
    with _lock:
        return _reader().cursor()


def current_data_version() -> str:
    """analytics.store.catalog.data_version of the current generation, read once per generation: a generation is
    sealed, only a new one (a load, a policy) changes what the analytics return."""
    with _lock:
        reader = _reader()
        if _current.get("version_of") is not reader:
            cursor = reader.cursor()
            try:
                _current["version"], _current["version_of"] = data_version(cursor), reader
            finally:
                cursor.close()
        return _current["version"]  # type: ignore[return-value]


def _reader() -> duckdb.DuckDBPyConnection:
    """The reader of the current generation (under _lock)."""
    path = database_path()
    if generation(path) is None:
        with writing(path):  # an empty database with its tables, for the empty state
            pass
    key = (str(path), generation(path))
    if _current.get("key") != key:
        reader = open_current_reader(path)  # may rebuild an older version's derived tables: a new generation
        _current["key"], _current["con"] = (str(path), generation(path)), reader
    return _current["con"]  # type: ignore[return-value]
