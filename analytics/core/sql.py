"""Running SQL: a cursor per query, values as named parameters (only those the text uses), one transaction helper."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import pandas as pd


def used_params(sql: str, params: dict | None) -> dict:
    """The parameters that `sql` names ($name); DuckDB rejects unused ones."""
    return {k: v for k, v in (params or {}).items() if re.search(rf"\${re.escape(k)}\b", sql)}


def fetch(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> pd.DataFrame:
    cursor = con.cursor()
    try:
        return cursor.execute(sql, used_params(sql, params)).df()
    finally:
        cursor.close()


def fetch_rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> list[tuple]:
    cursor = con.cursor()
    try:
        return cursor.execute(sql, used_params(sql, params)).fetchall()
    finally:
        cursor.close()


def execute(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> list[tuple]:
    """Run `sql` on the connection itself (inside its transaction, where a cursor would not see uncommitted rows)
    and read the result to its end (DuckDB 2.0 results hold the connection)."""
    return con.execute(sql, used_params(sql, params)).fetchall()


def first_row(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> tuple | None:
    """The first row of execute(...), or None."""
    rows = execute(con, sql, params)
    return rows[0] if rows else None


def one_row(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> tuple:
    """The row of a query that always returns exactly one (an aggregate, an insert ... returning)."""
    (row,) = execute(con, sql, params)
    return row


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Everything in the block commits together, or nothing does (rolled back on any exception)."""
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")
