"""The dashboard's database: one sealed read-only connection per process for the current generation of the
file, and loads that write a new generation (analytics.generations), so serving users and loading extracts
never lock each other out. Pages take a cursor per query through analytics."""
from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import duckdb

from analytics.audit import record_loads
from analytics.generations import generation, open_current_reader, writing
from analytics.load import LoadResult, load_files
from analytics.store import DEFAULT_DB

_lock = threading.Lock()
_current: dict[str, object] = {}


def database_path() -> Path:
    return Path(os.environ.get("BANK_DB", DEFAULT_DB))


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


def upload_name(name: str, number: int) -> Path:
    """Where an upload is saved, relative to a scratch folder: its own base name cut to fit file-system
    limits (255 bytes), in a numbered folder so that two uploads with one name stay apart."""
    base = Path(name).name or "upload"
    suffix = Path(base).suffix[:16]
    stem = base[: len(base) - len(suffix)]
    while len(stem.encode("utf-8")) > 200:
        stem = stem[:-1]
    return Path(f"{number + 1:03d}") / f"{stem}{suffix}"


def load_into_database(paths: list[Path], progress: Callable[[str, float], None] | None = None,
                       **options: object) -> list[LoadResult]:
    """Load extracts as a new generation of the database (each file all-or-nothing, as in the CLI); every
    file's outcome goes to the audit trail under the signed-in user."""
    from ui.auth import audit_file, current_user

    with writing(database_path()) as con:
        results = load_files(con, paths, progress=progress, **options)
    record_loads(results, current_user(), audit_file())
    return results
