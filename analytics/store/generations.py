"""Readers and writers of the database file without locking each other out.

A writer never changes the file readers have open: it loads into a copy and, once every transaction is
committed and checkpointed, renames the copy over the file. Readers keep the generation they opened (the
old inode stays valid) and reopen when the file changes, so a dashboard serving users never meets a lock
error and never sees a half-loaded period; a writer killed at any moment leaves only a stray copy, named
with its process id, which the next writer removes once that process no longer exists.
Readers are sealed: no file access, no extensions, no attaching, and the configuration is locked. A database
attached to a warehouse build (analytics.warehouse.attach) reads its customer snapshots from the build's Parquet
files: its readers may open exactly the files it lists in warehouse_files, and nothing else.
"""

from __future__ import annotations

import atexit
import fcntl
import functools
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from analytics.core.config import READER_SPILL_PREFIX
from analytics.ingest.scratch import process_exists
from analytics.store.connection import connect, is_current_layout

CATALOG = "bank"
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
LOAD_MEMORY_LIMIT = "4GB"  # with the file's text batches in Python, a load stays within about 6 GB
WAREHOUSE_FILES = "warehouse_files"  # the Parquet files an attached build's customer_snapshot view reads
READER_MEMORY_LIMIT = "3GB"  # the dashboard's queries: most read small derived tables; joins of two months spill


def generation(path: Path) -> tuple[int, int] | None:
    """Identifies the file's current generation (inode, modification time); None when there is no database."""
    try:
        stat = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return stat.st_ino, stat.st_mtime_ns


@functools.cache
def spill_folder() -> Path:
    """This process's own folder for what its readers' large queries spill (0700, removed when the process ends)."""
    folder = Path(tempfile.mkdtemp(prefix=READER_SPILL_PREFIX))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def open_reader(path: Path) -> duckdb.DuckDBPyConnection | None:
    """A read-only connection to the current generation that cannot touch files or load extensions.

    Every table of the database is a view in the connection's default catalog, so cursors (which start in
    the default catalog) query it by its plain name.
    """
    if generation(path) is None:
        return None
    con = duckdb.connect(":memory:")
    con.execute(f"attach $path as {CATALOG} (read_only)", {"path": str(path)})
    tables = con.execute(
        "select table_name from duckdb_tables() where database_name = $catalog union all "
        "select view_name from duckdb_views() where database_name = $catalog and not internal",
        {"catalog": CATALOG},
    ).fetchall()
    for (table,) in tables:
        con.execute(f'create view "{table}" as select * from {CATALOG}.main."{table}"')
    if (WAREHOUSE_FILES,) in tables:  # exact files, not a folder: a path with '..' in it is no way out
        files = [row[0] for row in con.execute(f"select path from {WAREHOUSE_FILES}").fetchall()]
        con.execute("set allowed_paths = $files", {"files": files})
    con.execute(
        "set memory_limit = $limit", {"limit": READER_MEMORY_LIMIT}
    )  # live queries past it spill to the temp folder
    con.execute("set temp_directory = $folder", {"folder": str(spill_folder())})
    con.execute("set enable_progress_bar = false")
    con.execute("set enable_external_access = false")
    con.execute("set autoinstall_known_extensions = false")
    con.execute("set autoload_known_extensions = false")
    con.execute("set lock_configuration = true")
    return con


def open_current_reader(path: Path) -> duckdb.DuckDBPyConnection | None:
    """open_reader, after rebuilding the derived tables in a new generation when an older version of the product
    wrote them (a database built before an upgrade: its summary tables would be missing or stale)."""
    con = open_reader(path)
    if con is None or is_current_layout(con):
        return con
    con.close()
    with writing(path):
        pass  # connect() rebuilds the copy's derived tables before it replaces the file
    return open_reader(path)


@contextmanager
def writing(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a copy of the database that replaces it when the block ends without error.

    One writer at a time (a lock file beside the database); copies left by a killed writer are removed.
    """
    path = Path(path)
    if path.exists() and not is_database(path):
        raise OSError(f"{path} exists and is not a DuckDB database: refusing to write beside it")
    if not path.parent.exists():
        path.parent.mkdir(mode=PRIVATE_FOLDER, parents=True)  # a folder of its own: only its owner may enter
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        remove_stray_copies(path)
        copy = path.with_name(f"{path.name}.loading-{os.getpid()}")
        con = None
        try:
            if path.exists():
                shutil.copyfile(path, copy)
            con = connect(copy, memory_limit=LOAD_MEMORY_LIMIT)  # DuckDB spills past it, an upgrade's rebuild too
            os.chmod(copy, PRIVATE_FILE)  # names, ID numbers and phones: readable by their owner only
            yield con
            con.execute("checkpoint")
            con.close()
            _fsync(copy)
            os.replace(copy, path)
            _fsync(path.parent)
        except BaseException:
            if con is not None:
                con.close()
            for leftover in (copy, copy.with_name(copy.name + ".wal")):
                leftover.unlink(missing_ok=True)
            raise


def remove_stray_copies(path: Path) -> list[Path]:
    """Remove what writers that no longer run left beside the database: their copy, its WAL and DuckDB's spill
    folder (`bank.duckdb.loading-<pid>`, `.wal`, `.tmp`); never those of a live process. Call it holding the
    writer's lock: a copy of this process's own id is then a leftover too (and its WAL would be replayed into
    the next copy of that name)."""
    pattern = re.compile(rf"{re.escape(path.name)}\.loading-(\d+)(\.wal|\.tmp)?")
    removed = []
    for stray in path.parent.glob(path.name + ".loading-*"):
        match = pattern.fullmatch(stray.name)
        if match is None or (int(match[1]) != os.getpid() and process_exists(int(match[1]))):
            continue
        if stray.is_dir() and not stray.is_symlink():
            shutil.rmtree(stray)
        else:
            stray.unlink(missing_ok=True)
        removed.append(stray)
    return removed


def is_database(path: Path) -> bool:
    """A regular file that starts like a DuckDB database file (its magic bytes sit at offset 8)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(12)[8:12] == b"DUCK"
    except OSError:
        return False


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
