"""客户查询 Explorer page: the paged table equals find_customers for the same filters; a chosen row shows the
customer's masked history."""
from __future__ import annotations

from datetime import date

import pytest

from analytics.lists.explorer import CustomerFilter, find_customers
from analytics.lists.history import customer_history
from analytics.core.scope import Scope
from pages_fixture import analytics_connection, app, demo_db, frame_with, no_exception

END = date(2026, 9, 30)


@pytest.fixture(scope="module")
def db():
    return demo_db()


def shown_ids(at):
    return frame_with(at, "customer_id", "product_count")["customer_id"].tolist()


def test_explorer_table_equals_find_customers_and_follows_the_filters(db):
    con = analytics_connection(db)
    at = no_exception(app(db, "views/explorer.py"))
    everyone = find_customers(con, END, Scope(), CustomerFilter())
    assert shown_ids(at) == everyone["customer_id"].tolist()
    assert any(f"共 {everyone.attrs['total_rows']:,} 行" in c.value for c in at.caption)
    at.multiselect(key="tiers").set_value(["wealth", "private"]).run()
    at.selectbox(key="age").set_value("40s").run()
    no_exception(at)
    expected = find_customers(con, END, Scope(), CustomerFilter(tiers=("wealth", "private"), age_min=40, age_max=49))
    assert 0 < expected.attrs["total_rows"] < everyone.attrs["total_rows"]
    assert shown_ids(at) == expected["customer_id"].tolist()
    assert set(frame_with(at, "customer_id", "tier")["tier"]) <= {"理财客户", "私行/财富客户"}


def test_explorer_aum_change_filter_keeps_customers_whose_aum_fell(db):
    con = analytics_connection(db)
    at = app(db, "views/explorer.py")
    at.selectbox(key="months").set_value(3).run()
    at.slider(key="change").set_value((-100, -20)).run()
    at.selectbox(key="sort").set_value("change_rate").run()
    at.toggle(key="desc").set_value(False).run()
    no_exception(at)
    expected = find_customers(con, END, Scope(), CustomerFilter(change_months=3, change_max=-0.2), "change_rate",
                              False)
    assert len(expected) > 0
    shown = frame_with(at, "customer_id", "change_rate")
    assert shown["customer_id"].tolist() == expected["customer_id"].tolist()
    assert (shown["change_rate"] <= -20 + 1e-9).all()


def test_explorer_chosen_row_shows_the_masked_history(db):
    con = analytics_connection(db)
    at = app(db, "views/explorer.py")
    at.session_state["customers_table"] = {"selection": {"rows": [0], "columns": []}}
    no_exception(at.run())
    customer = find_customers(con, END, Scope(), CustomerFilter(), limit=1)["customer_id"].iloc[0]
    expected = customer_history(con, customer, Scope())
    shown = frame_with(at, "period", "status", "aum")
    assert len(shown) == len(expected) > 1
    assert shown["aum"].round(2).tolist() == (expected["aum"].astype(float) / 10_000).round(2).tolist()
    assert shown["id_number"].str.contains(r"\*").all()
    assert customer in at.subheader[-1].value
