"""季度考核 Scorecard page: ranks equal quarter_scorecard, the user's unit is highlighted, a branch drills down to
its managers, and HQ's workbook has one formatted sheet per level.

The key numbers are also checked against the extracts recounted with pandas (tests/helpers/recount.py).
"""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl
import pytest

from analytics.core.scope import Scope
from analytics.followup.log import CHANNELS, OUTCOMES, Contact, add_contact
from analytics.metrics.scorecard import quarter_scorecard
from analytics.store.policy_record import current_policy
from tests.helpers import recount
from tests.helpers.pages import analytics_connection, app, frame_with, no_exception
from ui.scorecard_table import scorecard_workbook

START, END = date(2026, 6, 30), date(2026, 9, 30)  # 2026Q3


def by_rank(frame):
    return frame.sort_values(["rank", "unit"], na_position="last").reset_index(drop=True)


def branch(rows):
    return rows["branch_id"]


def region(rows):
    return rows["region"]


def ranks(scores) -> dict[str, int]:
    """Rank 1 is the best score; ties share the best rank (1 + the units scoring higher)."""
    return {unit: 1 + int((scores > score + 1e-9).sum()) for unit, score in scores.items()}


def test_scorecard_table_equals_quarter_scorecard_and_follows_the_level(demo_db, extract_rows):
    con = analytics_connection(demo_db)
    at = no_exception(app(demo_db, "views/scorecard.py"))
    expected = by_rank(quarter_scorecard(con, "2026Q3", "branch", Scope()))
    shown = frame_with(at, "unit", "rank", "score", "churn_rate")
    assert shown["unit"].tolist() == expected["unit"].tolist()
    assert shown["rank"].tolist() == expected["rank"].tolist()
    assert shown["score"].round(6).tolist() == expected["score"].round(6).tolist()
    assert shown["upgrade_rate"].round(6).tolist() == (expected["upgrade_rate"] * 100).round(6).tolist()
    # by hand (recount.scorecard: pandas over the extracts, the five indicators, shares of units doing no better)
    card = recount.scorecard(extract_rows, START, END, branch)
    assert dict(zip(shown["unit"], shown["churn_rate"])) == pytest.approx((100 * card["churn_rate"]).to_dict())
    assert dict(zip(shown["unit"], shown["score"])) == pytest.approx(card["score"].to_dict(), abs=1e-6)
    assert dict(zip(shown["unit"], shown["rank"])) == ranks(card["score"])
    at.selectbox(key="level").set_value("region").run()
    no_exception(at)
    expected = by_rank(quarter_scorecard(con, "2026Q3", "region", Scope()))
    shown = frame_with(at, "unit", "rank")
    assert shown["unit"].tolist() == expected["unit"].tolist()
    assert dict(zip(shown["unit"], shown["rank"])) == ranks(
        recount.scorecard(extract_rows, START, END, region)["score"]
    )


def test_scorecard_highlights_my_branch_with_its_rank(demo_db, extract_rows):
    con = analytics_connection(demo_db)
    at = app(demo_db, "views/scorecard.py")
    expected = by_rank(quarter_scorecard(con, "2026Q3", "branch", Scope()))
    mine = expected.iloc[2]
    at.selectbox(key="view").set_value("branch").run()
    at.selectbox(key="unit").set_value(mine["unit"]).run()
    no_exception(at)
    assert f"第 {mine['rank']} 名 / 共 {len(expected)} 个网点" in at.success[0].value
    assert [m.value for m in at.metric][0] == f"{mine['score']:.1f}"
    # by hand: the branch's score and rank among the branches with maintained customers at either end
    card = recount.scorecard(extract_rows, START, END, branch)
    rank, of = ranks(card["score"])[mine["unit"]], len(card)
    assert f"第 {rank} 名 / 共 {of} 个网点" in at.success[0].value
    assert [m.value for m in at.metric][0] == f"{card.loc[mine['unit'], 'score']:.1f}"


def test_scorecard_branch_row_drills_down_to_its_managers(demo_db, extract_rows):
    con = analytics_connection(demo_db)
    at = app(demo_db, "views/scorecard.py")
    branch = by_rank(quarter_scorecard(con, "2026Q3", "branch", Scope())).iloc[0]
    at.session_state["scorecard_table"] = {"selection": {"rows": [0], "columns": []}}
    no_exception(at.run())
    managers = quarter_scorecard(con, "2026Q3", "manager", Scope())
    home = managers[managers["branch_id"] == branch["unit"]].set_index("unit")
    shown = frame_with(at, "unit", "rank", "bank_rank")
    # a manager is shown in the branch holding most of their book, scored on the whole book
    assert sorted(shown["unit"]) == sorted(home.index)
    # by hand (pandas over the extracts): every manager's score on their whole book, ranked bank-wide; in the
    # branch, the rank among the managers shown there; each unassigned book is a row but takes no part in ranks
    everyone = recount.scorecard(extract_rows[extract_rows["manager_id"] != ""], START, END, recount.manager_unit)
    ranked = shown[shown["rank"].notna()]
    bank = ranks(everyone["score"])
    assert dict(zip(ranked["unit"], ranked["bank_rank"])) == {u: bank[u] for u in ranked["unit"]}
    assert dict(zip(ranked["unit"], ranked["rank"])) == ranks(everyone["score"][list(ranked["unit"])])


def test_scorecard_workbook_has_a_formatted_sheet_per_level(demo_db, extract_rows):
    con = analytics_connection(demo_db)
    book = openpyxl.load_workbook(io.BytesIO(scorecard_workbook(con, "2026Q3", Scope(), current_policy(con))))
    # the test demo bank starts 2026-03-31: no 2025 year end, so no accountability sheet
    assert book.sheetnames == ["封面", "分行", "支行", "网点", "客户经理", "岗位层级不符"]
    sheet = book["网点"]
    headers = [c.value for c in sheet[1]]
    assert headers[:6] == ["单位代码", "单位", "分行", "支行", "排名", "综合得分"]
    # a branch's parent units, as the extracts say (3101 and 3102 are 城东分行 / 人民路支行)
    parents = {r[0]: r[2:4] for r in sheet.iter_rows(min_row=2, values_only=True)}
    expected_parents = extract_rows[extract_rows["period"] == END].groupby("branch_id")[["region", "sub_branch"]]
    assert parents == {b: tuple(v) for b, v in expected_parents.first().iterrows()}
    assert parents["3101"] == ("城东分行", "人民路支行")
    assert sheet.freeze_panes == "A2"
    churn = sheet.cell(row=2, column=headers.index("保·流失率") + 1)
    aum = sheet.cell(row=2, column=headers.index("期末维护资产（万元）") + 1)
    expected = by_rank(quarter_scorecard(con, "2026Q3", "branch", Scope())).iloc[0]
    assert churn.number_format == "0.00%" and churn.value == pytest.approx(expected["churn_rate"])
    assert aum.number_format == "#,##0.00" and aum.value == pytest.approx(float(expected["aum_end"]) / 10_000)
    assert book["客户经理"].max_row == len(quarter_scorecard(con, "2026Q3", "manager", Scope())) + 1
    # by hand: one row per manager unit (unassigned books included) with maintained customers at either end, and
    # the branches' maintained AUM at 2026-09-30 adds up to the bank's, in 万元
    assert book["客户经理"].max_row == len(recount.scorecard(extract_rows, START, END, recount.manager_unit)) + 1
    column = headers.index("期末维护资产（万元）")
    total = sum(row[column] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert total == pytest.approx(recount.maintained_at(extract_rows, END)["aum"].sum() / 10_000)


def test_scorecard_shows_each_branchs_contact_coverage_at_the_quarters_end(demo_db, tmp_path, monkeypatch):
    log = tmp_path / "followup.sqlite"
    monkeypatch.setenv("BANK_FOLLOWUP_DB", str(log))
    con = analytics_connection(demo_db)
    standard = [t.rank for t in current_policy(con).tiers if t.contact_every_days]
    # independently: the maintained, open customers of one branch in a tier with a contact standard at END
    [(branch_id, maintained, first)] = con.execute(
        "select branch_id, count(*), min(customer_id) from customer_snapshot where period = $end and "
        "status <> 'closed' and maintained_rules > 0 and tier in (select unnest($ranks::integer[])) "
        "group by branch_id order by branch_id limit 1",
        {"end": END, "ranks": standard},
    ).fetchall()
    contact = Contact(first, END - timedelta(days=3), CHANNELS[0], OUTCOMES[0])
    add_contact(contact, "boss", log)
    add_contact(Contact(first, date.today(), CHANNELS[0], OUTCOMES[0]), "boss", log)  # after END: not counted twice
    at = no_exception(app(demo_db, "views/scorecard.py"))
    shown = frame_with(at, "unit", "contact_coverage_rate").set_index("unit")["contact_coverage_rate"]
    assert shown[branch_id] == pytest.approx(100 / maintained)  # one of `maintained`, in percent
    assert (shown.drop(branch_id).fillna(0) == 0).all()  # nobody else was contacted
