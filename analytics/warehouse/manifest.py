"""A build's manifest: the policy it tiered under, its periods (rows and AUM), and per derived table its row count
and per period (or pair) the rows and the sum of every money column. The build writes it from Spark; the attach
computes the same figures from what it imported, in DuckDB, and attaches nothing unless every one agrees.

The figures come from one query per table (`totals_sql`), run by both engines; sums are exact decimals, written as
text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from analytics.core.policy import Policy
from analytics.warehouse.layout import BUILT, MANIFEST, SNAPSHOTS, columns, duckdb_type

FORMAT = "tier-analytics warehouse build 1"


def key_columns(table: str) -> tuple[str, ...]:
    """The columns that say which period (or pair, or cohort start) a row belongs to."""
    names = columns(table)
    for keys in (("period",), ("period_from", "period_to"), ("start",)):
        if all(k in names for k in keys):
            return keys
    raise ValueError(f"{table}: no period column")


def money_columns(table: str) -> list[str]:
    return [c for c in columns(table) if duckdb_type(table, c).startswith("DECIMAL")]


def totals_sql(table: str, source: str) -> str:
    """Per key of `source` (rows of `table`): the rows and the sum of each money column (DuckDB's dialect)."""
    keys = ", ".join(key_columns(table))
    sums = "".join(f", sum({c}) as {c}" for c in money_columns(table))
    return f"select {keys}, count(*) as row_count{sums} from {source} group by {keys}"


def summarise(table: str, rows: Iterable[Sequence[Any]]) -> dict[str, dict[str, Any]]:
    """totals_sql's rows as {key: {"rows": n, column: "sum" or None}}, keys like 2026-09-30 or 2026-06-30/2026-09-30."""
    width = len(key_columns(table))
    money = money_columns(table)
    summary = {}
    for row in rows:
        key = "/".join(_text(v) for v in row[:width])
        summary[key] = {"rows": int(row[width])} | {c: _text(v) for c, v in zip(money, row[width + 1 :])}
    return dict(sorted(summary.items()))


def periods_of(snapshot_totals: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The manifest's periods from customer_snapshot's summary: period, rows, aum_total."""
    return [{"period": key, "rows": v["rows"], "aum_total": v["aum"]} for key, v in snapshot_totals.items()]


def manifest(policy: Policy, totals: dict[str, dict[str, dict[str, Any]]], build: dict[str, Any]) -> dict[str, Any]:
    """`totals`: the summary of customer_snapshot and of every table of BUILT."""
    return {
        "format": FORMAT,
        "policy": {"sha256": policy.sha256, "source": policy.source, "text": policy.text},
        "periods": periods_of(totals[SNAPSHOTS]),
        "tables": {t: {"rows": sum(v["rows"] for v in totals[t].values()), "totals": totals[t]} for t in BUILT},
        "snapshots": {"totals": totals[SNAPSHOTS]},
        "build": build,
    }


def write(folder: Path, content: dict[str, Any]) -> Path:
    path = folder / MANIFEST
    path.write_text(json.dumps(content, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read(folder: Path) -> dict[str, Any]:
    content = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    if content.get("format") != FORMAT:
        raise ValueError(f"{folder / MANIFEST}: not a warehouse build manifest ({FORMAT!r})")
    return content


def mismatches(content: dict[str, Any], totals: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    """Every figure of the manifest that `totals` (computed from the imported tables) does not repeat."""
    found = []
    expected = {SNAPSHOTS: content["snapshots"]["totals"]} | {t: v["totals"] for t, v in content["tables"].items()}
    for table in (SNAPSHOTS, *BUILT):
        want, got = expected.get(table, {}), totals.get(table, {})
        for key in sorted(set(want) | set(got)):
            for column in sorted(set(want.get(key, {})) | set(got.get(key, {}))):
                a, b = want.get(key, {}).get(column), got.get(key, {}).get(column)
                if _number(a) != _number(b):
                    found.append(f"{table} {key} {column}: manifest {a}, tables {b}")
        rows = sum(v["rows"] for v in got.values())
        if table in content["tables"] and content["tables"][table]["rows"] != rows:
            found.append(f"{table}: manifest {content['tables'][table]['rows']} rows, tables {rows}")
    return found


def _text(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def _number(value: Any) -> Any:
    """A sum written as text, as a Decimal (so 12.50 and 12.5 agree); anything else as it is."""
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    return value
