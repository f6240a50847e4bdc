"""The store's snapshots exported as a warehouse table: Hive-partitioned Parquet with the store's types (no Spark)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from analytics.store.write import SNAPSHOT_COLUMNS
from analytics.warehouse.export import export
from analytics.warehouse.layout import SNAPSHOTS, files
from tests.helpers.fixture_bank import P1, P2, P3, fixture_bank


def test_export_writes_one_folder_per_period_and_branch(tmp_path: Path) -> None:
    fixture_bank(tmp_path / "bank.duckdb").close()
    written = export(tmp_path / "bank.duckdb", tmp_path / "out")
    # P1: C01-C11 and C13-C19; P2: C01-C15 (C06 closed) and C17-C19; P3: C01, C02, C04, C05, C07-C14, C17-C20
    assert [(p, n) for p, n, _ in written] == [(P1, 18), (P2, 18), (P3, 16)]
    folders = sorted(
        {f.parent.relative_to(tmp_path / "out" / SNAPSHOTS).as_posix() for f in files(tmp_path / "out" / SNAPSHOTS)}
    )
    assert folders == [f"period={p.isoformat()}/branch_id={b}" for p in (P1, P2, P3) for b in ("B01", "B02")]
    con = duckdb.connect()
    found = [str(f) for f in files(tmp_path / "out" / SNAPSHOTS)]
    types = dict(
        con.execute(
            "select column_name, column_type from (describe select * from read_parquet($f))", {"f": found}
        ).fetchall()
    )
    assert set(types) == set(SNAPSHOT_COLUMNS)  # period and branch_id from the folder names
    assert types["aum"] == "DECIMAL(18,2)" and types["age"] == "SMALLINT" and types["products"] == "VARCHAR[]"
    c14 = con.execute(
        "select aum from read_parquet($f, hive_partitioning = true) where customer_id = 'C14' and period = $p",
        {"f": found, "p": date(2026, 6, 30)},
    ).fetchone()
    assert c14 == (Decimal("99999.99"),)


def test_export_refuses_an_existing_folder(tmp_path: Path) -> None:
    fixture_bank(tmp_path / "bank.duckdb").close()
    (tmp_path / "out" / SNAPSHOTS).mkdir(parents=True)
    with pytest.raises(FileExistsError):
        export(tmp_path / "bank.duckdb", tmp_path / "out")
