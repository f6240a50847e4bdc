"""总览 Overview page: cards equal analytics.metrics.overview.quarter_overview, follow the quarter, the unit and the
language.

The key numbers are also checked against the extracts recounted with pandas (tests/helpers/recount.py).
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from analytics.access.narrow import narrow_scope
from analytics.core.scope import Scope
from analytics.metrics.distribution import tier_distribution
from analytics.metrics.overview import quarter_overview
from tests.helpers import recount
from tests.helpers.pages import analytics_connection, app, frame_with, metric, no_exception
from ui import format as fmt

Q1, Q2, Q3 = date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30)  # the quarter ends of the demo bank


def assert_cards(at, expected):
    now, before = expected.iloc[0], expected.iloc[1]
    assert metric(at, "客户数").value == fmt.count(now.customers)
    assert metric(at, "维护客户").value == fmt.count(now.maintained)
    assert metric(at, "金融资产").value == fmt.amount(now.aum)
    assert metric(at, "保 · 流失率").value == fmt.percent(now.churn_rate)
    assert metric(at, "保 · 流失率").proto.delta == fmt.signed_pp(now.churn_rate - before.churn_rate)
    assert metric(at, "争 · 提升率").value == fmt.percent(now.upgrade_rate)
    assert metric(at, "挖 · 产品覆盖率").value == fmt.percent(now.coverage_rate)
    assert metric(at, "抢 · 维护客户增长").value == fmt.percent(now.growth)
    assert metric(at, "客户数").proto.delta == fmt.signed_whole(now.customers - before.customers)


def assert_cards_recounted(at, rows, start, end):
    """The cards against the extracts read with pandas (tests/helpers/recount.py): customers = rows at `end` not
    closed; maintained = those at 5万 or more; churn = maintained at `start` and not maintained at `end` (absent,
    closed or under 5万), over maintained at `start`; coverage = maintained at `end` with 3 products or more."""
    now, maintained = recount.at(rows, end), recount.maintained_at(rows, end)
    assert metric(at, "客户数").value == f"{len(now):,}"
    assert metric(at, "维护客户").value == f"{len(maintained):,}"
    total = now["aum"].sum()  # 亿元 from 1亿 up, 万元 below
    assert metric(at, "金融资产").value == (f"{total / 1e8:,.2f}亿元" if total >= 1e8 else f"{total / 1e4:,.2f}万元")
    churn = len(recount.churned(rows, start, end)) / len(recount.maintained_at(rows, start))
    assert metric(at, "保 · 流失率").value == f"{churn:.2%}"
    coverage = (maintained["product_count"] >= 3).mean()
    assert metric(at, "挖 · 产品覆盖率").value == f"{coverage:.2%}"


def test_overview_cards_equal_quarter_overview_and_follow_the_quarter(demo_db, extract_rows):
    con = analytics_connection(demo_db)
    at = no_exception(app(demo_db))
    assert_cards(at, quarter_overview(con, "2026Q3", Scope()))
    assert_cards_recounted(at, extract_rows, Q2, Q3)
    assert "口径" in metric(at, "保 · 流失率").help
    at.selectbox(key="q").set_value("2026Q2").run()
    no_exception(at)
    q2 = quarter_overview(con, "2026Q2", Scope())
    assert metric(at, "客户数").value == fmt.count(q2.iloc[0].customers)
    assert metric(at, "保 · 流失率").value == fmt.percent(q2.iloc[0].churn_rate)
    assert_cards_recounted(at, extract_rows, Q1, Q2)


def test_overview_tier_table_equals_tier_distribution(demo_db, extract_rows):
    expected = tier_distribution(analytics_connection(demo_db), Scope())
    shown = frame_with(app(demo_db), "period", "tier", "customers", "aum")
    assert shown["customers"].tolist() == expected["customers"].tolist()
    assert shown["aum"].round(2).tolist() == (expected["aum"].astype(float) / 10_000).round(2).tolist()
    assert set(shown["tier"]) == {"大众客户", "潜力客户", "中端客户", "理财客户", "私行/财富客户"}
    # by hand: at each month end, the extract's rows that are not closed, counted per tier of the policy's bounds,
    # with their AUM in 万元
    present = extract_rows[extract_rows["present"]]
    counted = present.groupby(["period", "tier"]).agg(customers=("customer_id", "size"), aum=("aum", "sum"))
    cells = {(str(period), recount.TIER_NAMES[tier]): row for (period, tier), row in counted.iterrows()}
    shown = shown[shown["customers"] > 0]
    assert {(str(r.period.date()), r.tier): r.customers for r in shown.itertuples()} == {
        cell: row["customers"] for cell, row in cells.items()
    }
    assert {(str(r.period.date()), r.tier): r.aum for r in shown.itertuples()} == pytest.approx(
        {cell: row["aum"] / 10_000 for cell, row in cells.items()}, abs=0.005
    )


def test_overview_unit_view_narrows_the_cards_to_the_branch(demo_db, extract_rows):
    con = analytics_connection(demo_db)
    at = app(demo_db)
    at.selectbox(key="view").set_value("branch").run()
    branch = at.selectbox(key="unit").options[0].split()[0]
    at.selectbox(key="unit").set_value(branch).run()
    no_exception(at)
    expected = quarter_overview(con, "2026Q3", narrow_scope(con, Scope(), "branch", branch))
    assert metric(at, "客户数").value == fmt.count(expected.iloc[0].customers)
    assert expected.iloc[0].customers < quarter_overview(con, "2026Q3", Scope()).iloc[0].customers
    # by hand: the branch's rows in the 2026-09-30 extract that are not closed
    assert metric(at, "客户数").value == f"{(recount.at(extract_rows, Q3)['branch_id'] == branch).sum():,}"


def test_overview_english_toggle_translates_and_keeps_the_filters(demo_db):
    at = app(demo_db)
    at.selectbox(key="view").set_value("region").run()
    at.button_group(key="lang").set_value("en").run()
    no_exception(at)
    assert at.title[0].value == "Overview"
    assert [m.label for m in at.metric][:2] == ["Customers", "Maintained"]
    # the AUM card fits: its scale in the label as on the axes (AUM (100M CNY) / (10k CNY)), a short figure
    assert re.fullmatch(r"AUM \((100M|10k) CNY\)", at.metric[2].label), at.metric[2].label
    assert re.fullmatch(r"[\d,]+\.\d\d", at.metric[2].value) and len(at.metric[2].value) <= 9, at.metric[2].value
    assert at.selectbox(key="view").value == "region"
    assert at.selectbox(key="view").options[0] == "Whole bank"
    assert "大众客户" not in frame_with(at, "tier")["tier"].tolist()


def test_overview_opens_from_a_shared_url(demo_db):
    at = no_exception(app(demo_db, query={"lang": "en", "q": "2026Q2"}))
    assert at.title[0].value == "Overview"
    assert at.selectbox(key="q").value == "2026Q2"
