"""Attaching a build: all or nothing against its manifest, a new generation like a load, and a reader that opens
the build's snapshot files and nothing else."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from analytics.cli.main import main
from analytics.store.generations import generation, open_current_reader
from analytics.warehouse.layout import MANIFEST, SNAPSHOTS, files
from tests.warehouse.conftest import Built

pytestmark = pytest.mark.xdist_group("spark")


def _copy(build: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "build"
    shutil.copytree(build, copy)
    return copy


def _edit_manifest(build: Path, change) -> None:
    content = json.loads((build / MANIFEST).read_text("utf-8"))
    change(content)
    (build / MANIFEST).write_text(json.dumps(content), "utf-8")


def test_attach_refuses_a_changed_total(small_bank: Built, tmp_path: Path, capsys) -> None:
    build = _copy(small_bank.build, tmp_path)

    def one_cent_more(content: dict) -> None:
        totals = content["tables"]["tier_summary"]["totals"]["2026-03-31"]
        totals["aum"] = str(Decimal(totals["aum"]) + Decimal("0.01"))

    _edit_manifest(build, one_cent_more)
    db = tmp_path / "bank.duckdb"
    assert main(["warehouse", "attach", str(build), "--db", str(db)]) == 1
    error = capsys.readouterr().err
    assert "tier_summary 2026-03-31 aum" in error and "nothing attached" in error
    assert not db.exists()  # nothing attached: not even an empty database


def test_attach_refuses_a_missing_file_and_keeps_the_generation(small_bank: Built, tmp_path: Path, capsys) -> None:
    db = tmp_path / "bank.duckdb"
    shutil.copyfile(small_bank.attached, db)
    before = generation(db)
    build = _copy(small_bank.build, tmp_path)
    files(build / SNAPSHOTS)[0].unlink()  # a branch of a month lost: the snapshot counts no longer match
    assert main(["warehouse", "attach", str(build), "--db", str(db)]) == 1
    assert "customer_snapshot" in capsys.readouterr().err
    assert generation(db) == before


def test_attach_refuses_a_changed_row_count(small_bank: Built, tmp_path: Path) -> None:
    build = _copy(small_bank.build, tmp_path)
    _edit_manifest(build, lambda c: c["tables"]["period_pair"].update(rows=c["tables"]["period_pair"]["rows"] + 1))
    assert main(["warehouse", "attach", str(build), "--db", str(tmp_path / "bank.duckdb")]) == 1


def test_attach_swaps_in_a_new_generation(small_bank: Built, tmp_path: Path) -> None:
    db = tmp_path / "bank.duckdb"
    shutil.copyfile(small_bank.loaded, db)
    before = generation(db)
    assert main(["warehouse", "attach", str(small_bank.build), "--db", str(db)]) == 0
    assert generation(db) != before
    con = open_current_reader(db)
    assert con is not None
    views = con.execute(
        "select count(*) from duckdb_views() where database_name = 'bank' and view_name = 'customer_snapshot'"
    ).fetchone()
    assert views == (1,)  # the lists read the build's Parquet through it
    assert con.execute(
        "select max(outcome) from load_log where load_id = (select max(load_id) from load_log)"
    ).fetchone() == ("attached",)
    con.close()


def test_open_reader_reads_only_the_builds_files(small_bank: Built) -> None:
    con = open_current_reader(small_bank.attached)
    assert con is not None
    # the lists read the snapshot Parquet in place, pruned to the month and branch asked for
    plan = con.execute(
        "explain analyze select count(*) from customer_snapshot where period = date '2026-03-31' and branch_id = 'B02'"
    ).fetchall()[0][1]
    assert "Scanning Files: 1/" in plan
    assert con.execute(
        "select count(*) from customer_snapshot where period = date '2026-03-31' and branch_id = 'B02'"
    ).fetchone() == (7,)  # the fixture bank's B02 at P1: C13 to C19
    outside = [
        "select * from read_csv('/etc/passwd')",
        f"select * from read_parquet('{files(small_bank.build / SNAPSHOTS)[0]}/../../../{MANIFEST}')",
        f"select * from read_parquet('{files(small_bank.build / 'tier_summary')[0]}')",
        f"select * from glob('{small_bank.build}/*')",
    ]
    for sql in outside:
        with pytest.raises(duckdb.Error):
            con.execute(sql).fetchall()
    con.close()
