"""客户分层 Tiers page: each tab's numbers equal the distribution / action functions for the same filters.

The key numbers are also checked against the extracts recounted with pandas (tests/helpers/recount.py).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analytics.core.scope import Scope
from analytics.lists.actions import upgrade_candidates
from analytics.metrics.distribution import band_concentration, tier_distribution, vip_growth
from tests.helpers import recount
from tests.helpers.pages import analytics_connection, app, frame_with, no_exception, open_tab

END, START = date(2026, 9, 30), date(2026, 6, 30)
# the AUM bands of the 二八 analysis in CNY, written out from the 口径 of band_concentration: [floor, next floor)
BAND_FLOORS = [
    float("-inf"),
    0,
    100,
    1_000,
    10_000,
    50_000,
    100_000,
    200_000,
    500_000,
    1_000_000,
    2_000_000,
    5_000_000,
    10_000_000,
]


def by_unit_and_tier(rows, column: str) -> dict[tuple[str, str], int]:
    """By hand: customers present at END per unit (`column` of their row then) and tier name."""
    counted = recount.at(rows, END).groupby([column, "tier"]).size()
    return {(unit, recount.TIER_NAMES[tier]): n for (unit, tier), n in counted.items()}


def shown_by_unit_and_tier(shown) -> dict[tuple[str, str], int]:
    shown = shown[shown["customers"] > 0]
    return dict(zip(zip(shown["unit"], shown["tier"]), shown["customers"]))


def customers_per_band(rows, exclude_below_floor: bool = False) -> dict[float, int]:
    """By hand: customers present at END per AUM band (keyed by its floor in CNY); bands with nobody left out."""
    aum = recount.at(rows, END)["aum"]
    if exclude_below_floor:
        aum = aum[aum >= 100]  # the policy's attrition floor, 100 CNY
    bands = pd.cut(aum, [*BAND_FLOORS, float("inf")], right=False, labels=BAND_FLOORS).value_counts()
    return {float(floor): n for floor, n in bands.items() if n}


def upgrade_candidates_by_hand(rows, within: float) -> int:
    """Customers present at END below the top tier whose AUM is at least (1 - within) x the next tier's bound."""
    now = recount.at(rows, END)
    below_top = now[now["tier"] < len(recount.TIERS) - 1]
    next_bound = below_top["tier"].map(lambda tier: recount.BOUNDS[tier + 1])
    return int((below_top["aum"] >= (1 - within) * next_bound).sum())


def test_tiers_by_unit_follows_the_level(demo_db, extract_rows):
    con = analytics_connection(demo_db)
    at = no_exception(app(demo_db, "views/tiers.py"))
    expected = tier_distribution(con, Scope(), "branch", [END])
    shown = frame_with(at, "unit", "unit_name", "tier", "customers")
    assert shown["customers"].tolist() == expected["customers"].tolist()
    # by hand: the 2026-09-30 extract's rows not closed, per 网点号 and tier of the policy's bounds
    assert shown_by_unit_and_tier(shown) == by_unit_and_tier(extract_rows, "branch_id")
    at.selectbox(key="by").set_value("region").run()
    no_exception(at)
    expected = tier_distribution(con, Scope(), "region", [END])
    shown = frame_with(at, "unit", "tier", "customers")
    assert shown["unit"].tolist() == expected["unit"].tolist()
    assert shown["customers"].tolist() == expected["customers"].tolist()
    # by hand: the same, per 分行 (the region of each row)
    assert shown_by_unit_and_tier(shown) == by_unit_and_tier(extract_rows, "region")


def shown_per_band(shown, column: str = "customers") -> dict[float, float]:
    """`column` per band with customers, keyed by the band's floor in CNY (the page shows 万元)."""
    shown = shown[shown["customers"] > 0]
    return {round(floor * 10_000, 2): value for floor, value in zip(shown["floor"], shown[column])}


def test_tiers_concentration_follows_the_invalid_accounts_toggle(demo_db, extract_rows):
    con = analytics_connection(demo_db)
    at = open_tab(app(demo_db, "views/tiers.py"), "二八与洛伦兹")
    shown = frame_with(at, "customer_share", "aum_share")
    assert shown["customers"].tolist() == band_concentration(con, END, Scope())["customers"].tolist()
    assert shown_per_band(shown) == customers_per_band(extract_rows)  # pd.cut of the extract's AUM, by hand
    at.toggle(key="exclude").set_value(True).run()
    no_exception(at)
    expected = band_concentration(con, END, Scope(), exclude_below_floor=True)
    shown = frame_with(at, "customer_share", "aum_share")
    assert shown["customers"].tolist() == expected["customers"].tolist()
    assert shown["customer_share"].round(6).tolist() == (expected["customer_share"] * 100).round(6).tolist()
    assert any(m.label == "基尼系数" for m in at.metric)
    # by hand: without the accounts under 100 CNY (the attrition floor), and their shares of what is left
    by_hand = customers_per_band(extract_rows, exclude_below_floor=True)
    assert shown_per_band(shown) == by_hand
    assert shown_per_band(shown, "customer_share") == pytest.approx(
        {floor: 100 * n / sum(by_hand.values()) for floor, n in by_hand.items()}
    )


def test_tiers_vip_growth_equals_vip_growth(demo_db, extract_rows):
    at = open_tab(app(demo_db, "views/tiers.py"), "卡等级与 VIP")
    expected = vip_growth(analytics_connection(demo_db), START, END, Scope())
    shown = frame_with(at, "card_level", "customers_start", "customers_end")
    assert shown["card_level"].tolist() == expected["card_level"].tolist()
    assert shown["change"].tolist() == expected["change"].tolist()
    # by hand: customers present per 卡等级 at each end; 金卡及以上 = 金卡 + 白金卡 + 钻石卡
    start, end = (recount.at(extract_rows, day)["card_level"].value_counts() for day in (START, END))
    cards = {card: (start.get(card, 0), end.get(card, 0)) for card in set(start.index) | set(end.index)}
    gold = [cards.get(card, (0, 0)) for card in ("金卡", "白金卡", "钻石卡")]
    cards["金卡及以上"] = (sum(s for s, _ in gold), sum(e for _, e in gold))
    assert {r.card_level: (r.customers_start, r.customers_end, r.change) for r in shown.itertuples()} == {
        card: (s, e, e - s) for card, (s, e) in cards.items()
    }


def test_tiers_upgrade_candidates_follow_the_distance_to_the_bound(demo_db, extract_rows):
    con = analytics_connection(demo_db)
    at = open_tab(app(demo_db, "views/tiers.py"), "临近升级")
    total = upgrade_candidates(con, END, Scope(), 0.1, limit=0).attrs["total_rows"]
    assert any(f"共 {total:,} 行" in c.value for c in at.caption)
    assert total == upgrade_candidates_by_hand(extract_rows, 0.1)  # AUM >= 90% of the next bound, by hand
    at.number_input(key="within").set_value(20.0).run()
    no_exception(at)
    expected = upgrade_candidates(con, END, Scope(), 0.2, limit=50)
    assert expected.attrs["total_rows"] > total
    assert any(f"共 {upgrade_candidates_by_hand(extract_rows, 0.2):,} 行" in c.value for c in at.caption)
    shown = frame_with(at, "customer_id", "gap")
    assert shown["customer_id"].tolist() == expected["customer_id"].tolist()
    assert shown["customer_name"].str.contains(r"\*").all()  # masked
