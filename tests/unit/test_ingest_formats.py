"""Every accepted file format, encoding and spelling loads the same customers to the cent."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.ingest.csv_encoding import TextFacts
from analytics.store.load import load_files
from tests.helpers.extracts import csv_text, write_csv

HEADER_ZH = ["数据日期", "客户号", "网点号", "金融资产", "客户姓名", "卡等级", "状态"]
ROWS = [
    ["2026-09-30", "000101", "0301", "1234.56", "张三", "金卡", "正常"],
    ["2026-09-30", "000102", "0301", "50000.00", "李四", "普卡", "正常"],
    ["2026-09-30", "000103", "0302", "2000000", "王五", "钻石卡", "销户"],
]
# 1,234.56 + 50,000.00 + 2,000,000.00 = 2,051,234.56
TOTAL = Decimal("2051234.56")


def _snapshot(con) -> list[tuple]:
    return con.execute(
        "select customer_id, branch_id, aum, customer_name, card_level, status, tier "
        "from customer_snapshot order by customer_id"
    ).fetchall()


def _assert_loaded(con, path: Path) -> None:
    (result,) = load_files(con, [path])
    assert result.outcome == "loaded", [str(p) for p in result.problems]
    assert result.rows == 3 and result.aum_total == TOTAL
    assert _snapshot(con) == [
        ("000101", "0301", Decimal("1234.56"), "张三", "金卡", "active", 0),  # < 5万: mass
        ("000102", "0301", Decimal("50000.00"), "李四", "普卡", "active", 1),  # exactly 5万: emerging
        ("000103", "0302", Decimal("2000000.00"), "王五", "钻石卡", "closed", None),  # closed: no tier
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le"])
def test_load_files_reads_csv_in_every_encoding(db, tmp_path, encoding):
    path = write_csv(tmp_path / f"extract-{encoding}.csv", [HEADER_ZH, *ROWS], encoding=encoding)
    _assert_loaded(db, path)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_load_files_detects_the_delimiter(db, tmp_path, delimiter):
    path = write_csv(tmp_path / "extract.csv", [HEADER_ZH, *ROWS], encoding="gbk", delimiter=delimiter)
    _assert_loaded(db, path)


def test_load_files_reads_parquet(db, tmp_path):
    columns = list(zip(*ROWS))
    table = pa.table(
        {
            "period": pa.array([date(2026, 9, 30)] * 3),
            "customer_id": pa.array(columns[1]),
            "branch_id": pa.array(columns[2]),
            "aum": pa.array([Decimal("1234.56"), Decimal("50000.00"), Decimal("2000000.00")], pa.decimal128(18, 2)),
            "customer_name": pa.array(columns[4]),
            "card_level": pa.array(columns[5]),
            "status": pa.array(columns[6]),
        }
    )
    pq.write_table(table, tmp_path / "extract.parquet")
    _assert_loaded(db, tmp_path / "extract.parquet")


def test_load_files_reads_xlsx_first_sheet_ids_as_text(db, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER_ZH)
    for row in ROWS:
        sheet.append([date(2026, 9, 30), row[1], row[2], float(row[3]), *row[4:]])
    book.create_sheet("other").append(["ignored"])
    book.save(tmp_path / "extract.xlsx")
    _assert_loaded(db, tmp_path / "extract.xlsx")


def test_load_files_rejects_xlsx_id_mangled_into_a_number(db, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["日期", "客户号", "网点号", "金融资产", "证件号码"])
    book.active.append(["2026-09-30", "000101", "0301", 100, 110101199001011234])  # typed as a number
    book.save(tmp_path / "mangled.xlsx")
    (result,) = load_files(db, [tmp_path / "mangled.xlsx"])
    assert result.outcome == "rejected"
    assert [(p.line, p.column) for p in result.problems] == [(2, "id_number")]
    assert "Excel" in result.problems[0].reason
    assert "1234" not in str(result.problems[0]).replace("1.10101199001012E+17", "")


@pytest.mark.parametrize(
    "spelling, expected",
    [
        ("1234.56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("１，２３４．５６", "1234.56"),  # full-width digits and punctuation
        ("￥1,234.56", "1234.56"),
        ("¥1234.5", "1234.50"),
        ("(1,234.00)", "-1234.00"),  # accounting negative
        ("-0.01", "-0.01"),
        ("  12  ", "12.00"),
        ("1234.5600", "1234.56"),  # trailing zeros are exact
    ],
)
def test_load_files_accepts_every_amount_spelling(db, tmp_path, spelling, expected):
    path = write_csv(
        tmp_path / "a.csv", [["period", "customer_id", "branch_id", "aum"], ["2026-09-30", "7", "B1", spelling]]
    )
    (result,) = load_files(db, [path])
    assert result.outcome == "loaded", [str(p) for p in result.problems]
    assert db.execute("select aum from customer_snapshot").fetchall() == [(Decimal(expected),)]


@pytest.mark.parametrize(
    "spelling", ["2026-09-30", "20260930", "2026/9/30", "2026-09-30 00:00:00", "２０２６-０９-３０"]
)
def test_load_files_accepts_every_date_spelling(db, tmp_path, spelling):
    path = write_csv(tmp_path / "d.csv", [["日期", "客户号", "机构号", "AUM"], [spelling, "0007", "B1", "1"]])
    (result,) = load_files(db, [path])
    assert result.outcome == "loaded", [str(p) for p in result.problems]
    assert result.periods == [date(2026, 9, 30)]


def test_load_files_maps_english_headers_case_insensitively_and_keeps_leading_zeros(db, tmp_path):
    path = write_csv(
        tmp_path / "e.csv",
        [
            ["Period", "CUSTOMER_ID", "Branch_Id", "aum", "Manager_ID", "has_fund", "has_wealth", "持有保险"],
            ["2026-09-30", "000000042", "007", "1", "M001", "1", "是", "否"],
        ],
    )
    (result,) = load_files(db, [path])
    assert result.outcome == "loaded", [str(p) for p in result.problems]
    assert db.execute(
        "select customer_id, branch_id, manager_id, product_count, products from customer_snapshot"
    ).fetchall() == [("000000042", "007", "M001", 2, ["fund", "wealth"])]


def test_load_files_uses_period_option_for_a_file_without_the_column(db, tmp_path):
    path = write_csv(tmp_path / "p.csv", [["客户号", "网点号", "金融资产"], ["1", "B1", "10"], ["2", "B1", "20"]])
    (result,) = load_files(db, [path], default_period=date(2026, 6, 30))
    assert result.outcome == "loaded" and result.periods == [date(2026, 6, 30)] and result.rows == 2


def test_csv_text_round_trips_quoted_newlines(db, tmp_path):
    rows = [
        ["period", "customer_id", "branch_id", "aum", "branch_name"],
        ["2026-09-30", "1", "B1", "1", "第一\n网点"],
        ["2026-09-30", "2", "B1", "x", "n"],
    ]
    path = tmp_path / "q.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    (result,) = load_files(db, [path])
    # the bad amount is on the data row that starts on line 4, after a value spanning lines 2-3
    assert [(p.line, p.column) for p in result.problems] == [(4, "aum")]


@pytest.mark.parametrize("iconv", [True, False], ids=["iconv", "python"])
def test_gb18030_reads_the_same_through_iconv_and_python(db, tmp_path, monkeypatch, iconv):
    """Names outside GBK (four-byte GB18030: 𠀾 U+2003E, the euro sign, 䶮 U+4DAE) and a GB18030 BOM come out
    the same whichever transcoder runs; without iconv the Python codec does the whole file."""
    if not iconv:
        monkeypatch.setattr("analytics.ingest.csv_encoding.shutil.which", lambda _name: None)
    rows = [
        HEADER_ZH,
        ["2026-09-30", "000101", "0301", "1234.56", "刘𠀾", "金卡", "正常"],
        ["2026-09-30", "000102", "0301", "50000.00", "龚䶮€", "普卡", "正常"],
    ]
    for name, text in (("plain", csv_text(rows)), ("bom", "\ufeff" + csv_text(rows))):
        path = tmp_path / f"{name}.csv"
        path.write_bytes(text.encode("gb18030"))
        (result,) = load_files(db, [path])
        assert result.outcome in ("loaded", "unchanged"), [str(p) for p in result.problems]
        assert db.execute("select customer_name from customer_snapshot order by customer_id").fetchall() == [
            ("刘𠀾",),
            ("龚䶮€",),
        ]


@pytest.mark.parametrize(
    "text, wide", [("１２３", True), ("ｙｅｓ", True), ("张\u3000三", True), ("中文 abc ￥", False), ("", False)]
)
def test_text_facts_find_full_width_characters_across_chunk_boundaries(text, wide):
    # ￥ (U+FFE5) is not a full-width form of U+FF01-U+FF5E; every split point of the UTF-8 bytes is tried
    data = ("金额" + text).encode("utf-8")
    for cut in range(len(data) + 1):
        facts = TextFacts()
        facts.see(data[:cut])
        facts.see(data[cut:], data[:cut][-2:])
        assert facts.full_width is wide, (text, cut)


ZS = " \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(st.text(alphabet='a1中,"\t' + ZS, max_size=5), min_size=1, max_size=4), min_size=1, max_size=4),
    st.sampled_from([",", "\t", ";", "|"]),
    st.data(),
)
def test_text_facts_see_every_cell_that_trim_would_change_at_any_chunk_split(rows, delimiter, data):
    # the reference: Python's csv module writes the cells and str.strip of DuckDB's trim() set (Unicode Zs) says
    # which cells a trim changes; the facts may say "trim" for a text that needs none, never the other way round
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=data.draw(st.sampled_from(["\n", "\r\n"]))).writerows(rows)
    text = out.getvalue().encode("utf-8")
    needed = any(cell != cell.strip(ZS) for row in rows for cell in row)
    cut = data.draw(st.integers(0, len(text)))
    facts = TextFacts()
    facts.see(text[:cut])
    facts.see(text[cut:], text[:cut][-2:])
    if needed:
        assert facts.trim_needed, (rows, cut)
    if not any(ch in ZS for row in rows for cell in row for ch in cell):
        assert not facts.trim_needed
