"""The display helpers: money at the scale of the number, signed deltas, a customer list's column order and the
workbook's opening sheet of filters."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from analytics.core.policy import load_policy
from ui import format as fmt
from ui.columns import lead_order, prepare
from ui.xlsx import workbook


def test_amount_picks_yuan_wan_or_yi_by_the_size_of_the_figure():
    # 850 < 1万: 元; 12,285,646.80 / 1万 = 1,228.56万元; 23,012,345,678 / 1亿 = 230.12亿元
    assert fmt.amount(850) == "850元"
    assert fmt.amount(12_285_646.80) == "1,228.56万元"
    assert fmt.amount(23_012_345_678) == "230.12亿元"
    assert fmt.amount(None) == "—"
    assert fmt.scale(5e8) == (1e8, "亿元") and fmt.scale(5e8, "en") == (1e8, "100M CNY")


def test_amount_in_english_is_cny_with_separators_never_wan_or_yi():
    assert fmt.amount(12_285_646.80, "en") == "CNY 12,285,647"
    assert fmt.band_floor(10_000, "en") == "≥10k CNY" and fmt.band_floor(2_000_000, "en") == "≥2M CNY"
    assert fmt.band_floor(10_000) == "≥1万"


def test_a_card_amount_fits_in_english_with_its_scale_in_the_label():
    # 7,284,123,456 / 1亿 = 72.84 (100M CNY), its change 74,382,412 / 1亿 = +0.74; in Chinese each at its own scale
    assert fmt.card_amount(7_284_123_456, 74_382_412, "en") == ("72.84", "+0.74", "100M CNY")
    assert fmt.card_amount(7_284_123_456, 74_382_412) == ("72.84亿元", "+7,438.24万元", "")
    # a manager's book: 12,285,646.80 / 1万 = 1,228.56 (10k CNY); -548,700 / 1万 = -54.87; 40 CNY shows as 0.00
    assert fmt.card_amount(12_285_646.80, -548_700, "en") == ("1,228.56", "-54.87", "10k CNY")
    assert fmt.card_amount(12_285_646.80, 40, "en")[1] == "0" and fmt.card_amount(850, None, "en") == (
        "850",
        None,
        "CNY",
    )


def test_signed_deltas_carry_a_sign_and_zero_has_no_arrow():
    assert fmt.signed_amount(548_700) == "+54.87万元" and fmt.signed_amount(-850) == "-850元"
    assert fmt.signed_amount(0.2) == "0" and fmt.arrow("0") == "off"  # 0.2元 shows as 0元: no arrow
    assert fmt.signed_whole(26) == "+26" and fmt.signed_whole(-3) == "-3" and fmt.signed_whole(0) == "0"
    assert fmt.signed_pp(-0.0654) == "-6.54pp" and fmt.signed_pp(0.00001) == "0.00pp"
    assert fmt.arrow("+26") == "auto" and fmt.arrow("0.00pp") == "off"


def test_lead_order_puts_what_a_user_acts_on_first_and_personal_columns_last():
    columns = ["customer_id", "customer_name", "phone", "branch_name", "gap", "tier", "aum", "outcome"]
    assert lead_order(columns) == ["outcome", "tier", "aum", "gap", "customer_id", "branch_name", "customer_name",
                                   "phone"]  # fmt: skip
    assert lead_order(["unit", "tier", "customers"]) == ["unit", "tier", "customers"]  # not a customer list


def test_prepare_shows_counts_whole_and_statuses_and_cards_as_words():
    frame = pd.DataFrame(
        {"customers": [175_391.4, 11_384.6], "status": ["active", "dormant"], "card_level": ["白金卡", "none"]}
    )
    shown, kinds = prepare(frame, load_policy(), "en")
    assert shown["customers"].tolist() == [175_391, 11_385] and kinds["customers"] == "count"
    assert shown["status"].tolist() == ["Active", "Dormant"]
    assert shown["card_level"].tolist() == ["Platinum", "No card"]


def test_workbook_opens_with_a_sheet_of_its_filters():
    about = [("页面", "层级迁移"), ("查看范围", "3212001 王宇博"), ("期间", "2026Q2-2026Q3"), ("单元格", "=潜力客户")]
    frame = pd.DataFrame({"customer_id": ["0001"], "aum": [10_000.0]})
    book = openpyxl.load_workbook(io.BytesIO(workbook([("客户名单", frame)], load_policy(), "zh", about)))
    assert book.sheetnames == ["查询条件", "客户名单"]
    rows = [(a.value, b.value) for a, b in book["查询条件"].iter_rows(max_col=2)]
    assert rows == about
    assert book["查询条件"]["B4"].quotePrefix  # a formula-like value stays text
    sheet = book["客户名单"]  # a customer list: AUM first
    assert [sheet["A1"].value, sheet["A2"].value, sheet["B2"].value] == ["金融资产（万元）", 1.0, "0001"]  # 1万元


def test_meaning_is_the_kouji_in_words_in_the_chosen_language(monkeypatch):
    from analytics.metrics.churn import churn_by_unit
    from analytics.metrics.scorecard import quarter_scorecard, scorecard
    from ui import i18n
    from ui.kouji import definition, meaning

    monkeypatch.setattr(i18n, "lang", lambda: "zh")
    churn = meaning(churn_by_unit, "churn_rate")
    assert churn.startswith("**口径** · 期初维护客户中") and "\\_" not in churn and "maintained" not in churn
    monkeypatch.setattr(i18n, "lang", lambda: "en")
    assert meaning(churn_by_unit, "churn_rate").startswith("**Definition** · Share of customers maintained")
    assert meaning(quarter_scorecard, "churn_rate") == definition(quarter_scorecard, "churn_rate")  # the docstring
    monkeypatch.setattr(i18n, "lang", lambda: "zh")
    assert meaning(scorecard, "score").startswith("**口径** · 综合得分") and "percentile" not in meaning(
        scorecard, "score"
    )


def test_context_names_the_file_by_page_table_unit_period_and_filters(monkeypatch):
    from analytics.access.users import User
    from ui import exports, i18n
    from ui.session import View

    monkeypatch.setattr(i18n, "lang", lambda: "zh")
    monkeypatch.setattr(exports, "view", lambda: View(quarter="2026Q3"))
    monkeypatch.setattr(exports, "current_user", lambda: User("guo", "manager", ("3301001",)))
    name, rows = exports.context("mi.title", "客户名单", {"单元格": "潜力客户 → 大众客户", "空": None})
    assert (
        name == "层级迁移_客户名单_3301001_2026Q3_潜力客户-→-大众客户"
    )  # a manager's own book, the empty filter left out
    assert rows[:5] == [
        ("页面", "层级迁移"), ("内容", "客户名单"), ("查看范围", "3301001"), ("期间", "2026Q3"),
        ("单元格", "潜力客户 → 大众客户"),
    ]  # fmt: skip
    assert rows[5] == ("导出人", "guo")


def test_workbook_writes_a_rates_change_in_percentage_points_and_the_rate_in_percent():
    import io

    import openpyxl
    import pandas as pd
    import pytest

    from analytics.core.policy import load_policy
    from ui.xlsx import workbook

    frame = pd.DataFrame({"unit": ["B01"], "churn_rate": [0.0612], "churn_rate_change": [-0.0123]})
    for lang, unit in (("zh", "个百分点"), ("en", "pp")):
        sheet = openpyxl.load_workbook(io.BytesIO(workbook([("s", frame)], load_policy(), lang))).active
        rate, change = sheet.cell(2, 2), sheet.cell(2, 3)
        assert (rate.value, rate.number_format) == (0.0612, "0.00%")  # 6.12%
        assert change.value == pytest.approx(-1.23) and unit in change.number_format  # 6.12% - 7.35%: -1.23 pp
