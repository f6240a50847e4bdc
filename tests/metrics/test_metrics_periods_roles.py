"""Periods beyond the quarter, who maintains which band, and exact money in JSON, on the bank of
tests/helpers/assessment_bank.py. Every number is worked out by hand in the comments."""

from __future__ import annotations

import json
from decimal import Decimal

import pandas as pd
import pytest

from analytics.core.policy import PolicyError, parse_policy
from analytics.core.policy_text import policy_toml
from analytics.core.scope import Scope
from analytics.metrics.parents import unit_parents
from analytics.metrics.reports import build_report, report_json
from analytics.metrics.role_fit import role_mismatches
from analytics.metrics.scorecard import scorecard
from tests.helpers.assessment_bank import P0, P1, P2, POLICY, assessment_bank

ALL = Scope()


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return assessment_bank(tmp_path_factory.mktemp("periods_roles"))


def test_scorecard_year_to_date_counts_the_business_year_from_the_previous_year_end(con):
    # 2026 to date = P0 2025-12-31 -> P2 2026-06-30, by branch at P0:
    #   B01 maintained at P0: a1-a4, h1, h2, b1, b2, h4, u1 = 10; at P2: a1-a3, b1, b2, u1, h1 (back) = 7;
    #   churned a4 (mass), h2 (closed), h4 (mass) = 3 (h1 left in Q1 and came back: not churned): 3/10;
    #   AUM 1,030,000 -> 670,000: -36/103
    #   B02 at P0: b3, c1, c2, h3, d1, d2 = 6; at P2: b3, c1, c2, c3, d1 = 5; churned h3, d2: 2/6;
    #   AUM 2,800,000 -> 300,000: -25/28
    # percentiles of 2 units: churn B01 1, B02 1/2; growth (-3/10 vs -1/6) B01 1/2, B02 1; AUM growth B01 1,
    # B02 1/2; upgrade and coverage tied at 1. B01 = 40 + 10 + 10 + 10 + 20 = 90, B02 = 20 + 10 + 10 + 20 + 10 = 70
    card = scorecard(con, P0, P2, "branch", ALL).set_index("unit")
    assert card.loc["B01", ["maintained_start", "maintained_end", "churned"]].tolist() == [10, 7, 3]
    assert card.loc["B02", ["maintained_start", "maintained_end", "churned"]].tolist() == [6, 5, 2]
    assert card.loc["B01", "aum_growth"] == pytest.approx(-36 / 103)
    assert card.loc["B02", "aum_growth"] == pytest.approx(-25 / 28)
    assert card["score"].to_dict() == pytest.approx({"B01": 90.0, "B02": 70.0})
    # the bank-wide churn target 0.05 still applies: attainment 0.05 / 0.3
    assert card.loc["B01", "churn_attainment"] == pytest.approx(1 / 6)
    # the CLI's --year gives the same pair of month ends
    by_year = build_report(con, "scorecard", year=2026).set_index("unit")
    assert by_year["score"].to_dict() == pytest.approx({"B01": 90.0, "B02": 70.0})


def test_scorecard_custom_range_reorders_the_units(con):
    # P0 -> P1: B01 10 -> 7 (a1-a4, b1, b2, u1), churned h1 (no row), h2 (closed), h4 (mass): 3/10;
    #   B02 6 -> 5, churned h3: 1/6; AUM B01 1,030,000 -> 420,000, B02 2,800,000 -> 300,000.
    # churn B01 1/2, B02 1; growth B01 1/2, B02 1; AUM growth B01 1, B02 1/2:
    # B01 = 20 + 10 + 10 + 10 + 20 = 70, B02 = 40 + 10 + 10 + 20 + 10 = 90
    card = scorecard(con, P0, P1, "branch", ALL).set_index("unit")
    assert card["churned"].to_dict() == {"B01": 3, "B02": 1}
    assert card["score"].to_dict() == pytest.approx({"B01": 70.0, "B02": 90.0})
    assert card["rank"].to_dict() == {"B01": 2, "B02": 1}


def test_role_mismatches_lists_customers_held_by_a_role_not_assigned_to_their_tier(con):
    # maintained_by: emerging 大堂经理, wealth and private 理财经理. At P0:
    #   M1 (理财经理) holds a1-a4 and h2 (60,000 each, emerging) and h1 (wealth, fits): 5 of 6, 300,000
    #   M2 (理财经理) holds b1, b2, b3 (emerging) and h4 (wealth, fits): 3 of 4, 180,000
    #   M3 (大堂经理) holds c1, c2 (emerging, fit) and h3 (private, 2,500,000): 1 of 3
    #   M4 (大堂经理) holds d1, d2 (emerging): fit; u1 has no manager: not listed
    found = role_mismatches(con, P0, ALL)
    assert found[["unit", "role", "tier", "customers", "maintained"]].values.tolist() == [
        ["M1", "理财经理", "emerging", 5, 6],
        ["M2", "理财经理", "emerging", 3, 4],
        ["M3", "大堂经理", "private", 1, 3],
    ]
    assert found["aum"].tolist() == [300_000.0, 180_000.0, 2_500_000.0]
    assert found["mismatch_share"].tolist() == pytest.approx([5 / 6, 3 / 4, 1 / 3])
    assert found["expected_roles"].tolist() == ["大堂经理", "大堂经理", "理财经理"]
    # at P2 M1 keeps a1-a3 (a4 fell to mass), M2 b1-b3 (h4 is mass), M3 lost h3: only the emerging books
    report = build_report(con, "roles", period=P2)
    assert report[["unit", "customers", "maintained"]].values.tolist() == [["M1", 3, 3], ["M2", 3, 3]]
    # a branch sees only its own: B02 holds b3 (M2) and M3's, M4's customers
    assert role_mismatches(con, P0, Scope(branches=frozenset({"B02"})))["unit"].tolist() == ["M2", "M3"]


def test_parse_policy_reads_maintained_by_and_writes_it_back():
    policy = parse_policy(POLICY.format(rank_within=""), "assessment")
    assert [t.maintained_by for t in policy.tiers] == [(), ("大堂经理",), (), ("理财经理",), ("理财经理",)]
    assert parse_policy(policy_toml(policy)).tiers == policy.tiers
    broken = POLICY.format(rank_within="").replace('maintained_by = ["大堂经理"]', 'maintained_by = "大堂经理"')
    with pytest.raises(PolicyError, match=r"tier 2 \(emerging\): maintained_by must be a list"):
        parse_policy(broken, "assessment")


def test_unit_parents_names_a_manager_home_branch(con):
    # M2 holds b1, b2 in B01 and b3 in B02 at P2: most in B01
    parents = unit_parents(con, "manager", ALL, P2).set_index("unit")["branch_id"].to_dict()
    assert parents["M2"] == "B01" and parents["M3"] == "B02"


def test_report_json_writes_money_to_the_cent_without_float_tails():
    # 0.1 + 0.2 is 0.30000000000000004 as a float; 2,500,000.005 rounds half up to 2,500,000.01
    frame = pd.DataFrame(
        {"unit": ["M1", "M2", "M3"], "lost_aum_start": [0.1 + 0.2, 2_500_000.005, None], "rate": [1 / 3, 0.5, None]}
    )
    text = report_json(frame, ["lost_aum_start"])
    assert '"lost_aum_start": 0.30,' in text and '"lost_aum_start": 2500000.01,' in text
    assert '"lost_aum_start": null' in text and "0000000000004" not in text
    rows = json.loads(text, parse_float=Decimal)
    assert [r["lost_aum_start"] for r in rows] == [Decimal("0.30"), Decimal("2500000.01"), None]
    assert rows[0]["rate"] == Decimal("0.3333333333") and rows[2]["rate"] is None
