"""A derived query: the one SELECT that builds rows of a derived table, with its parameters.

The text is written once, in DuckDB's dialect with `$name` parameters. The load inserts it into the table with the
parameters bound (`insert`); the warehouse renders the same text for Spark SQL with the parameters inlined as typed
literals (`analytics.store.derived.dialect.spark_sql`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb


@dataclass(frozen=True)
class Query:
    table: str  # the derived table its rows go into, columns in the table's order
    sql: str
    params: dict = field(default_factory=dict)


def insert(con: duckdb.DuckDBPyConnection, query: Query) -> None:
    """Insert the query's rows into its table, on `con` (inside the load's transaction)."""
    con.execute(f"insert into {query.table} {query.sql}", query.params)
