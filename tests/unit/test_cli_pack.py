"""`report pack`: one workbook per unit of the demo bank, each holding only its unit's rows, with a manifest, audited;
and the command line's workbooks keep formula-like text as text."""

from __future__ import annotations

import csv
import hashlib

import duckdb
import openpyxl
import pandas as pd
import pytest

from analytics.cli.main import main
from analytics.cli.workbook import write_workbook
from tests.helpers.security import events


@pytest.fixture
def trail(tmp_path, monkeypatch):
    monkeypatch.setenv("BANK_AUDIT", str(tmp_path / "audit.jsonl"))
    monkeypatch.setenv("BANK_FOLLOWUP_DB", str(tmp_path / "none.sqlite"))
    return tmp_path / "audit.jsonl"


def _branches(db) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("select distinct branch_id from customer_snapshot where period = '2026-09-30'").fetchall()
    finally:
        con.close()
    return sorted(r[0] for r in rows)


def test_report_pack_writes_one_workbook_per_branch_holding_only_its_rows(demo_db, trail, tmp_path, capsys):
    out = tmp_path / "pack"
    assert (
        main(["report", "pack", "--quarter", "2026Q3", "--by", "branch", "--out", str(out), "--db", str(demo_db)]) == 0
    )
    with open(out / "manifest.csv", encoding="utf-8") as handle:
        manifest = list(csv.DictReader(handle))
    assert sorted(m["unit"] for m in manifest) == _branches(demo_db)
    foreign = []
    for entry in manifest:
        path = out / entry["file"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
        book = openpyxl.load_workbook(path, read_only=True)
        rows = 0
        for sheet in book.worksheets:
            values = list(sheet.iter_rows(values_only=True))
            header, body = values[0], values[1:]
            rows += len(body)
            for key in ("branch_id", "unit"):
                if key in header:
                    at = header.index(key)
                    foreign += [(entry["unit"], sheet.title, r[at]) for r in body if str(r[at]) != entry["unit"]]
            assert "id_number" not in header
            if "customer_name" in header:
                at = header.index("customer_name")
                assert all(r[at] is None or "*" in r[at] for r in body)
        assert rows == int(entry["rows"])
        assert [s.title for s in book.worksheets][:3] == ["scorecard", "accountability", "calls"]
    assert foreign == []
    assert sum(int(m["rows"]) for m in manifest) > len(manifest)  # the lists are not empty
    (event,) = events(trail, "export")
    assert (
        event["details"]["table"] == "report_pack"
        and event["details"]["workbooks"] == len(manifest)
        and event["details"]["level"] == "branch"
    )


def test_report_pack_by_manager_keeps_each_managers_book(demo_db, trail, tmp_path):
    out = tmp_path / "managers"
    assert (
        main(["report", "pack", "--by", "manager", "--quarter", "2026Q3", "--out", str(out), "--db", str(demo_db)]) == 0
    )
    manifest = pd.read_csv(out / "manifest.csv", dtype=str)
    assert not manifest["unit"].str.startswith("unassigned@").any()  # unassigned books travel with the branch
    sample = manifest.iloc[0]
    book = openpyxl.load_workbook(out / sample["file"], read_only=True)
    for name in ("calls", "red", "outflow", "handover"):
        values = list(book[name].iter_rows(values_only=True))
        at = values[0].index("manager_id")
        assert all(r[at] == sample["unit"] for r in values[1:])


def test_report_pack_without_out_is_a_usage_error(demo_db, trail, capsys):
    assert main(["report", "pack", "--quarter", "2026Q3", "--db", str(demo_db)]) == 2
    assert "report pack needs --out DIR" in capsys.readouterr().err


def test_write_workbook_keeps_formula_like_text_as_quoted_text(tmp_path):
    names = ["=1+1", "@SUM(A1:A9)", "+86 1380", "-2+3", "城东网点"]
    frame = pd.DataFrame({"branch_name": names, "aum": [1.5, 2, 3, 4, None]})
    assert write_workbook(tmp_path / "t.xlsx", [("list", frame)]) == 5
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["list"]
    cells = [sheet.cell(row=r, column=1) for r in range(2, 7)]
    assert [c.value for c in cells] == names and all(c.data_type == "s" for c in cells)
    assert [c.quotePrefix for c in cells] == [True, True, True, True, False]
    assert sheet["B2"].value == 1.5 and sheet["B6"].value is None and sheet.freeze_panes == "A2"
