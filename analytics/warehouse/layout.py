"""What a warehouse folder holds, and the store's column types read from its schema (for Spark and for DuckDB).

An export (`warehouse export`): customer_snapshot/period=YYYY-MM-DD/branch_id=.../*.parquet, the snapshot
columns a load writes (store.write.SNAPSHOT_COLUMNS). A build (`warehouse build`): the same layout with every
column of the store's customer_snapshot (the tier path computed), a folder of Parquet per derived table, and
manifest.json.
"""

from __future__ import annotations

import functools
from pathlib import Path

import sqlglot
from sqlglot import exp

from analytics.store.schema import SCHEMA

SNAPSHOTS = "customer_snapshot"
MANIFEST = "manifest.json"
PARTITIONS = ("period", "branch_id")
# the derived tables a build writes, in the order they are built (scorecard_summary reads migration_summary)
BUILT = (
    "tier_summary",
    "band_summary",
    "segment_summary",
    "unit_directory",
    "concentration_summary",
    "top_customers",
    "month_leavers",
    "retention_summary",
    "survival_summary",
    "migration_summary",
    "scorecard_summary",
    "period_pair",
)


@functools.cache
def _tables() -> dict[str, list[tuple[str, exp.DataType]]]:
    tables = {}
    for statement in sqlglot.parse(SCHEMA, read="duckdb"):
        if isinstance(statement, exp.Create) and statement.kind == "TABLE":
            schema = statement.this
            tables[schema.this.name] = [
                (c.name, c.args["kind"]) for c in schema.expressions if isinstance(c, exp.ColumnDef)
            ]
    return tables


def columns(table: str) -> list[str]:
    return [name for name, _ in _tables()[table]]


def duckdb_type(table: str, column: str) -> str:
    return dict(_tables()[table])[column].sql("duckdb")


def spark_type(table: str, column: str) -> str:
    """The column's type in Spark (an unsigned tinyint becomes a smallint; Spark has no unsigned types)."""
    return dict(_tables()[table])[column].sql("spark")


def typed_select(table: str, source: str, skip: tuple[str, ...] = ()) -> str:
    """Spark SQL: the store table's columns of `source`, each cast to its type, in the table's order."""
    picked = [c for c in columns(table) if c not in skip]
    return f"select {', '.join(f'cast({c} as {spark_type(table, c)}) as {c}' for c in picked)} from {source}"


def files(folder: Path) -> list[Path]:
    """The Parquet files under `folder`, sorted."""
    return sorted(folder.rglob("*.parquet"))
