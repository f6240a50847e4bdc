"""流失与留存 Churn & retention page: every tab equals churn / retention / action functions for the same filters.

The key numbers are also checked against the extracts recounted with pandas (tests/helpers/recount.py).
"""

from __future__ import annotations

from datetime import date

from analytics.core.scope import Scope
from analytics.lists.actions import at_risk_customers, churned_high_value
from analytics.metrics.churn import churn_by_unit
from analytics.metrics.retention import retention_triangle, survival_by_tier
from analytics.store.generations import writing
from analytics.store.write import apply_policy
from tests.helpers import recount
from tests.helpers.fixture_bank import version_one_policy
from tests.helpers.pages import analytics_connection, app, frame_with, no_exception, open_tab

START, END = date(2026, 6, 30), date(2026, 9, 30)
Q1 = date(2026, 3, 31)  # the first quarter end loaded


def churn_by_hand(rows, unit) -> dict[str, tuple[int, int]]:
    """unit -> (maintained at START, churned by END), credited to the unit of the START row."""
    start, gone = recount.maintained_at(rows, START), recount.churned(rows, START, END)
    return {u: (n, int((unit(gone) == u).sum())) for u, n in unit(start).value_counts().items()}


def shown_churn(shown, key: str = "unit") -> dict[str, tuple[int, int]]:
    shown = shown[shown["maintained_start"] > 0]
    return {u: (m, c) for u, m, c in zip(shown[key], shown["maintained_start"], shown["churned"])}


def test_churn_by_unit_equals_churn_by_unit_and_follows_the_level(demo_db, extract_rows):
    con = analytics_connection(demo_db)
    at = no_exception(app(demo_db, "views/churn.py"))
    expected = churn_by_unit(con, START, END, "branch", Scope(), by_tier=False)
    shown = frame_with(at, "unit", "churned", "churn_rate_low")
    assert shown["churned"].tolist() == expected["churned"].tolist()
    assert shown["churn_rate"].round(6).tolist() == (expected["churn_rate"] * 100).round(6).tolist()
    # by hand: maintained (>= 5万) at 2026-06-30 per 网点号 then, and of them those not maintained at 2026-09-30
    assert shown_churn(shown) == churn_by_hand(extract_rows, lambda rows: rows["branch_id"])
    by_tier = frame_with(at, "tier", "churned", "attrited")
    assert by_tier["churned"].tolist() == churn_by_unit(con, START, END, None, Scope())["churned"].tolist()
    by_hand = churn_by_hand(extract_rows, lambda rows: rows["tier"].map(dict(enumerate(recount.TIER_NAMES))))
    assert shown_churn(by_tier, "tier") == by_hand  # the same per tier at the start
    at.selectbox(key="by").set_value("manager").run()
    no_exception(at)
    expected = churn_by_unit(con, START, END, "manager", Scope(), by_tier=False)
    shown = frame_with(at, "unit", "churned", "churn_rate_low")
    assert shown["unit"].tolist() == expected["unit"].tolist()
    # the flag as a word: ⚠ 样本小 where fewer than 30 were maintained at the start, blank otherwise
    flags = ["⚠ 样本小" if small else "" for small in expected["churn_small_sample"]]
    assert shown["churn_small_sample"].tolist() == flags
    assert shown_churn(shown) == churn_by_hand(
        extract_rows, recount.manager_unit
    )  # per 客户经理号 at the start, by hand


def test_churn_retention_triangle_and_survival_equal_the_retention_functions(demo_db, extract_rows):
    con = analytics_connection(demo_db)
    at = open_tab(app(demo_db, "views/churn.py"), "留存三角")
    expected = retention_triangle(con, Scope())
    shown = frame_with(at, "cohort", "quarters_after", "retained")
    assert shown["retained"].tolist() == expected["retained"].tolist()
    # by hand: cohort 2026Q2 = maintained at 2026-06-30 and not at 2026-03-31; retained = of them, maintained at
    # 2026-09-30; cohort 2026Q3 = maintained at 2026-09-30 and not at 2026-06-30
    q1, q2, q3 = (set(recount.maintained_at(extract_rows, day).index) for day in (Q1, START, END))
    cells = {
        (c, k): (size, kept)
        for c, k, size, kept in zip(shown["cohort"], shown["quarters_after"], shown["cohort_size"], shown["retained"])
    }
    assert cells == {
        ("2026Q2", 0): (len(q2 - q1), len(q2 - q1)),
        ("2026Q2", 1): (len(q2 - q1), len(q2 - q1 & q3)),
        ("2026Q3", 0): (len(q3 - q2), len(q3 - q2)),
    }
    at = open_tab(at, "生存曲线")
    expected = survival_by_tier(con, Scope())
    shown = frame_with(at, "survival", "at_risk")
    assert shown["at_risk"].tolist() == expected["at_risk"].tolist()
    # by hand: those maintained at 2026-03-31 by tier then; still at risk at 2026-09-30 = neither churned (not
    # maintained) nor downgraded (a lower tier) at 2026-06-30
    first = recount.maintained_at(extract_rows, Q1)
    then = recount.maintained_at(extract_rows, START)["tier"].reindex(first.index)
    no_event = then.notna() & (then >= first["tier"])
    at_risk = {}
    for tier, group in first.groupby("tier"):
        name = recount.TIER_NAMES[tier]
        at_risk |= {(name, 0): len(group), (name, 1): len(group), (name, 2): int(no_event[group.index].sum())}
    assert dict(zip(zip(shown["tier"], shown["quarters_after"]), shown["at_risk"])) == at_risk


def test_churn_at_risk_follows_the_drop(demo_db, extract_rows):
    con = analytics_connection(demo_db)
    at = open_tab(app(demo_db, "views/churn.py"), "风险客户")
    at.slider(key="drop").set_value(10).run()
    no_exception(at)
    expected = at_risk_customers(con, END, Scope(), 3, 0.1, limit=50)
    assert len(expected) > 0
    shown = frame_with(at, "customer_id", "aum_before")
    assert shown["customer_id"].tolist() == expected["customer_id"].tolist()
    assert any(f"共 {expected.attrs['total_rows']:,} 行" in c.value for c in at.caption)
    # by hand: maintained at 2026-09-30, with a positive AUM at 2026-06-30 (3 months before), now <= 90% of it
    now = recount.maintained_at(extract_rows, END)
    before = recount.at(extract_rows, START)["aum"].reindex(now.index)
    fell = (before > 0) & (now["aum"] <= 0.9 * before)
    assert any(f"共 {fell.sum():,} 行" in c.value for c in at.caption)


def test_churn_high_value_list_names_the_maintainer_and_masks_the_customer(demo_copy, demo_bank):
    # under the rulebook a 白金卡 / 钻石卡 holder stays maintained while present, and on the small demo bank none of
    # them left in 2026Q3; under the version-1 rule (emerging and above) some fell under 5万: re-tier a copy with it
    db = demo_copy("high_value_v1")
    with writing(db) as con:
        apply_policy(con, version_one_policy())
    at = open_tab(app(db, "views/churn.py"), "高价值流失问责")
    expected = churned_high_value(analytics_connection(db), START, END, Scope(), limit=50)
    assert len(expected) > 0
    shown = frame_with(at, "customer_id", "tier_start", "outcome")
    assert shown["customer_id"].tolist() == expected["customer_id"].tolist()
    assert shown["manager_name"].tolist() == expected["manager_name"].tolist()
    assert shown["phone"].dropna().str.contains(r"\*{4}").all()
    # by hand: churned from 2026-06-30 to 2026-09-30 and, at 2026-06-30, wealth or private (>= 20万) or holding a
    # 白金卡 / 钻石卡
    rows = recount.read_extracts(demo_bank.extracts, rulebook=False)
    gone = recount.churned(rows, START, END)
    high = gone[(gone["tier"] >= 3) | gone["card_level"].isin(["白金卡", "钻石卡"])]
    assert 0 < len(high) <= 50 and set(shown["customer_id"]) == set(high.index)
