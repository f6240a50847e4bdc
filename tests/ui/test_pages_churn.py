"""流失与留存 Churn & retention page: every tab equals churn / retention / action functions for the same filters."""
from __future__ import annotations

from datetime import date

import pytest

from analytics.lists.actions import at_risk_customers, churned_high_value
from analytics.metrics.churn import churn_by_unit
from analytics.metrics.retention import retention_triangle, survival_by_tier
from analytics.core.scope import Scope
from pages_fixture import analytics_connection, app, demo_db, frame_with, no_exception, open_tab

START, END = date(2026, 6, 30), date(2026, 9, 30)


@pytest.fixture(scope="module")
def db():
    return demo_db()


def test_churn_by_unit_equals_churn_by_unit_and_follows_the_level(db):
    con = analytics_connection(db)
    at = no_exception(app(db, "views/churn.py"))
    expected = churn_by_unit(con, START, END, "branch", Scope(), by_tier=False)
    shown = frame_with(at, "unit", "churned", "churn_rate_low")
    assert shown["churned"].tolist() == expected["churned"].tolist()
    assert shown["churn_rate"].round(6).tolist() == (expected["churn_rate"] * 100).round(6).tolist()
    by_tier = frame_with(at, "tier", "churned", "attrited")
    assert by_tier["churned"].tolist() == churn_by_unit(con, START, END, None, Scope())["churned"].tolist()
    at.selectbox(key="by").set_value("manager").run()
    no_exception(at)
    expected = churn_by_unit(con, START, END, "manager", Scope(), by_tier=False)
    shown = frame_with(at, "unit", "churned", "churn_rate_low")
    assert shown["unit"].tolist() == expected["unit"].tolist()
    assert shown["churn_small_sample"].tolist() == expected["churn_small_sample"].tolist()


def test_churn_retention_triangle_and_survival_equal_the_retention_functions(db):
    con = analytics_connection(db)
    at = open_tab(app(db, "views/churn.py"), "留存三角")
    expected = retention_triangle(con, Scope())
    shown = frame_with(at, "cohort", "quarters_after", "retained")
    assert shown["retained"].tolist() == expected["retained"].tolist()
    at = open_tab(at, "生存曲线")
    expected = survival_by_tier(con, Scope())
    shown = frame_with(at, "survival", "at_risk")
    assert shown["at_risk"].tolist() == expected["at_risk"].tolist()


def test_churn_at_risk_follows_the_drop(db):
    con = analytics_connection(db)
    at = open_tab(app(db, "views/churn.py"), "风险客户")
    at.slider(key="drop").set_value(10).run()
    no_exception(at)
    expected = at_risk_customers(con, END, Scope(), 3, 0.1, limit=50)
    assert len(expected) > 0
    shown = frame_with(at, "customer_id", "aum_before")
    assert shown["customer_id"].tolist() == expected["customer_id"].tolist()
    assert any(f"共 {expected.attrs['total_rows']:,} 行" in c.value for c in at.caption)


def test_churn_high_value_list_names_the_maintainer_and_masks_the_customer(db):
    at = open_tab(app(db, "views/churn.py"), "高价值流失问责")
    expected = churned_high_value(analytics_connection(db), START, END, Scope(), limit=50)
    assert len(expected) > 0
    shown = frame_with(at, "customer_id", "tier_start", "outcome")
    assert shown["customer_id"].tolist() == expected["customer_id"].tolist()
    assert shown["manager_name"].tolist() == expected["manager_name"].tolist()
    assert shown["phone"].dropna().str.contains(r"\*{4}").all()
