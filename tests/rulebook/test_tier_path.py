"""The rulebook on the fixture of tests/helpers/rulebook.py: every expected tier, strike and maintained rule worked
out by hand in that table."""

from __future__ import annotations

import pytest

from analytics.core.scope import Scope
from analytics.metrics.churn import churn_by_unit
from analytics.metrics.segments import card_tier_crosstab, relationship_types
from analytics.store.write import apply_policy
from tests.helpers.rulebook import PERIODS, load_months, rulebook_policy

M, E, A, W = 0, 1, 2, 3
BUFFERED = {
    "R04": [A, A, A, A, A],
    "R05": [A, A, A, A, A],
    "R06": [A, A, E, E, E],
    "R07": [W, W, E, E, E],
    "R08": [A, None, E, E, E],
}
RAW = {
    "R04": [A, E, A, A, A],
    "R05": [A, E, A, E, A],
    "R06": [A, E, E, E, M],
    "R07": [W, E, E, E, E],
    "R08": [A, None, E, E, E],
}
STRIKES = {"R05": [0, 1, 0, 1, 0], "R06": [0, 1, 0, 0, 1], "R07": [0, 1, 0, 0, 0]}


def _paths(con, column):
    rows = con.execute(f"select customer_id, period, {column} from customer_snapshot order by 1, 2").fetchall()
    paths: dict[str, list] = {}
    for cid, period, value in rows:
        paths.setdefault(cid, [None] * len(PERIODS))[PERIODS.index(period)] = value
    return paths


def test_retier_buffer_holds_tiers_within_the_margin_and_until_the_second_strike(tmp_path):
    con = load_months(tmp_path, rulebook_policy(buffer=True))
    tiers, raw, strikes = _paths(con, "tier"), _paths(con, "raw_tier"), _paths(con, "strikes")
    for cid, expected in BUFFERED.items():
        assert tiers[cid] == expected, cid
        assert raw[cid] == RAW[cid], cid
    for cid, expected in STRIKES.items():
        assert strikes[cid] == expected, cid
    assert tiers["R14"] == [M] * 5 and tiers["R02"] == [E] * 5


def test_retier_without_buffer_tiers_follow_the_bounds(tmp_path):
    con = load_months(tmp_path, rulebook_policy(buffer=False))
    tiers = _paths(con, "tier")
    for cid, expected in RAW.items():
        assert tiers[cid] == expected, cid


def test_retier_back_filled_month_gives_the_tiers_of_loading_in_order(tmp_path):
    in_order = load_months(tmp_path / "a", rulebook_policy())
    back_filled = load_months(
        tmp_path / "b", rulebook_policy(), [PERIODS[0], PERIODS[2], PERIODS[3], PERIODS[4], PERIODS[1]]
    )
    for column in ("tier", "strikes", "maintained_rules", "relationship"):
        assert _paths(back_filled, column) == _paths(in_order, column), column
    summary = "select * from tier_summary order by all"
    assert back_filled.execute(summary).fetchall() == in_order.execute(summary).fetchall()


def test_apply_policy_switching_the_buffer_on_retiers_the_history(tmp_path):
    con = load_months(tmp_path, rulebook_policy(buffer=False))
    assert apply_policy(con, rulebook_policy(buffer=True))
    tiers = _paths(con, "tier")
    for cid, expected in BUFFERED.items():
        assert tiers[cid] == expected, cid


@pytest.mark.parametrize(
    ("cid", "rules"),
    [
        ("R01", "card"),  # 金卡 under 5万
        ("R02", ""),  # 65 at 7万: the emerging band is for customers under 60
        ("R03", "tier"),  # 59 at 7万
        ("R04", "tier"),
        ("R09", ""),
        ("R10", "spend"),
        ("R11", "loan"),
        ("R12", "margin"),
        ("R13", "tier"),  # age unknown: the tier rule holds
        ("R14", ""),
    ],
)
def test_maintained_rules_each_rule_makes_a_customer_maintained(tmp_path, cid, rules):
    con = load_months(tmp_path, rulebook_policy())
    row = con.execute(
        "select maintained_rules from customer_snapshot where customer_id = $c and period = $p",
        {"c": cid, "p": PERIODS[0]},
    ).fetchone()
    names = [
        name for name, bit in (("tier", 1), ("card", 2), ("spend", 4), ("loan", 8), ("margin", 16)) if row[0] & bit
    ]
    assert ",".join(names) == rules


def test_churn_by_unit_counts_the_rulebook_population(tmp_path):
    con = load_months(tmp_path, rulebook_policy())
    # maintained at 01-31: R01 R03 R04 R05 R06 R07 R08 R10 R11 R12 R13 = 11; at 02-28 R08 has no row and R12's margin
    # is 9,999: 2 churned. Active (>= 100): all but R09 = 13; R08 is not active at 02-28: 1 attrited.
    row = churn_by_unit(con, PERIODS[0], PERIODS[1], None, Scope(), by_tier=False).iloc[0]
    assert (row.maintained_start, row.churned, row.active_start, row.attrited) == (11, 2, 13, 1)
    # 01-31 to 03-31: R08 is back (tier E, maintained) and R12's margin too: none churned
    row = churn_by_unit(con, PERIODS[0], PERIODS[2], None, Scope(), by_tier=False).iloc[0]
    assert (row.maintained_start, row.churned) == (11, 0)


def test_relationship_and_preference_types_by_hand(tmp_path):
    con = load_months(tmp_path, rulebook_policy())
    relationship, preference = _paths(con, "relationship"), _paths(con, "preference")
    # R01 maintained with a 金卡: existing VIP (3); R03 maintained with a 普卡: to be won (2); R02 7万 >= 80% of 5万
    # and not maintained: potential (1); R14 grew 50% at 02-28: potential there only; R09: general (0)
    assert relationship["R01"][0] == 3 and relationship["R03"][0] == 2 and relationship["R02"][0] == 1
    assert relationship["R14"] == [0, 1, 0, 0, 0] and relationship["R09"][0] == 0
    # R01 30% deposits: fee-business-heavy (3); R03 all deposits (1); R13 4/7 = 57% deposits: balanced (2)
    assert (preference["R01"][0], preference["R03"][0], preference["R13"][0]) == (3, 1, 2)


def test_card_tier_crosstab_counts_the_gold_cards_under_the_maintained_bound(tmp_path):
    con = load_months(tmp_path, rulebook_policy())
    cross = card_tier_crosstab(con, PERIODS[0], Scope()).set_index(["card_level", "tier"])
    # at 01-31: R01 is the one 金卡, in mass; 普卡 mass: R09 R10 R11 R12 R14 = 5 (maintained R10 R11 R12);
    # 普卡 emerging: R02 R03 R13 = 3 (R02 is 65: not maintained)
    assert cross.loc[("金卡", "mass"), "customers"] == 1 and cross.loc[("金卡", "mass"), "maintained"] == 1
    assert cross.loc[("普卡", "mass"), "customers"] == 5 and cross.loc[("普卡", "mass"), "maintained"] == 3
    assert cross.loc[("普卡", "emerging"), "customers"] == 3 and cross.loc[("普卡", "emerging"), "maintained"] == 2
    assert cross["customers"].sum() == 14 and cross.loc[("钻石卡", "private"), "customers"] == 0


def test_relationship_types_per_tier_by_hand(tmp_path):
    con = load_months(tmp_path, rulebook_policy())
    types = relationship_types(con, PERIODS[1], Scope())
    counts = types.groupby("relationship")["customers"].sum().to_dict()
    # at 02-28 (13 present): vip R01; potential R02 (7万, 65) and R14 (grew 50%); to be won: the maintained without a
    # VIP card: R03 R04 R05 R06 R07 R10 R11 R13 = 8; general: R09, R12 (margin 9,999) = 2
    assert counts == {"vip": 1, "potential": 2, "to_win": 8, "general": 2}
