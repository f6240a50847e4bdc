"""季度考核 page beyond the quarter, on the bank of tests/helpers/assessment_bank.py: the year to date and a custom
range, the role-tier mismatch tab, and HQ's workbook (cover, parent units, accountability) in both languages."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date

import openpyxl
import pytest

from analytics.core.scope import Scope
from analytics.store.policy_record import current_policy
from tests.helpers.assessment_bank import P0, P1, P2, assessment_bank
from tests.helpers.pages import app, frame_with, no_exception, open_tab
from ui.scorecard_table import AssessedPeriod, scorecard_workbook

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    folder = tmp_path_factory.mktemp("periods_page")
    assessment_bank(folder, h3_reason="=HYPERLINK(1)").close()  # h3's close reason typed like a formula
    return folder


def test_scorecard_page_offers_the_year_to_date_and_a_custom_range(bank):
    at = no_exception(app(bank / "bank.duckdb", "views/scorecard.py"))
    # the sidebar's quarter 2026Q2 (P1 -> P2) by default
    assert any("2026Q2：2026-03-31 → 2026-06-30" in c.value for c in at.caption)
    at.selectbox(key="sc_period").set_value("ytd").run()
    no_exception(at)
    assert any("2026 年初至今：2025-12-31 → 2026-06-30" in c.value for c in at.caption)
    # by hand (tests/metrics/test_metrics_periods_roles.py): B01 churn 3/10, score 90; B02 2/6, 70
    shown = frame_with(at, "unit", "rank", "churn_rate").set_index("unit")
    assert shown["churn_rate"].to_dict() == pytest.approx({"B01": 30.0, "B02": 100 / 3})
    assert shown["score"].to_dict() == pytest.approx({"B01": 90.0, "B02": 70.0})
    # churn and VIP growth of the business year, by tier at 2025-12-31: emerging a1-a4, h2, b1-b3, c1, c2, d1,
    # d2, u1 = 13 maintained, a4, h2, d2 churned; wealth h1 (back by P2), h4 (mass): 1; private h3: 1
    churn = frame_with(at, "tier", "maintained_start", "churned").set_index("tier")
    assert churn.loc[["潜力", "理财", "私行"], ["maintained_start", "churned"]].values.tolist() == [
        [13, 3],
        [2, 1],
        [1, 1],
    ]
    # the one 白金卡 holder, h2, closed in Q1: 1 -> 0
    cards = frame_with(at, "card_level", "customers_start", "customers_end").set_index("card_level")
    assert cards.loc["白金卡", ["customers_start", "customers_end", "change"]].tolist() == [1, 0, -1]
    at.selectbox(key="sc_period").set_value("custom").run()
    at.selectbox(key="sc_from").set_value(P0).run()
    at.selectbox(key="sc_to").set_value(P1).run()
    no_exception(at)
    # P0 -> P1: B02 (churn 1/6) overtakes B01 (3/10): 90 against 70
    shown = frame_with(at, "unit", "rank", "churn_rate").set_index("unit")
    assert shown["rank"].to_dict() == {"B02": 1, "B01": 2}
    assert shown["score"].to_dict() == pytest.approx({"B01": 70.0, "B02": 90.0})
    at.selectbox(key="sc_to").set_value(P0).run()  # an end before the start: said, nothing ranked
    assert any("晚于" in w.value for w in no_exception(at).warning)


def test_scorecard_roles_tab_lists_the_managers_out_of_their_band(bank):
    at = open_tab(app(bank / "bank.duckdb", "views/scorecard.py"), "岗位与层级匹配")
    # at P2: M1 and M2 (理财经理) each hold 3 emerging customers, a band the policy gives to 大堂经理
    found = frame_with(at, "unit", "expected_roles", "customers")
    assert found[["unit", "customers", "maintained"]].values.tolist() == [["M1", 3, 3], ["M2", 3, 3]]
    assert set(found["expected_roles"]) == {"大堂经理"}
    english = open_tab(app(bank / "bank.duckdb", "views/scorecard.py", {"lang": "en"}), "Role and tier fit")
    assert not [s.value for s in english.subheader if CJK.search(s.value)]


def _book(con, period, lang: str, accountable: bool = True) -> openpyxl.Workbook:
    return openpyxl.load_workbook(
        io.BytesIO(scorecard_workbook(con, period, Scope(), current_policy(con), lang, accountable))
    )


def test_scorecard_workbook_has_a_cover_parents_and_accountability_in_both_languages(bank):
    from analytics.store.generations import open_reader

    con = open_reader(bank / "bank.duckdb")
    book = _book(con, "2026Q2", "zh")
    assert book.sheetnames == [
        "封面", "分行", "支行", "网点", "客户经理", "岗位层级不符", "问责-客户经理", "问责-网点", "问责-流失客户"
    ]  # fmt: skip
    cover = dict(book["封面"].iter_rows(min_row=2, values_only=True))
    fingerprint = hashlib.sha256((bank / "policy.toml").read_bytes()).hexdigest()
    assert cover["政策指纹（SHA-256）"] == fingerprint
    assert (cover["考核期间"], cover["比较的月末"], cover["变化对比"]) == ("2026Q2", f"{P1} → {P2}", "2026Q1")
    assert cover["问责经营年度"] == f"{P0} → {P2}" and cover["范围"] == "全行"
    assert cover["全行目标"] == "保·流失率 5.00%"
    managers = book["客户经理"]
    headers = [c.value for c in managers[1]]
    assert headers[:4] == ["单位代码", "单位", "网点号", "网点"]
    rows = {r[0]: r for r in managers.iter_rows(min_row=2, values_only=True)}
    assert rows["M2"][2:4] == ("B01", "城东网点")  # b1, b2 in B01, b3 in B02: home B01
    # the business year 2026: M3 lost h3 (250 万元), M2 h4 (25 万元); B01's h2 closed 死亡: normal, not counted
    tally = {r[0]: r for r in book["问责-网点"].iter_rows(min_row=2, values_only=True)}
    assert {u: (r[2], r[3], r[4]) for u, r in tally.items()} == {"B02": (1, 250, 0), "B01": (1, 25, 1)}
    lost = book["问责-流失客户"]
    reasons = [c for c in lost[1] if c.value == "销户原因"][0].column
    cell = next(lost.cell(row=r, column=reasons) for r in range(2, lost.max_row + 1)
                if lost.cell(row=r, column=reasons).value == "=HYPERLINK(1)")  # fmt: skip
    assert cell.data_type == "s" and cell.quotePrefix  # text from an extract never runs as a formula
    english = _book(con, AssessedPeriod("ytd", P0, P2), "en")
    assert english.sheetnames[:6] == ["Cover", "Region", "Sub-branch", "Branch", "Manager", "Role-tier mismatch"]
    cover = dict(english["Cover"].iter_rows(min_row=2, values_only=True))
    assert cover["Period"] == "2026 year to date" and cover["Policy fingerprint (SHA-256)"] == fingerprint
    assert cover["Scope"] == "Whole bank" and cover["Unit targets (targets file)"] == "none"
    for sheet in english.worksheets:
        assert not CJK.search(sheet.title) and not [c.value for c in sheet[1] if CJK.search(str(c.value))]
    assert not [k for k in cover if CJK.search(k)]
    # the year-to-date branch sheet: B01 churn 3/10 over 2025-12-31 -> 2026-06-30
    branches = english["Branch"]
    column = [c.value for c in branches[1]].index("Churn rate")
    assert {r[0]: r[column] for r in branches.iter_rows(min_row=2, values_only=True)} == pytest.approx(
        {"B01": 0.3, "B02": 1 / 3}
    )
    # without accountability (a branch's or a manager's download), no accountability sheet
    assert not [s for s in _book(con, "2026Q2", "zh", accountable=False).sheetnames if s.startswith("问责")]
    assert date.today().isoformat() == cover["Generated on"]
