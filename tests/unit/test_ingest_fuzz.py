"""Property tests of the CSV ingest: every file is loaded intact or rejected with located problems.

Generated extracts vary encoding, separator, quoting (separators, quotes and newlines inside quoted fields),
blank lines, header aliases, amount and date spellings and huge fields; some are then cut at a random byte
or given garbage bytes or stray quotes, separators and newlines. A clean file loads exactly the rows written
(or, with one bad amount, is rejected naming its line); any other file either loads with the row count and
AUM total a reference reading expects or is rejected with problems that each name a line (or the whole file)
and a reason. A rejection leaves the database as it was; no exception escapes; no load hangs.

About 1,100 files by default (about a minute). A longer run, about N files in all:
    FUZZ_EXAMPLES=20000 .venv/bin/python -m pytest tests/unit/test_ingest_fuzz.py
(the generated extracts and their reference reading: tests/helpers/fuzz_extracts.py)
"""

from __future__ import annotations

import faulthandler
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st

from analytics.store.connection import connect
from analytics.store.load import load_files
from analytics.store.load_result import LoadResult
from tests.helpers.extracts import write_csv
from tests.helpers.fuzz_extracts import (
    BASE,
    GARBAGE,
    HANG_SECONDS,
    MUST_REJECT,
    PERIOD,
    SCALE,
    Expect,
    Extract,
    expect_from_text,
    expect_truncated,
    extracts,
)


def fuzz(kind: str, seconds: float = 5.0) -> settings:
    return settings(
        max_examples=max(1, round(BASE[kind] * SCALE)),
        deadline=timedelta(seconds=seconds),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# ---- loading and checking ----------------------------------------------------------------------


@dataclass
class Bank:
    con: duckdb.DuckDBPyConnection
    path: Path


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    con = connect(":memory:")
    con.execute("set threads = 1")  # tiny files load faster on one thread, and leave the other core free
    june = write_csv(
        folder / "june.csv",
        [
            ["period", "customer_id", "branch_id", "aum"],
            ["2026-06-30", "J1", "B01", "100.00"],
            ["2026-06-30", "J2", "B01", "0.50"],
        ],
    )
    assert load_files(con, [june])[0].outcome == "loaded"
    yield Bank(con, folder / "extract.csv")
    con.close()


def snapshot(con: duckdb.DuckDBPyConnection, period: date | None = None) -> list[tuple]:
    where = "where period = $period" if period else ""
    return con.execute(
        f"""
        select customer_id, branch_id, aum, customer_name, region, branch_name, status, period
        from customer_snapshot {where} order by all
    """,
        {"period": period} if period else {},
    ).fetchall()


def load(bank: Bank, data: bytes, expect: Expect) -> LoadResult:
    before = snapshot(bank.con)
    bank.path.write_bytes(data)
    faulthandler.dump_traceback_later(HANG_SECONDS, exit=True)  # a hang ends the run with a traceback
    try:
        (result,) = load_files(bank.con, [bank.path], replace_period=True)  # each extract is the whole month
    finally:
        faulthandler.cancel_dump_traceback_later()
    after = snapshot(bank.con)
    if currently_in_test_context():
        event(result.outcome)  # shown by --hypothesis-show-statistics
    problems = [str(p) for p in result.problems[:5]]
    if result.outcome == "rejected":
        assert expect.may_reject, f"rejected a file that should load: {problems}"
        most_lines = data.count(b"\n") + data.count(b"\r") + 1
        assert result.problems and all(
            p.reason and (p.line is None or 1 <= p.line <= most_lines) for p in result.problems
        ), problems
        assert after == before, "a rejected file changed the database"
    else:
        assert (result.rows, result.aum_total) in expect.loads, f"{result.outcome}: {result.summary()}"
        assert result.periods == [PERIOD]
        assert [r for r in after if r[-1] != PERIOD] == [r for r in before if r[-1] != PERIOD]
        loaded = [r for r in after if r[-1] == PERIOD]
        assert (len(loaded), sum(r[2] for r in loaded)) == (result.rows, result.aum_total)
    return result


def check_clean(bank: Bank, extract: Extract) -> None:
    if extract.bad_row is None:
        load(bank, extract.data(), Expect(frozenset({extract.intact(list(range(len(extract.rows))))}), False))
        assert [r[:-1] for r in snapshot(bank.con, PERIOD)] == extract.expected_rows()
    else:
        result = load(bank, extract.data(), MUST_REJECT)
        line = extract.line_of(extract.bad_row)
        assert any(p.line == line and p.column == "aum" for p in result.problems), (line, result.problems)


# ---- properties ----------------------------------------------------------------------------------


@fuzz("clean")
@given(extracts(bad_amount=True))
def test_load_files_loads_a_clean_extract_exactly_or_names_its_bad_amount(bank, extract):
    check_clean(bank, extract)


@fuzz("amounts")
@given(extracts(rows=st.integers(8, 12)))
def test_load_files_sums_every_amount_spelling_to_the_cent(bank, extract):
    check_clean(bank, extract)


@fuzz("huge", seconds=30)
@given(extracts(rows=st.integers(1, 3), huge=True, bad_amount=True))
def test_load_files_reads_fields_of_100_kb(bank, extract):
    check_clean(bank, extract)


@fuzz("truncated")
@given(extracts(), st.data())
def test_load_files_rejects_or_loads_intact_a_truncated_extract(bank, extract, data):
    whole = extract.data()
    ends = [end for _, end, index in extract.spans() if index is not None]
    near_an_end = st.sampled_from(ends).flatmap(lambda end: st.integers(max(end - 12, 0), end))  # in a last field
    cut = data.draw(st.integers(0, len(whole) - 1) | near_an_end, label="cut")
    load(bank, whole[:cut], expect_truncated(extract, cut))


@fuzz("garbage")
@given(extracts(), st.data())
def test_load_files_rejects_or_loads_intact_an_extract_with_garbage_bytes(bank, extract, data):
    mangled = bytearray(extract.data())
    for _ in range(data.draw(st.integers(1, 3), label="how many")):
        at = data.draw(st.integers(0, len(mangled)), label="at")
        # in UTF-16 any byte shifts what follows; elsewhere only bytes that pair with no neighbour into a digit
        mangled[at:at] = data.draw(
            st.binary(min_size=1, max_size=1) if extract.encoding == "utf-16" else st.sampled_from(GARBAGE),
            label="garbage",
        )
    load(bank, bytes(mangled), Expect(frozenset({extract.intact(list(range(len(extract.rows))))}), True))


@fuzz("stray")
@given(extracts(), st.data())
def test_load_files_reads_stray_quotes_separators_and_newlines_as_python_csv_does(bank, extract, data):
    text, header = extract.text(), len(extract.pieces[0][0])
    for _ in range(data.draw(st.integers(1, 3), label="how many")):
        at = data.draw(st.integers(header, len(text)), label="at")
        stray = data.draw(st.sampled_from(['"', extract.delimiter, ",", "\n", "\r"]), label="stray")
        text = text[:at] + stray + text[at:]
    load(bank, extract.bom + text.encode(extract.codec), expect_from_text(extract, text))


# ---- bugs the properties above found in readers.py, fixed there: their minimal reproductions ---------------------------

HEADER = b"period,customer_id,branch_id,aum"


def test_load_files_rejects_a_file_cut_inside_quotes(bank):
    # the file was cut inside "5,000.00": the last record reads as 5, the total as 1,239.00
    load(bank, HEADER + b'\n2026-09-30,C1,B01,"1,234.00"\n2026-09-30,C2,B01,"5', MUST_REJECT)


def test_load_files_reports_the_line_of_a_problem_after_a_field_over_128_kib(bank):
    data = HEADER + b",remark\n2026-09-30,C1,B01,1.00," + b"x" * 140_000 + b"\n2026-09-30,C2,B01,12x,\n"
    result = load(bank, data, MUST_REJECT)
    assert [(p.line, p.column) for p in result.problems] == [(3, "aum")]


def test_load_files_reads_gbk_whose_bytes_are_also_utf8(bank):
    # 状态 in GBK is D7 B4 CC AC, also the UTF-8 of "״̬": the status column is ignored, C1 loads as active
    load(
        bank,
        "period,customer_id,branch_id,aum,状态\n2026-09-30,C1,B01,5.00,closed\n".encode("gbk"),
        Expect(frozenset({(1, Decimal("5.00"))}), False),
    )
    assert snapshot(bank.con, PERIOD)[0][6] == "closed"
