"""总览 Overview page: cards equal analytics.explorer.quarter_overview, follow the quarter, the unit and the language."""
from __future__ import annotations

import pytest

from analytics.metrics.distribution import tier_distribution
from analytics.access.narrow import narrow_scope
from analytics.metrics.overview import quarter_overview
from analytics.core.scope import Scope
from pages_fixture import analytics_connection, app, demo_db, frame_with, metric, no_exception
from ui import format as fmt


@pytest.fixture(scope="module")
def db():
    return demo_db()


def assert_cards(at, expected):
    now, before = expected.iloc[0], expected.iloc[1]
    assert metric(at, "客户数").value == fmt.count(now.customers)
    assert metric(at, "维护客户").value == fmt.count(now.maintained)
    assert metric(at, "金融资产（亿元）").value == fmt.yi(now.aum)
    assert metric(at, "保 · 流失率").value == fmt.percent(now.churn_rate)
    assert metric(at, "保 · 流失率").proto.delta == fmt.signed_points(now.churn_rate - before.churn_rate)
    assert metric(at, "争 · 提升率").value == fmt.percent(now.upgrade_rate)
    assert metric(at, "挖 · 产品覆盖率").value == fmt.percent(now.coverage_rate)
    assert metric(at, "抢 · 维护客户增长").value == fmt.percent(now.growth)
    assert metric(at, "客户数").proto.delta == fmt.signed_count(now.customers - before.customers)


def test_overview_cards_equal_quarter_overview_and_follow_the_quarter(db):
    con = analytics_connection(db)
    at = no_exception(app(db))
    assert_cards(at, quarter_overview(con, "2026Q3", Scope()))
    assert "口径" in metric(at, "保 · 流失率").help
    at.selectbox(key="q").set_value("2026Q2").run()
    no_exception(at)
    q2 = quarter_overview(con, "2026Q2", Scope())
    assert metric(at, "客户数").value == fmt.count(q2.iloc[0].customers)
    assert metric(at, "保 · 流失率").value == fmt.percent(q2.iloc[0].churn_rate)


def test_overview_tier_table_equals_tier_distribution(db):
    expected = tier_distribution(analytics_connection(db), Scope())
    shown = frame_with(app(db), "period", "tier", "customers", "aum")
    assert shown["customers"].tolist() == expected["customers"].tolist()
    assert shown["aum"].round(2).tolist() == (expected["aum"].astype(float) / 10_000).round(2).tolist()
    assert set(shown["tier"]) == {"大众客户", "潜力客户", "中端客户", "理财客户", "私行/财富客户"}


def test_overview_unit_view_narrows_the_cards_to_the_branch(db):
    con = analytics_connection(db)
    at = app(db)
    at.selectbox(key="view").set_value("branch").run()
    branch = at.selectbox(key="unit").options[0].split()[0]
    at.selectbox(key="unit").set_value(branch).run()
    no_exception(at)
    expected = quarter_overview(con, "2026Q3", narrow_scope(con, Scope(), "branch", branch))
    assert metric(at, "客户数").value == fmt.count(expected.iloc[0].customers)
    assert expected.iloc[0].customers < quarter_overview(con, "2026Q3", Scope()).iloc[0].customers


def test_overview_english_toggle_translates_and_keeps_the_filters(db):
    at = app(db)
    at.selectbox(key="view").set_value("region").run()
    at.button_group(key="lang").set_value("en").run()
    no_exception(at)
    assert at.title[0].value == "Overview"
    assert [m.label for m in at.metric][:3] == ["Customers", "Maintained", "AUM (100M CNY)"]
    assert at.selectbox(key="view").value == "region"
    assert at.selectbox(key="view").options[0] == "Whole bank"
    assert "大众客户" not in frame_with(at, "tier")["tier"].tolist()


def test_overview_opens_from_a_shared_url(db):
    at = no_exception(app(db, query={"lang": "en", "q": "2026Q2"}))
    assert at.title[0].value == "Overview"
    assert at.selectbox(key="q").value == "2026Q2"
