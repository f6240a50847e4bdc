"""季度考核 Scorecard page: ranks equal quarter_scorecard, the user's unit is highlighted, a branch drills down to
its managers, and HQ's workbook has one formatted sheet per level."""
from __future__ import annotations

import io

import openpyxl
import pytest

from analytics.access.narrow import narrow_scope
from analytics.core.scope import Scope
from analytics.metrics.scorecard import quarter_scorecard
from analytics.store.policy_record import current_policy
from pages_fixture import analytics_connection, app, demo_db, frame_with, no_exception
from ui.scorecard_table import scorecard_workbook


@pytest.fixture(scope="module")
def db():
    return demo_db()


def by_rank(frame):
    return frame.sort_values(["rank", "unit"], na_position="last").reset_index(drop=True)


def test_scorecard_table_equals_quarter_scorecard_and_follows_the_level(db):
    con = analytics_connection(db)
    at = no_exception(app(db, "views/scorecard.py"))
    expected = by_rank(quarter_scorecard(con, "2026Q3", "branch", Scope()))
    shown = frame_with(at, "unit", "rank", "score", "churn_rate")
    assert shown["unit"].tolist() == expected["unit"].tolist()
    assert shown["rank"].tolist() == expected["rank"].tolist()
    assert shown["score"].round(6).tolist() == expected["score"].round(6).tolist()
    assert shown["upgrade_rate"].round(6).tolist() == (expected["upgrade_rate"] * 100).round(6).tolist()
    at.selectbox(key="level").set_value("region").run()
    no_exception(at)
    expected = by_rank(quarter_scorecard(con, "2026Q3", "region", Scope()))
    assert frame_with(at, "unit", "rank")["unit"].tolist() == expected["unit"].tolist()


def test_scorecard_highlights_my_branch_with_its_rank(db):
    con = analytics_connection(db)
    at = app(db, "views/scorecard.py")
    expected = by_rank(quarter_scorecard(con, "2026Q3", "branch", Scope()))
    mine = expected.iloc[2]
    at.selectbox(key="view").set_value("branch").run()
    at.selectbox(key="unit").set_value(mine["unit"]).run()
    no_exception(at)
    assert f"第 {mine['rank']} 名 / 共 {len(expected)} 个网点" in at.success[0].value
    assert [m.value for m in at.metric][0] == f"{mine['score']:.1f}"


def test_scorecard_branch_row_drills_down_to_its_managers(db):
    con = analytics_connection(db)
    at = app(db, "views/scorecard.py")
    branch = by_rank(quarter_scorecard(con, "2026Q3", "branch", Scope())).iloc[0]
    at.session_state["scorecard_table"] = {"selection": {"rows": [0], "columns": []}}
    no_exception(at.run())
    expected = by_rank(quarter_scorecard(con, "2026Q3", "manager", narrow_scope(con, Scope(), "branch",
                                                                                 branch["unit"])))
    shown = frame_with(at, "unit", "rank", "bank_rank")
    assert shown["unit"].tolist() == expected["unit"].tolist()
    assert shown["rank"].tolist() == expected["rank"].tolist()
    bank = quarter_scorecard(con, "2026Q3", "manager", Scope()).set_index("unit")["rank"]
    assert shown["bank_rank"].tolist() == [bank[u] for u in expected["unit"]]


def test_scorecard_workbook_has_a_formatted_sheet_per_level(db):
    con = analytics_connection(db)
    book = openpyxl.load_workbook(io.BytesIO(scorecard_workbook(con, "2026Q3", Scope(), current_policy(con))))
    assert book.sheetnames == ["分行", "支行", "网点", "客户经理"]
    sheet = book["网点"]
    headers = [c.value for c in sheet[1]]
    assert headers[:5] == ["单位代码", "单位", "排名", "综合得分", "保·流失率"]
    assert sheet.freeze_panes == "A2"
    churn = sheet.cell(row=2, column=headers.index("保·流失率") + 1)
    aum = sheet.cell(row=2, column=headers.index("期末维护资产（万元）") + 1)
    expected = by_rank(quarter_scorecard(con, "2026Q3", "branch", Scope())).iloc[0]
    assert churn.number_format == "0.00%" and churn.value == pytest.approx(expected["churn_rate"])
    assert aum.number_format == "#,##0.00" and aum.value == pytest.approx(float(expected["aum_end"]) / 10_000)
    assert book["客户经理"].max_row == len(quarter_scorecard(con, "2026Q3", "manager", Scope())) + 1
