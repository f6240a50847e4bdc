"""A dashboard database from a warehouse build: the derived tables imported and checked against the manifest, the
customer lists reading the build's snapshot Parquet in place.

Like a load, the attach writes a copy of the database and swaps it in (store.generations.writing), all or
nothing: every count and total of the manifest is compared with the tables imported, and any difference refuses
the build with nothing attached. customer_snapshot becomes a view over the build's Parquet files (partition
pruning by period and branch); the files are listed in warehouse_files, the only paths the dashboard's sealed
reader may open (store.generations.open_reader).
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from analytics.core.policy import parse_policy
from analytics.core.sql import transaction
from analytics.store.generations import WAREHOUSE_FILES, writing
from analytics.store.policy_record import record_policy
from analytics.store.schema import DERIVED_TABLES
from analytics.store.write import log_load
from analytics.warehouse import manifest
from analytics.warehouse.layout import BUILT, MANIFEST, PARTITIONS, SNAPSHOTS, columns, duckdb_type, files

HIVE_TYPES = "{'period': 'date', 'branch_id': 'varchar'}"


class AttachError(Exception):
    """The build does not match its manifest (or is incomplete): nothing was attached."""


def attach(folder: Path, db: Path) -> dict[str, Any]:
    """Make `db` the dashboard database of the build in `folder` (swapped in whole). Returns the manifest."""
    folder = folder.resolve()
    try:
        content = manifest.read(folder)
    except (OSError, ValueError) as error:
        raise AttachError(f"{folder}: {error}") from None
    policy = parse_policy(content["policy"]["text"], content["policy"]["source"] or "warehouse policy")
    if policy.sha256 != content["policy"]["sha256"]:
        raise AttachError(f"{folder / MANIFEST}: the policy text does not have the fingerprint recorded")
    snapshot_files = files(folder / SNAPSHOTS)
    table_files = {t: files(folder / t) for t in BUILT}
    missing = [t for t, found in {SNAPSHOTS: snapshot_files, **table_files}.items() if not found]
    if missing:
        raise AttachError(f"{folder}: no Parquet files for {', '.join(missing)}")
    manifest_sha = hashlib.sha256((folder / MANIFEST).read_bytes()).hexdigest()
    with writing(db) as con, transaction(con):
        _clear(con)
        con.execute(snapshot_view(snapshot_files))
        for table in BUILT:
            picked = ", ".join(columns(table))
            con.execute(
                f"insert into {table} select {picked} from read_parquet($files)",
                {"files": [str(f) for f in table_files[table]]},
            )
        totals = {
            t: manifest.summarise(t, con.execute(manifest.totals_sql(t, t)).fetchall()) for t in (SNAPSHOTS, *BUILT)
        }
        problems = manifest.mismatches(content, totals)
        if problems:
            shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
            raise AttachError(f"{folder}: the tables do not match the manifest, nothing attached: {shown}")
        _record(con, content, policy, folder, manifest_sha, snapshot_files)
    return content


def snapshot_view(snapshot_files: list[Path]) -> str:
    """customer_snapshot as a view over the files, in the store's column order and types (Spark has no unsigned
    types: those columns are cast back)."""
    listed = ", ".join("'" + str(f).replace("'", "''") + "'" for f in snapshot_files)
    exprs = [
        f"cast({c} as {duckdb_type(SNAPSHOTS, c)}) as {c}" if duckdb_type(SNAPSHOTS, c).startswith("U") else c
        for c in columns(SNAPSHOTS)
    ]
    return (
        f"create view {SNAPSHOTS} as select {', '.join(exprs)} from read_parquet([{listed}], "
        f"hive_partitioning = true, hive_types = {HIVE_TYPES})"
    )


def _clear(con: duckdb.DuckDBPyConnection) -> None:
    """Empty what a build replaces: snapshots, derived tables and the period records (load history, targets and
    other tables of the bank's own stay)."""
    kind = con.execute(
        "select table_type from information_schema.tables where table_schema = 'main' and table_name = $name",
        {"name": SNAPSHOTS},
    ).fetchone()
    con.execute(f"drop {'view' if kind and kind[0] == 'VIEW' else 'table'} if exists {SNAPSHOTS}")
    for table in (*DERIVED_TABLES, "period_source", "branch_source"):
        con.execute(f"delete from {table}")
    con.execute(f"create or replace table {WAREHOUSE_FILES} (path varchar not null)")


def _record(
    con: duckdb.DuckDBPyConnection,
    content: dict[str, Any],
    policy: Any,
    folder: Path,
    sha: str,
    snapshot_files: list[Path],
) -> None:
    record_policy(con, policy)
    periods = [date.fromisoformat(p["period"]) for p in content["periods"]]
    rows = sum(p["rows"] for p in content["periods"])
    aum = sum((Decimal(p["aum_total"]) for p in content["periods"]), Decimal(0))
    name = f"warehouse build {folder}"
    load_id = log_load(
        con, name, sha, periods, rows, aum, policy, "attached", 0, f"{len(periods)} periods from {folder}"
    )
    for p in content["periods"]:
        con.execute(
            "insert into period_source values ($period, $load_id, $sha, $name, $rows, $aum)",
            {"period": p["period"], "load_id": load_id, "sha": sha, "name": name, "rows": p["rows"],
             "aum": Decimal(p["aum_total"])},
        )  # fmt: skip
    con.execute(
        f"""insert into branch_source
        select {", ".join(PARTITIONS)}, $load_id, $sha, $name, count(*), sum(aum) from {SNAPSHOTS}
        group by {", ".join(PARTITIONS)}""",
        {"load_id": load_id, "sha": sha, "name": name},
    )
    con.execute(f"insert into {WAREHOUSE_FILES} select unnest($files)", {"files": [str(f) for f in snapshot_files]})
    con.execute("insert or replace into meta values ('warehouse', $folder)", {"folder": str(folder)})
