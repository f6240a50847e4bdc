"""The validation's reasons in Chinese (ui/problem_words.py), on the problems a real load of a bad extract finds."""

from __future__ import annotations

import re

from analytics.store.connection import connect
from analytics.store.load import load_files
from ui.problem_words import reason_in

HEADER = "period,customer_id,branch_id,manager_id,aum,phone,age,status,gender,birth_date"
GOOD = "2026-09-30,C001,B01,M1,1000.00,13800138000,40,active,M,1986-01-01"
ROWS = [  # one broken cell each (line numbers: the header is line 1, GOOD line 2)
    "2026-09-30,C002,B01,M1,12.345,13800138000,40,active,M,1986-01-01",  # 3: three decimals
    "2026-09-30,C003,B01,M1,abc,13800138000,40,active,M,1986-01-01",  # 4: not an amount
    "2026-09-30,C004,B01,M1,10,12ab,40,active,M,1986-01-01",  # 5: phone
    "2026-09-30,C005,B01,M1,10,13800138000,200,active,M,1986-01-01",  # 6: age
    "2026-09-30,C006,B01,M1,10,13800138000,40,weird,M,1986-01-01",  # 7: status
    "2026-09-30,1.23E+11,B01,M1,10,13800138000,40,active,M,1986-01-01",  # 8: an ID Excel made a number
    "2026-09-15,C008,B01,M1,10,13800138000,40,active,M,1986-01-01",  # 9: not a month end
    "2026-09-30,C001,B01,M1,10,13800138000,40,active,M,1986-01-01",  # 10: C001 again
    "2026-09-30,,B01,M1,10,13800138000,40,active,M,1986-01-01",  # 11: no customer number
    "2026-09-30,C011,,M1,10,13800138000,40,active,M,1986-01-01",  # 12: no branch
    "2026-09-30,C012,B01,M1,10,13800138000,40,active,X,1986-13-01",  # 13: gender and birth date
]


def test_every_reason_of_a_real_load_reads_in_chinese(tmp_path):
    extract = tmp_path / "bad.csv"
    extract.write_text("\n".join([HEADER, GOOD, *ROWS]) + "\n", encoding="utf-8")
    con = connect(tmp_path / "bank.duckdb")
    [result] = load_files(con, [extract])
    assert result.outcome == "rejected" and len(result.problems) == 12
    zh = {(p.line, p.column): reason_in("zh", p.reason) for p in result.problems}
    for problem in result.problems:
        words = zh[(problem.line, problem.column)]
        assert re.search(r"[\u4e00-\u9fff]", words) and not re.search(r"\b(the|not|an?|of|in)\b", words), words
        assert reason_in("en", problem.reason) == problem.reason
    assert zh[(3, "aum")] == "小数超过 2 位（金额精确到分）"
    assert zh[(6, "age")] == "不是 0 至 130 之间的整数"
    assert zh[(10, "customer_id")] == "2026-09-30 客户重复：两次都在机构 B01（首次出现在第 2 行）"
    assert zh[(12, "branch_id")] == "缺少机构号"


def test_a_reason_no_pattern_knows_is_shown_as_written():
    assert reason_in("zh", "something new went wrong") == "something new went wrong"
    assert reason_in("zh", "") == ""
