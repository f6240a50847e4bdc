"""Spark builds the same derived tables as the load, on the small bank (rulebook months with the downgrade buffer
beside the fixture bank) and on a 20,000-customer demo bank; the attached database answers every report as the
loaded one does."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from analytics.cli.lists import LISTS
from analytics.cli.main import main
from analytics.warehouse.layout import BUILT, SNAPSHOTS, columns
from analytics.warehouse.manifest import read
from tests.warehouse.conftest import SMALL_BRANCH, Built
from tests.warehouse.parity import built_rows, differences, loaded_rows

pytestmark = pytest.mark.xdist_group("spark")


@pytest.mark.parametrize("table", [SNAPSHOTS, *BUILT])
def test_build_small_bank_equals_load(small_bank: Built, table: str) -> None:
    loaded = loaded_rows(small_bank.loaded, table)
    assert loaded, table  # every table has rows on this bank: the comparison compares something
    assert differences(loaded, built_rows(small_bank.build, table), columns(table)) == []


@pytest.mark.parametrize("table", [SNAPSHOTS, *BUILT])
def test_build_demo_bank_equals_load(demo_bank_built: Built, table: str) -> None:
    loaded = loaded_rows(demo_bank_built.loaded, table)
    assert differences(loaded, built_rows(demo_bank_built.build, table), columns(table)) == []


def test_build_tiers_the_rulebook_with_the_buffer(small_bank: Built) -> None:
    names = columns(SNAPSHOTS)
    rows = [dict(zip(names, r)) for r in built_rows(small_bank.build, SNAPSHOTS)]
    path = {(r["customer_id"], r["period"]): (r["tier"], r["strikes"]) for r in rows if r["branch_id"] == SMALL_BRANCH}
    # R05: 120,000 / 80,000 / 110,000 / 85,000 / 110,000 stays affluent (2), strikes 0 1 0 1 0
    assert [path["R05", p] for p in sorted(p for c, p in path if c == "R05")] == [
        (2, 0),
        (2, 1),
        (2, 0),
        (2, 1),
        (2, 0),
    ]
    # R06: 120,000 / 80,000 / 80,000 / 80,000 / 40,000 moves down at the 2nd month below: A A E E E
    assert [path["R06", p][0] for p in sorted(p for c, p in path if c == "R06")] == [2, 2, 1, 1, 1]


def test_build_manifest_counts_by_hand(small_bank: Built) -> None:
    periods = {p["period"]: p for p in read(small_bank.build)["periods"]}
    # 01-31: the 14 rulebook customers; 02-28: 13 (R08 has no row); 03-31: 14 + the fixture bank's 18 rows
    assert [periods[d]["rows"] for d in ("2026-01-31", "2026-02-28", "2026-03-31")] == [14, 13, 32]
    # 30,000 + 2 x 70,000 + 3 x 120,000 + 250,000 + 120,000 + 50 + 20,000 + 10,000 + 5,000 + 70,000 + 10,000
    assert Decimal(periods["2026-01-31"]["aum_total"]) == Decimal("1015050.00")
    assert read(small_bank.build)["policy"]["sha256"] == small_bank.policy.sha256


def _report(capsys: pytest.CaptureFixture[str], db: object, *args: str) -> object:
    assert main(["report", *args, "--db", str(db), "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


REPORTS = [
    ("tiers",),
    ("tiers", "--by", "branch"),
    ("migration",),
    ("migration", "--from", "2026-04-30", "--to", "2026-09-30"),
    ("scorecard",),
    ("scorecard", "--by", "manager"),
    ("churn",),
    ("accountability", "--from", "2026-04-30", "--to", "2026-09-30"),
    ("roles",),
    *[("list", name, "--period", "2026-09-30") for name in LISTS],
]


@pytest.mark.parametrize("args", REPORTS, ids=["-".join(a) for a in REPORTS])
def test_attach_reports_equal_loaded(demo_bank_built: Built, capsys: pytest.CaptureFixture[str], args) -> None:
    loaded = _report(capsys, demo_bank_built.loaded, *args)
    attached = _report(capsys, demo_bank_built.attached, *args)
    assert attached == loaded


def test_attach_what_if_report_equals_loaded(demo_bank_built: Built, capsys, tmp_path) -> None:
    other = tmp_path / "other.toml"
    other.write_text(demo_bank_built.policy.text.replace("downgrade_after = 2", "downgrade_after = 3"), "utf-8")
    period = date(2026, 9, 30).isoformat()
    loaded = _report(capsys, demo_bank_built.loaded, "tiers", "--period", period, "--policy", str(other))
    attached = _report(capsys, demo_bank_built.attached, "tiers", "--period", period, "--policy", str(other))
    assert attached == loaded


def test_build_from_a_catalog_table_equals_the_parquet_build(small_bank: Built, spark, tmp_path) -> None:
    """`--table`: the snapshots read by name from the session's catalog (as from a Hive table), not from files."""
    from analytics.warehouse.spark_build import build

    spark.read.parquet(str(small_bank.build.parent / "export" / SNAPSHOTS)).createOrReplaceTempView("bank_snapshots")
    build(spark, small_bank.policy, tmp_path / "from-table", table="bank_snapshots")
    assert read(tmp_path / "from-table")["build"]["source"] == "bank_snapshots"
    for table in (SNAPSHOTS, *BUILT):
        parquet = built_rows(small_bank.build, table)
        assert differences(parquet, built_rows(tmp_path / "from-table", table), columns(table)) == [], table
    periods = {p["period"]: p["rows"] for p in read(tmp_path / "from-table")["periods"]}
    assert [periods[d] for d in ("2026-01-31", "2026-02-28", "2026-03-31")] == [14, 13, 32]  # as counted by hand
