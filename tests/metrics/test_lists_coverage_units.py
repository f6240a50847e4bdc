"""Contact coverage per scorecard unit when a manager's book spans branches: one row per manager, as the
scorecard has, so that the scorecard page and workbook show each manager once."""

from __future__ import annotations

from datetime import date

import pandas as pd

from analytics.core.scope import Scope
from analytics.lists.coverage import unit_contact_coverage
from analytics.metrics.scorecard import scorecard
from analytics.store.load import load_files
from tests.helpers.extracts import write_csv

HEADER = ["数据日期", "客户号", "网点号", "客户经理号", "金融资产", "状态"]
END = date(2026, 9, 30)
ROWS = [
    # manager X: two wealth customers (20万 and more: a 30-day contact standard) in B1, one in B2;
    # manager Y: one wealth customer in B2. Contacted within 30 days of 2026-09-30: W1 and W4.
    ["2026-06-30", "W1", "B1", "X", "300000", "正常"],
    ["2026-06-30", "W2", "B1", "X", "250000", "正常"],
    ["2026-06-30", "W3", "B2", "X", "220000", "正常"],
    ["2026-06-30", "W4", "B2", "Y", "400000", "正常"],
    ["2026-09-30", "W1", "B1", "X", "300000", "正常"],
    ["2026-09-30", "W2", "B1", "X", "250000", "正常"],
    ["2026-09-30", "W3", "B2", "X", "220000", "正常"],
    ["2026-09-30", "W4", "B2", "Y", "400000", "正常"],
]  # fmt: skip
CONTACTS = pd.DataFrame({"customer_id": ["W1", "W4"], "last_contact": [date(2026, 9, 20), date(2026, 9, 25)]})


def test_a_manager_across_two_branches_is_one_unit_with_the_home_branch(db, tmp_path):
    (result,) = load_files(db, [write_csv(tmp_path / "m.csv", [HEADER, *ROWS], encoding="gbk")])
    assert result.outcome == "loaded", [str(p) for p in result.problems]
    frame = unit_contact_coverage(db, END, "manager", Scope(), CONTACTS, END)
    # X: W1 W2 W3 maintained, W1 contacted: 1 of 3, home branch B1 (two of the three); Y: W4, 1 of 1
    assert [tuple(r) for r in frame[["unit", "branch_id", "maintained", "contacted"]].itertuples(index=False)] == [
        ("X", "B1", 3, 1),
        ("Y", "B2", 1, 1),
    ]
    assert frame["contact_coverage_rate"].tolist() == [1 / 3, 1.0]
    # the scorecard's managers are the same units, so the page's merge keeps one row each
    units = scorecard(db, date(2026, 6, 30), END, "manager", Scope())
    merged = units.merge(frame[["unit", "contact_coverage_rate"]], on="unit", how="left")
    assert merged["unit"].tolist() == ["X", "Y"]
