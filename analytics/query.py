"""Running analytics SQL: a cursor per query, values as named parameters (only those the text uses)."""
from __future__ import annotations

import re

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
