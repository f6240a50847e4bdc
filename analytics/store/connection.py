"""Opening the database file: its tables created when writable, derived tables of an older layout rebuilt."""

from __future__ import annotations

from pathlib import Path

import duckdb

from analytics.core.config import DEFAULT_DB
from analytics.core.sql import first_row, one_row, transaction
from analytics.store.derived.refresh import refresh
from analytics.store.policy_record import current_policy
from analytics.store.schema import ADDED_COLUMNS, DERIVED_TABLES, DERIVED_VERSION, SCHEMA
from analytics.store.tiering import retier


def connect(
    path: Path | str | None = None, read_only: bool = False, memory_limit: str | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the database, creating its tables when writable; with `memory_limit`, DuckDB's, set before a rebuild of
    the derived tables of an older layout so that the rebuild spills past it too."""
    path = Path(path) if path else DEFAULT_DB
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    if memory_limit:
        con.execute("set memory_limit = $limit", {"limit": memory_limit})
    con.execute("set enable_progress_bar = false")
    con.execute(SCHEMA)
    if not _is_view(con, "customer_snapshot"):  # a view over a warehouse build's Parquet has every column
        for column, kind in ADDED_COLUMNS.items():
            con.execute(f"alter table customer_snapshot add column if not exists {column} {kind}")
    _upgrade_derived(con)
    return con


def _is_view(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = first_row(con, "select count(*) from duckdb_views() where view_name = $name and not internal", {"name": name})
    return bool(row and row[0])


def is_current_layout(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the database's derived tables have this version's layout."""
    row = first_row(con, "select value from meta where key = 'derived_version'")
    return row is not None and row[0] == DERIVED_VERSION


def _upgrade_derived(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the derived tables of a database written by an older layout (they hold nothing of their own)."""
    if is_current_layout(con):
        return
    with transaction(con):
        for table in DERIVED_TABLES:
            con.execute(f"drop table if exists {table}")
        con.execute(SCHEMA)
        if one_row(con, "select count(*) from period_source")[0]:
            policy = current_policy(con)
            retier(con, policy, None)
            refresh(con, policy, None)
        con.execute("insert or replace into meta values ('derived_version', $version)", {"version": DERIVED_VERSION})
