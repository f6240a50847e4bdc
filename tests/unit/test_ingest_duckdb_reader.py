"""A plain CSV text is parsed by DuckDB's own reader; its rows keep their lines (quoted line breaks, blank lines),
and what that reader refuses goes to the block parser, which names the row."""

from __future__ import annotations

from datetime import date

from analytics.ingest import columns as C
from analytics.ingest import validate
from analytics.store.load import load_files


def _spy(monkeypatch) -> list[bool]:
    used: list[bool] = []
    direct = validate._stage_csv_directly

    def spy(*args):
        used.append(direct(*args))
        return used[-1]

    monkeypatch.setattr(validate, "_stage_csv_directly", spy)
    return used


def test_duckdb_reader_reports_a_bad_cell_on_its_line_past_quoted_line_breaks_and_blank_lines(
    db, tmp_path, monkeypatch
):
    used = _spy(monkeypatch)
    text = (
        "period,customer_id,branch_id,aum,address\n"  # line 1
        '2026-09-30,0001,B1,100.00,"Room 1\nBuilding 2"\n'  # lines 2-3: one row
        "\n"  # line 4: blank
        "2026-09-30,0002,B1,￥ 2,000.50,plain\n"  # line 5: an unquoted comma: a row of the wrong width
    )
    path = tmp_path / "wide.csv"
    path.write_bytes(text.encode("gbk"))
    (result,) = load_files(db, [path])
    assert used == [False]  # DuckDB's reader refused the row: the block parser reported it
    assert [(p.line, p.column) for p in result.problems] == [(5, "*")]
    fixed = text.replace("￥ 2,000.50,plain", '"￥ 2,000.50",plain').replace("0001,B1,100.00", "0001,B1,1.005")
    path.write_bytes(fixed.encode("gbk"))
    (result,) = load_files(db, [path])
    assert used == [False, True]
    assert [(p.line, p.column, p.reason) for p in result.problems] == [
        (2, "aum", "more than 2 decimal places (money is exact to the cent)")
    ]
    path.write_bytes(fixed.replace("1.005", "100.00").encode("gbk"))
    (result,) = load_files(db, [path])
    assert result.outcome == "loaded" and result.rows == 2
    assert db.execute("select customer_id, aum, address from customer_snapshot order by 1").fetchall() == [
        ("0001", 100, "Room 1\nBuilding 2"),
        ("0002", 2000.50, "plain"),
    ]


def test_a_row_with_one_empty_field_too_many_is_refused_with_its_line(db, tmp_path, monkeypatch):
    # DuckDB's reader takes a delimiter ending a line for the row's end: such a text goes to the block parser
    used = _spy(monkeypatch)
    text = "period,customer_id,branch_id,aum,remark\n2026-09-30,0001,B1,100.00,x\n2026-09-30,0002,B1,5.00,y,\n"
    path = tmp_path / "trailing.csv"
    path.write_bytes(text.encode("utf-8"))
    (result,) = load_files(db, [path])
    assert used == [False]
    assert result.outcome == "rejected" and [(p.line, p.column) for p in result.problems] == [(3, "*")]
    assert db.execute("select count(*) from customer_snapshot").fetchone() == (0,)


class _Recording:
    """A connection that keeps the text of every statement it runs."""

    def __init__(self, con):
        self.con, self.statements = con, []

    def execute(self, sql, *args):
        self.statements.append((sql, *args))
        return self.con.execute(sql, *args)


def test_every_rule_runs_on_every_thread_and_keeps_the_file_order(db, tmp_path, monkeypatch):
    # The rows are numbered by the staged table's own order, which DuckDB keeps through a parallel
    # `create table as` only when the plan has no join and no window (a rule written as a list lookup becomes a
    # join; a row_number() a window that runs on one thread). Every column of the contract is in the file, so
    # every rule is in the plan
    direct, seen = validate._stage_csv_directly, []

    def recorded(con, *args):
        recording = _Recording(con)
        seen.append(recording)
        return direct(recording, *args)

    monkeypatch.setattr(validate, "_stage_csv_directly", recorded)
    names = list(C.ALIASES)
    row = {"period": "2026-09-30", "customer_id": "0001", "branch_id": "B1", "aum": "100.00", "employer": "Acme"}
    path = tmp_path / "every_column.csv"  # the last cell is not empty: a text ending in a delimiter is not direct
    path.write_text(",".join(names) + "\n" + ",".join(row.get(n, "") for n in names) + "\n", encoding="utf-8")
    (result,) = load_files(db, [path])
    assert result.outcome == "loaded", result.problems
    (recording,) = seen
    assert db.execute("select count(*) from customer_snapshot").fetchone() == (1,)
    (sql, bound), *_ = [s for s in recording.statements if "create or replace temp table" in s[0]]
    plan = " ".join(r[1] for r in db.execute("explain " + sql, bound).fetchall()).upper()
    assert "READ_CSV" in plan
    assert "JOIN" not in plan and "WINDOW" not in plan
    assert db.execute("select period, customer_id, aum from customer_snapshot").fetchall() == [
        (date(2026, 9, 30), "0001", 100)
    ]


def test_cells_with_spaces_at_their_edges_are_trimmed_and_a_text_without_any_is_read_as_it_is(
    db, tmp_path, monkeypatch
):
    # the reader skips trim() only for a text seen to hold no space beside a cell's edge (TextFacts.trim_needed)
    used = _spy(monkeypatch)
    plain = "period,customer_id,branch_id,aum,customer_name\n2026-09-30,0001,B1,100.00,张 三\n"
    path = tmp_path / "plain.csv"
    path.write_bytes(plain.encode("gbk"))
    (result,) = load_files(db, [path])
    assert used == [True] and result.outcome == "loaded"
    spaced = (
        "period,customer_id,branch_id,aum,customer_name\n"
        "2026-09-30, 0001,B1,100.00 ,张 三\u00a0\n"  # a space after the delimiter, before it, a no-break space
        '2026-09-30,0002 ,B1," 7.50",李四 '  # a space inside quotes, and one ending the text
    )
    path.write_bytes(spaced.encode("utf-8"))
    (result,) = load_files(db, [path])
    assert used == [True, True] and result.outcome == "loaded", [str(p) for p in result.problems]
    assert db.execute("select customer_id, aum, customer_name from customer_snapshot order by 1").fetchall() == [
        ("0001", 100, "张 三"),
        ("0002", 7.50, "李四"),
    ]
