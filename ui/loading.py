"""Loads started from the dashboard: uploads saved under their own names, written as a new generation of the
database, every file's outcome in the audit trail under the signed-in user."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from analytics.access.audit import record_loads
from analytics.core.config import database_path
from analytics.store.generations import writing
from analytics.store.load import load_files
from analytics.store.load_result import LoadResult
from ui.audit_trail import audit_file
from ui.auth import current_user


def upload_name(name: str, number: int) -> Path:
    """Where an upload is saved, relative to a scratch folder: its own base name cut to fit file-system
    limits (255 bytes), in a numbered folder so that two uploads with one name stay apart."""
    base = Path(name).name or "upload"
    suffix = Path(base).suffix[:16]
    stem = base[: len(base) - len(suffix)]
    while len(stem.encode("utf-8")) > 200:
        stem = stem[:-1]
    return Path(f"{number + 1:03d}") / f"{stem}{suffix}"


def load_into_database(
    paths: Iterable[Path], progress: Callable[[str, float], None] | None = None, **options: object
) -> list[LoadResult]:
    """Load extracts as a new generation of the database (each file all-or-nothing, as in the CLI); every
    file's outcome goes to the audit trail under the signed-in user."""
    with writing(database_path()) as con:
        results = load_files(con, paths, progress=progress, **options)
    record_loads(results, current_user(), audit_file())
    return results
