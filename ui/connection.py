"""The dashboard's one DuckDB connection per process; pages take a cursor per query through analytics."""
from __future__ import annotations

import os
from pathlib import Path

import duckdb
import streamlit as st

from analytics.store import DEFAULT_DB


def database_path() -> Path:
    return Path(os.environ.get("BANK_DB", DEFAULT_DB))


@st.cache_resource
def connection(path: str) -> duckdb.DuckDBPyConnection | None:
    if not Path(path).exists():
        return None
    return duckdb.connect(path, read_only=True)


def get_connection() -> duckdb.DuckDBPyConnection | None:
    return connection(str(database_path()))
