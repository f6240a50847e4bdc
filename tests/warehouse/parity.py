"""Comparing a table as the load built it in DuckDB with the same table as Spark wrote it: row for row, counts and
money exact, doubles within 1e-12 (lists of structs, such as the Lorenz curve, point by point)."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import duckdb

from analytics.warehouse.layout import columns, files

TOLERANCE = 1e-12


def loaded_rows(db: Path, table: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [tuple(r) for r in con.execute(f"select {', '.join(columns(table))} from {table}").fetchall()]
    finally:
        con.close()


def built_rows(build: Path, table: str) -> list[tuple]:
    found = [str(f) for f in files(build / table)]
    con = duckdb.connect(":memory:")
    try:
        hive = ", hive_partitioning = true, hive_types = {'period': 'date', 'branch_id': 'varchar'}"
        source = f"read_parquet($files{hive if table == 'customer_snapshot' else ''})"
        picked = ", ".join(columns(table))
        return [tuple(r) for r in con.execute(f"select {picked} from {source}", {"files": found}).fetchall()]
    finally:
        con.close()


def _key(row: tuple) -> tuple:
    return tuple((v is None, "" if isinstance(v, float | list) else str(v)) for v in row)


def same(a: object, b: object) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(a, b, rel_tol=0, abs_tol=TOLERANCE)  # type: ignore
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b
    return a == b


def differences(loaded: list[tuple], built: list[tuple], names: list[str]) -> list[str]:
    """Every row that differs (after sorting both sides on their exact columns); empty when the tables agree."""
    if len(loaded) != len(built):
        return [f"{len(loaded)} rows loaded, {len(built)} built"]
    found = []
    for x, y in zip(sorted(loaded, key=_key), sorted(built, key=_key)):
        bad = [n for n, a, b in zip(names, x, y) if not same(a, b)]
        if bad:
            found.append(f"{dict(zip(names, x))} vs {dict(zip(names, y))}: {bad}")
    return found
