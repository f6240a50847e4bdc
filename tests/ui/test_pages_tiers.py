"""客户分层 Tiers page: each tab's numbers equal the distribution / action functions for the same filters."""
from __future__ import annotations

from datetime import date

import pytest

from analytics.lists.actions import upgrade_candidates
from analytics.metrics.distribution import band_concentration, tier_distribution, vip_growth
from analytics.core.scope import Scope
from pages_fixture import analytics_connection, app, demo_db, frame_with, no_exception, open_tab

END, START = date(2026, 9, 30), date(2026, 6, 30)


@pytest.fixture(scope="module")
def db():
    return demo_db()


def test_tiers_by_unit_follows_the_level(db):
    con = analytics_connection(db)
    at = no_exception(app(db, "views/tiers.py"))
    expected = tier_distribution(con, Scope(), "branch", [END])
    shown = frame_with(at, "unit", "unit_name", "tier", "customers")
    assert shown["customers"].tolist() == expected["customers"].tolist()
    at.selectbox(key="by").set_value("region").run()
    no_exception(at)
    expected = tier_distribution(con, Scope(), "region", [END])
    shown = frame_with(at, "unit", "tier", "customers")
    assert shown["unit"].tolist() == expected["unit"].tolist()
    assert shown["customers"].tolist() == expected["customers"].tolist()


def test_tiers_concentration_follows_the_invalid_accounts_toggle(db):
    con = analytics_connection(db)
    at = open_tab(app(db, "views/tiers.py"), "二八与洛伦兹")
    shown = frame_with(at, "customer_share", "aum_share")
    assert shown["customers"].tolist() == band_concentration(con, END, Scope())["customers"].tolist()
    at.toggle(key="exclude").set_value(True).run()
    no_exception(at)
    expected = band_concentration(con, END, Scope(), exclude_below_floor=True)
    shown = frame_with(at, "customer_share", "aum_share")
    assert shown["customers"].tolist() == expected["customers"].tolist()
    assert shown["customer_share"].round(6).tolist() == (expected["customer_share"] * 100).round(6).tolist()
    assert any(m.label == "基尼系数" for m in at.metric)


def test_tiers_vip_growth_equals_vip_growth(db):
    at = open_tab(app(db, "views/tiers.py"), "卡等级与 VIP")
    expected = vip_growth(analytics_connection(db), START, END, Scope())
    shown = frame_with(at, "card_level", "customers_start", "customers_end")
    assert shown["card_level"].tolist() == expected["card_level"].tolist()
    assert shown["change"].tolist() == expected["change"].tolist()


def test_tiers_upgrade_candidates_follow_the_distance_to_the_bound(db):
    con = analytics_connection(db)
    at = open_tab(app(db, "views/tiers.py"), "临近升级")
    total = upgrade_candidates(con, END, Scope(), 0.1, limit=0).attrs["total_rows"]
    assert any(f"共 {total:,} 行" in c.value for c in at.caption)
    at.number_input(key="within").set_value(20.0).run()
    no_exception(at)
    expected = upgrade_candidates(con, END, Scope(), 0.2, limit=50)
    assert expected.attrs["total_rows"] > total
    shown = frame_with(at, "customer_id", "gap")
    assert shown["customer_id"].tolist() == expected["customer_id"].tolist()
    assert shown["customer_name"].str.contains(r"\*").all()  # masked
