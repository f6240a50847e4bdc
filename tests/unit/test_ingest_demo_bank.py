"""The product's demo bank: the generator run as a program of its own, each month named as soon as it is written."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from analytics.ingest.demo_bank import demo_extracts
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
