"""Every rejection reason, with file, line, column and a masked value; a rejected file loads nothing."""

from __future__ import annotations

import pytest

from analytics.store.load import load_files
from tests.helpers.extracts import write_csv

HEADER = ["period", "customer_id", "branch_id", "aum", "status", "phone", "id_number"]
GOOD = ["2026-09-30", "0001", "B1", "100", "active", "13812345678", "110101199001011234"]


def _problems(db, tmp_path, rows, header=HEADER):
    path = write_csv(tmp_path / "bad.csv", [header, *rows], encoding="gbk")
    (result,) = load_files(db, [path])
    assert result.outcome == "rejected"
    return result


def _row(**changes):
    row = dict(zip(HEADER, GOOD))
    row.update(changes)
    return [row[h] for h in HEADER]


def test_load_files_rejects_missing_required_column(db, tmp_path):
    result = _problems(db, tmp_path, [GOOD[:3]], header=HEADER[:3])
    assert [(p.line, p.column) for p in result.problems] == [(1, "aum")]
    assert "missing required column" in result.problems[0].reason and "金融资产" in result.problems[0].reason


@pytest.mark.parametrize(
    "column, value, reason",
    [
        ("aum", "12abc", "not an amount"),
        ("aum", "", "missing value"),
        ("aum", "1.234", "more than 2 decimal places"),
        ("aum", "1,23,4", "not an amount"),
        ("aum", "12 345.00", "not an amount"),  # a space inside a number is no thousands separator
        ("aum", "1.234,56", "not an amount"),
        ("aum", "1e5", "not an amount"),
        ("aum", "N/A", "not an amount"),
        ("period", "2026-09-31", "not a date"),
        ("period", "2026-09-29", "not a month end"),
        ("branch_id", "", "empty branch"),
        ("customer_id", "1.10101E+17", "scientific notation"),
        ("customer_id", "123.0", "turned into a number by Excel"),
        ("status", "frozen", "unknown status"),
        ("phone", "call me", "not a phone number"),
    ],
)
def test_load_files_names_line_column_and_reason(db, tmp_path, column, value, reason):
    result = _problems(db, tmp_path, [GOOD, _row(**{"customer_id": "0002", column: value})])
    assert [(p.line, p.column) for p in result.problems] == [(3, column)]  # header line 1, good row line 2
    assert reason in result.problems[0].reason
    assert result.problems[0].value == value


def test_load_files_rejects_duplicate_customer_in_a_period(db, tmp_path):
    result = _problems(db, tmp_path, [GOOD, _row(customer_id="0002"), GOOD])
    assert [(p.line, p.column) for p in result.problems] == [(4, "customer_id")]
    assert (
        result.problems[0].reason == "duplicate customer in period 2026-09-30, twice under branch B1 (first at line 2)"
    )


def test_load_files_rejects_a_customer_under_two_branches_of_a_period_naming_both(db, tmp_path):
    # customer 0001 is B1's on line 2 and B2's on line 4
    result = _problems(db, tmp_path, [GOOD, _row(customer_id="0002"), _row(branch_id="B2")])
    assert [(p.line, p.column, p.value) for p in result.problems] == [(4, "customer_id", "0001")]
    assert result.problems[0].reason == (
        "duplicate customer in period 2026-09-30, under branch B2 here and under branch B1 (first at line 2)"
    )


def test_load_files_three_bad_rows_give_three_problems_and_load_nothing(db, tmp_path):
    rows = [
        GOOD,
        _row(customer_id="0002", aum="x"),
        _row(customer_id="0003", branch_id=""),
        _row(customer_id="0004"),
        _row(customer_id="0005", period="2026-13-31"),
    ]
    result = _problems(db, tmp_path, rows)
    assert [(p.line, p.column) for p in result.problems] == [(3, "aum"), (4, "branch_id"), (6, "period")]
    assert db.execute("select count(*) from customer_snapshot").fetchall() == [(0,)]
    assert db.execute("select count(*) from tier_summary").fetchall() == [(0,)]
    assert db.execute("select outcome, problems from load_log where outcome <> 'policy'").fetchall() == [
        ("rejected", 3)
    ]


def test_problem_masks_personal_values(db, tmp_path):
    result = _problems(db, tmp_path, [_row(id_number="1.10101199001012E+17", phone="138-1234-567x")])
    text = "\n".join(str(p) for p in result.problems)
    assert "1.10101199001012E+17" not in text and "138-1234-567x" not in text
    assert "1.1*************E+17" in text  # first 3 and last 4 characters kept
    assert "138******567x" in text


def test_load_files_counts_negative_aum_as_a_warning(db, tmp_path):
    path = write_csv(
        tmp_path / "neg.csv",
        [HEADER, GOOD, _row(customer_id="0002", aum="-50.00"), _row(customer_id="0003", aum="(1.00)")],
    )
    (result,) = load_files(db, [path])
    assert result.outcome == "loaded"
    assert result.warnings == ["2 customers with negative AUM (placed in the lowest tier)"]
    assert db.execute("select count(*) from customer_snapshot where tier = 0").fetchall() == [(3,)]


def test_load_files_reports_rows_with_the_wrong_number_of_fields(db, tmp_path):
    path = tmp_path / "short.csv"
    path.write_text(
        "period,customer_id,branch_id,aum\n2026-09-30,1,B1,5\n2026-09-30,2,B1\n\n2026-09-30,3,B1,5,9\n",
        encoding="utf-8",
    )
    (result,) = load_files(db, [path])
    assert result.outcome == "rejected"
    assert [(p.line, p.column) for p in result.problems] == [(3, "*"), (5, "*")]  # line 4 is blank


def test_load_files_rejects_undecodable_bytes_with_their_line(db, tmp_path):
    path = tmp_path / "garbage.csv"
    path.write_bytes(
        "period,customer_id,branch_id,aum\n2026-09-30,1,B1,5\n".encode("gbk") + b"2026-09-30,\x81\x20,B1,5\n"
    )
    (result,) = load_files(db, [path])
    assert result.outcome == "rejected"
    assert [(p.line, p.column) for p in result.problems] == [(3, "*")]
    assert "not valid GB18030" in result.problems[0].reason


def test_load_files_rejects_a_period_column_that_contradicts_the_period_given_naming_the_first_line(db, tmp_path):
    from datetime import date

    # lines 2 and 3 are September; line 4 is August: loaded as --period 2026-09-30 the file is of another month at 4
    rows = [GOOD, _row(customer_id="0002"), _row(customer_id="0003", period="2026-08-31")]
    path = write_csv(tmp_path / "m.csv", [HEADER, *rows])
    (result,) = load_files(db, [path], default_period=date(2026, 9, 30))
    assert result.outcome == "rejected"
    assert [(p.line, p.column, p.value) for p in result.problems] == [(4, "period", "2026-08-31")]
    assert "differs from the period given (2026-09-30)" in result.problems[0].reason
    assert db.execute("select count(*) from customer_snapshot").fetchone() == (0,)
    # the same file given the right period is not in contradiction once its August row is September too
    rows[2] = _row(customer_id="0003")
    write_csv(tmp_path / "m.csv", [HEADER, *rows])
    assert load_files(db, [path], default_period=date(2026, 9, 30))[0].outcome == "loaded"
