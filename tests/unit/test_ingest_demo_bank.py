"""The product's demo bank: the generator run as a program of its own, each month named as soon as it is written."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from analytics.ingest.demo_bank import demo_extracts
from analytics.store.connection import connect
from analytics.store.load import load_files
from tools.demo_bank.simulate import generate_extracts


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_demo_extracts_names_each_month_in_order_with_the_generators_bytes(tmp_path):
    # the program's files are the in-process generator's files, byte for byte (same arguments, same seed)
    paths = list(demo_extracts(tmp_path / "program", customers=300, months=3, end=date(2026, 9, 30)))
    direct = generate_extracts(tmp_path / "direct", customers=300, months=3, end=date(2026, 9, 30))
    assert [p.name for p in paths] == ["extract_2026-07-31.csv", "extract_2026-08-31.csv", "extract_2026-09-30.csv"]
    assert [digest(p) for p in paths] == [digest(p) for p in direct]


def test_demo_extracts_says_why_the_generator_refused(tmp_path):
    with pytest.raises(ValueError, match="2026-09-29 is not a month end"):
        list(demo_extracts(tmp_path, customers=300, months=2, end=date(2026, 9, 29)))


def test_demo_extracts_stopped_early_writes_no_further_month(tmp_path):
    # months of 50,000 customers take a good part of a second each: far longer than stopping takes
    months = demo_extracts(tmp_path, customers=50_000, months=12, end=date(2026, 9, 30))
    first = next(months)
    months.close()  # the loader needs no more: the generator is stopped
    written = sorted(p.name for p in tmp_path.glob("extract_*.csv"))
    assert first.name == "extract_2025-10-31.csv" and len(written) <= 2  # at most the month being written


def test_demo_extracts_load_with_the_columns_added_in_version_2(tmp_path):
    # each amount is there exactly where its product is held, the year's average and the close reason where the
    # extract contract says; about 10% of addresses and 25% of employers are missing
    paths = list(demo_extracts(tmp_path / "extracts", customers=2_000, months=3, end=date(2026, 1, 31)))
    con = connect(tmp_path / "bank.duckdb")
    assert all(r.outcome == "loaded" for r in load_files(con, paths))
    counts = con.sql(
        """
        select count(*),
               count(*) filter (where (credit_card_spend_ytd is not null) <> list_contains(products, 'credit_card')),
               count(*) filter (where (loan_balance is not null) <> list_contains(products, 'loan')),
               count(*) filter (where (depository_margin is not null) <> list_contains(products, 'third_party')),
               count(*) filter (where (close_reason is not null) <> (status = 'closed')),
               count(*) filter (where aum_year_avg is null),
               count(*) filter (where address is null) / count(*),
               count(*) filter (where employer is null) / count(*),
               count(*) filter (where credit_card_spend_ytd is not null),
               count(*) filter (where depository_margin is not null)
        from customer_snapshot
        """
    ).fetchall()[0]
    con.close()
    rows, *mismatches, address_missing, employer_missing, spenders, margins = counts
    assert rows > 5_000 and mismatches == [0, 0, 0, 0, 0]
    assert 0.05 <= address_missing <= 0.16 and 0.17 <= employer_missing <= 0.33
    assert spenders > 0.15 * rows and 0 < margins < 0.1 * rows
