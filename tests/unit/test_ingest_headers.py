"""A header line may be of any length: a very long column name or thousands of columns are read as written, in
every encoding; a file whose header never ends, or a row no block can hold, is refused with that reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from analytics.ingest import csv_reader, validate
from analytics.store.load import load_files
from tests.helpers.extracts import write_csv

LONG_NAME = "备注" * 50_000  # 100,000 characters, 300,000 bytes in UTF-8: far past a 64 KiB first read


def _loaded(db) -> list[tuple]:
    return db.execute("select customer_id, branch_id, aum from customer_snapshot order by customer_id").fetchall()


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "utf-16", "utf-16-le"])
def test_read_csv_reads_a_very_long_column_name_before_the_required_ones(db, tmp_path, encoding):
    # the long unknown column comes before branch_id and aum: a header cut at any fixed length would lose them
    rows = [["日期", "客户号", LONG_NAME, "网点号", "金融资产"], ["2026-09-30", "0001", "x", "3101", "1,234.56"]]
    (result,) = load_files(db, [write_csv(tmp_path / "long.csv", rows, encoding=encoding)])
    assert result.outcome == "loaded", [str(p) for p in result.problems]
    assert _loaded(db) == [("0001", "3101", Decimal("1234.56"))]
    # the warning names the column shortened: 60 characters and its length
    assert result.warnings == [f"ignored columns: {LONG_NAME[:60]}... (100,000 characters)"]


def test_read_csv_reads_twenty_thousand_columns(db, tmp_path):
    extra = [f"扩展字段{i:05d}" for i in range(20_000)]  # a header of about 260 KB in GBK
    rows = [
        ["日期", "客户号", *extra, "网点号", "金融资产"],
        ["2026-09-30", "0001", *["v"] * 20_000, "3101", "10"],
        ["2026-09-30", "0002", *["w"] * 20_000, "3102", "20.5"],
    ]
    (result,) = load_files(db, [write_csv(tmp_path / "wide.csv", rows, encoding="gbk")])
    assert result.outcome == "loaded", [str(p) for p in result.problems]
    assert _loaded(db) == [("0001", "3101", Decimal("10.00")), ("0002", "3102", Decimal("20.50"))]
    assert result.warnings[0].endswith("扩展字段00019 and 19,980 more")


def test_read_csv_reads_utf16_without_bom_whose_head_is_all_chinese_header(db, tmp_path):
    # without a BOM, UTF-16 shows by its NUL bytes; a header of Chinese names fills the first 64 KiB with few:
    # one NUL per 6-character name + comma (2 of 14 bytes)
    extra = [f"备注{chr(0x4E00 + i // 40)}{chr(0x4E00 + i % 40)}甲乙" for i in range(8_000)]
    rows = [["日期", "客户号", *extra, "网点号", "金融资产"], ["2026-09-30", "0001", *[""] * 8_000, "3101", "100.50"]]
    path = write_csv(tmp_path / "u16.csv", rows, encoding="utf-16-le")
    assert path.read_bytes()[1 : 1 << 16 : 2].count(0) < 0.3 * (1 << 15)  # fewer NULs than a fixed share
    (result,) = load_files(db, [path])
    assert result.outcome == "loaded", [str(p) for p in result.problems]
    assert _loaded(db) == [("0001", "3101", Decimal("100.50"))]


@pytest.mark.parametrize(
    "text, reason",
    [
        ("period,customer_id,branch_id,aum" + ",x" * 600, "longer than 1,000 characters (no line break)"),
        ('"period,customer_id,branch_id,aum\n' + "2026-09-30,1,B1,5\n" * 100, "(a quoted header never closes)"),
    ],
    ids=["no-line-break", "unclosed-quote"],
)
def test_read_csv_refuses_a_header_that_never_ends_saying_so(db, tmp_path, monkeypatch, text, reason):
    monkeypatch.setattr(csv_reader, "HEADER_MAX_CHARS", 1_000)
    monkeypatch.setattr(csv_reader, "HEADER_PIECE", 100)
    path = tmp_path / "endless.csv"
    path.write_text(text, encoding="utf-8")
    (result,) = load_files(db, [path])
    assert result.outcome == "rejected"
    assert [(p.line, p.column) for p in result.problems] == [(1, "*")]
    assert reason in result.problems[0].reason and "header line is longer than" in result.problems[0].reason


def test_read_csv_refuses_a_row_longer_than_a_block_saying_so(db, tmp_path, monkeypatch):
    monkeypatch.setattr(csv_reader, "BLOCK_BYTES", 1_024)  # blocks of 1 KiB: a 5,000-byte note does not fit
    rows = [["period", "customer_id", "branch_id", "aum", "note"], ["2026-09-30", "1", "B1", "10", "y" * 5_000]]
    # DuckDB's own reader (validate.stage) reads the row: a plain CSV is not parsed in blocks
    (read,) = load_files(db, [write_csv(tmp_path / "wide-row.csv", rows)])
    assert read.outcome == "loaded" and read.rows == 1
    # the block reader, which reads what DuckDB's refuses, says why it cannot
    monkeypatch.setattr(validate, "_stage_csv_directly", lambda *_args: False)
    rows[1][1] = "2"
    (result,) = load_files(db, [write_csv(tmp_path / "wide-row-2.csv", rows)])
    assert result.outcome == "rejected"
    assert "a row is longer than 1,024 bytes" in result.problems[0].reason
