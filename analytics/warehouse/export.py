"""The store's validated snapshots as a warehouse table would hold them: Hive-partitioned Parquet,
customer_snapshot/period=YYYY-MM-DD/branch_id=.../*.parquet, with the columns and types a load writes
(store.write.SNAPSHOT_COLUMNS; the tier path is the build's to compute)."""

from __future__ import annotations

import os
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

from analytics.store.connection import connect
from analytics.store.write import SNAPSHOT_COLUMNS
from analytics.warehouse.layout import PARTITIONS, SNAPSHOTS


def export(db: Path, out: Path) -> list[tuple[date, int, Decimal]]:
    """Write every loaded period of `db` under out/customer_snapshot (written beside it, then renamed into place,
    so a failed export leaves nothing). Returns per period: rows and AUM total written."""
    target = out / SNAPSHOTS
    if target.exists():
        raise FileExistsError(f"{target} exists: export into a new folder")
    out.mkdir(parents=True, exist_ok=True)
    partial = out / f".{SNAPSHOTS}.exporting-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    con = connect(db, read_only=True)
    try:
        con.execute("set enable_progress_bar = false")
        con.execute(
            f"copy (select {', '.join(SNAPSHOT_COLUMNS)} from customer_snapshot order by period, branch_id, "
            f"customer_id) to '{_quoted(partial)}' (format parquet, partition_by ({', '.join(PARTITIONS)}))"
        )
        files = [str(p) for p in sorted(partial.rglob("*.parquet"))]
        written = con.execute(
            "select period, count(*), sum(aum) from read_parquet($files, hive_partitioning = true, "
            "hive_types = {'period': 'date', 'branch_id': 'varchar'}) group by period order by period",
            {"files": files},
        ).fetchall()
        expected = con.execute(
            "select period, count(*), sum(aum) from customer_snapshot group by period order by period"
        ).fetchall()
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        con.close()
    if written != expected:
        shutil.rmtree(partial, ignore_errors=True)
        raise RuntimeError(f"export check failed: wrote {written}, the store holds {expected}")
    os.replace(partial, target)
    return [(p, int(n), Decimal(a)) for p, n, a in written]


def _quoted(path: Path) -> str:
    """A path as the text of a SQL string literal (COPY's target cannot be a bound parameter)."""
    return str(path.resolve()).replace("'", "''")
