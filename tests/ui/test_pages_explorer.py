"""客户查询 Explorer page: the paged table equals find_customers for the same filters; a chosen row shows the
customer's masked history.

The key numbers are also checked against the extracts recounted with pandas (tests/helpers/recount.py).
"""

from __future__ import annotations

from datetime import date

import pytest

from analytics.core.scope import Scope
from analytics.followup.log import CHANNELS, OUTCOMES, Contact, add_contact
from analytics.lists.explorer import CustomerFilter, find_customers
from analytics.lists.history import customer_history
from tests.helpers import recount
from tests.helpers.pages import analytics_connection, app, frame_with, no_exception

END = date(2026, 9, 30)


def shown_ids(at):
    return frame_with(at, "customer_id", "product_count")["customer_id"].tolist()


def test_explorer_table_equals_find_customers_and_follows_the_filters(demo_db, extract_rows):
    con = analytics_connection(demo_db)
    at = no_exception(app(demo_db, "views/explorer.py"))
    everyone = find_customers(con, END, Scope(), CustomerFilter())
    assert shown_ids(at) == everyone["customer_id"].tolist()
    assert any(f"共 {everyone.attrs['total_rows']:,} 行" in c.value for c in at.caption)
    now = recount.at(extract_rows, END)
    assert any(f"共 {len(now):,} 行" in c.value for c in at.caption)  # by hand: the rows of 2026-09-30 not closed
    at.multiselect(key="tiers").set_value(["wealth", "private"]).run()
    at.selectbox(key="age").set_value("40s").run()
    no_exception(at)
    expected = find_customers(con, END, Scope(), CustomerFilter(tiers=("wealth", "private"), age_min=40, age_max=49))
    assert 0 < expected.attrs["total_rows"] < everyone.attrs["total_rows"]
    assert shown_ids(at) == expected["customer_id"].tolist()
    assert set(frame_with(at, "customer_id", "tier")["tier"]) <= {"理财客户", "私行/财富客户"}
    # by hand: of those, AUM >= 20万 (wealth, private) and 40 to 49 whole years old at 2026-09-30 (出生日期)
    chosen = (now["tier"] >= 3) & recount.age_at(now["birth_date"], END).between(40, 49)
    assert any(f"共 {chosen.sum():,} 行" in c.value for c in at.caption)


def test_explorer_aum_change_filter_keeps_customers_whose_aum_fell(demo_db, extract_rows):
    con = analytics_connection(demo_db)
    at = app(demo_db, "views/explorer.py")
    at.selectbox(key="months").set_value(3).run()
    at.slider(key="change").set_value((-100, -20)).run()
    at.selectbox(key="sort").set_value("change_rate").run()
    at.toggle(key="desc").set_value(False).run()
    no_exception(at)
    expected = find_customers(con, END, Scope(), CustomerFilter(change_months=3, change_max=-0.2), "change_rate", False)
    assert len(expected) > 0
    shown = frame_with(at, "customer_id", "change_rate")
    assert shown["customer_id"].tolist() == expected["customer_id"].tolist()
    assert (shown["change_rate"] <= -20 + 1e-9).all()
    # by hand: present at 2026-09-30 with a row at 2026-06-30 (3 month ends earlier) of positive AUM, and AUM now at
    # least 20% below it; the list sorted by change, steepest fall first
    now = recount.at(extract_rows, END)
    before = extract_rows[extract_rows["period"] == date(2026, 6, 30)].set_index("customer_id")["aum"]
    change = (now["aum"] - before.reindex(now.index)) / before.reindex(now.index)
    fell = change[(before.reindex(now.index) > 0) & (change <= -0.2)]
    assert any(f"共 {len(fell):,} 行" in c.value for c in at.caption)
    assert shown["change_rate"].tolist() == pytest.approx(sorted(100 * fell)[: len(shown)])


def test_explorer_chosen_row_shows_the_masked_history(demo_db, extract_rows):
    con = analytics_connection(demo_db)
    at = app(demo_db, "views/explorer.py")
    at.session_state["customers_table"] = {"selection": {"rows": [0], "columns": []}}
    no_exception(at.run())
    customer = find_customers(con, END, Scope(), CustomerFilter(), limit=1)["customer_id"].iloc[0]
    expected = customer_history(con, customer, Scope())
    shown = frame_with(at, "period", "status", "aum")
    assert len(shown) == len(expected) > 1
    assert shown["aum"].round(2).tolist() == (expected["aum"].astype(float) / 10_000).round(2).tolist()
    assert shown["id_number"].str.contains(r"\*").all()
    assert customer in at.subheader[-1].value
    # by hand: the customer's rows in the extracts, one per month end, AUM in 万元
    rows = extract_rows[extract_rows["customer_id"] == customer].sort_values("period")
    assert [str(p.date()) for p in shown["period"]] == [str(p) for p in rows["period"]]
    assert shown["aum"].tolist() == pytest.approx((rows["aum"] / 10_000).tolist(), abs=0.005)


def test_explorer_filters_by_gender_product_rule_and_follow_up(demo_db, tmp_path, monkeypatch):
    log = tmp_path / "followup.sqlite"
    monkeypatch.setenv("BANK_FOLLOWUP_DB", str(log))
    con = analytics_connection(demo_db)
    # independently: women holding wealth management and lacking funds, maintained by the tier rule, at END
    expected = con.execute(
        "select count(*) from customer_snapshot where period = $end and status <> 'closed' and gender = 'F' and "
        "list_contains(products, 'wealth') and not list_contains(coalesce(products, []), 'fund') "
        "and maintained_rules & 1 > 0",
        {"end": END},
    ).fetchone()[0]
    at = no_exception(app(demo_db, "views/explorer.py"))
    at.selectbox(key="gender").set_value("F").run()
    at.multiselect(key="holds").set_value(["wealth"]).run()
    at.multiselect(key="lacks").set_value(["fund"]).run()
    at.multiselect(key="rules").set_value(["tier"]).run()
    assert 0 < expected and any(f"共 {expected:,} 行" in c.value for c in no_exception(at).caption)
    first = shown_ids(at)[0]
    add_contact(Contact(first, date(2026, 9, 20), CHANNELS[0], OUTCOMES[0]), "boss", log)
    at.selectbox(key="contacted").set_value("yes").run()
    at.date_input(key="since").set_value(date(2026, 9, 1)).run()
    assert shown_ids(no_exception(at)) == [first]  # the one contacted since 2026-09-01
    at.selectbox(key="contacted").set_value("no").run()
    assert any(f"共 {expected - 1:,} 行" in c.value for c in no_exception(at).caption)
