"""How HQ assesses, on the bank of tests/helpers/assessment_bank.py: the score's parts, role classes, the home
branch, and the accountability of a business year. Every number is worked out by hand in the comments."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.core.indicators import INDICATORS
from analytics.core.scope import Scope
from analytics.metrics.accountability import accountability, lost_high_value, year_snapshots
from analytics.metrics.reports import build_report
from analytics.metrics.scorecard import quarter_scorecard
from tests.helpers.assessment_bank import P0, P1, P2, assessment_bank

ALL = Scope()
POINTS = [f"{indicator}_points" for indicator in INDICATORS]

# Q2 (P1 -> P2) per manager, unit at P1: maintained start -> end, churned; AUM of the maintained, start -> end
#   M1 4 -> 3 (a4 fell to mass): churn 1/4, growth -1/4, AUM 240,000 -> 180,000: -1/4
#   M2 3 -> 3 (h4 is mass since P1): churn 0, growth 0, AUM 180,000 -> 190,000 (b1 up): +1/18
#   M3 2 -> 3 (c3 new): churn 0, growth +1/2, AUM 120,000 -> 180,000: +1/2
#   M4 2 -> 1 (d2 closed): churn 1/2, growth -1/2, AUM -1/2
# upgrade 0 and coverage 100% everywhere: every manager gets percentile 1.0 on both.
# One pool of 4: churn (lower is better) M1 2/4, M2 and M3 4/4 (tied), M4 1/4; growth and AUM growth M4 1/4,
# M1 2/4, M2 3/4, M3 4/4. Weights 0.4 0.1 0.1 0.2 0.2:
#   M1 = 100 (0.4*0.5 + 0.1 + 0.1 + 0.2*0.5 + 0.2*0.5) = 20 + 10 + 10 + 10 + 10 = 60
#   M2 = 40 + 10 + 10 + 15 + 15 = 90, M3 = 40 + 10 + 10 + 20 + 20 = 100, M4 = 10 + 10 + 10 + 5 + 5 = 40
SINGLE_POOL = {"M1": (60, 3), "M2": (90, 2), "M3": (100, 1), "M4": (40, 4)}


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return assessment_bank(tmp_path_factory.mktemp("assessment"))


@pytest.fixture(scope="module")
def by_role(tmp_path_factory):
    return assessment_bank(tmp_path_factory.mktemp("by_role"), rank_within=True)


def test_quarter_scorecard_contributions_add_up_to_the_score(con):
    frame = quarter_scorecard(con, "2026Q2", "manager", ALL).set_index("unit")
    for unit, (score, rank) in SINGLE_POOL.items():
        assert (frame.loc[unit, "score"], frame.loc[unit, "rank"]) == (score, rank), unit
    assert frame.loc["M1", POINTS].tolist() == pytest.approx([20, 10, 10, 10, 10])
    assert frame.loc["M4", POINTS].tolist() == pytest.approx([10, 10, 10, 5, 5])
    ranked = frame[frame["rank"].notna()]
    assert ranked[POINTS].sum(axis=1).tolist() == pytest.approx(ranked["score"].tolist())
    # percentile and weight behind M2's growth points: 3/4 of the pool, weight 0.2 -> 15 points
    assert (frame.loc["M2", "growth_percentile"], frame.loc["M2", "growth_weight"]) == (0.75, pytest.approx(0.2))


def test_quarter_scorecard_gives_target_attainment_and_change_against_last_quarter(con):
    frame = quarter_scorecard(con, "2026Q2", "manager", ALL).set_index("unit")
    # policy churn target 0.05: M1 0.05 / 0.25 = 0.2; M4 0.05 / 0.5 = 0.1; M2 churned nobody: capped at 2
    assert frame.loc["M1", "churn_target"] == 0.05
    assert frame.loc["M1", "churn_attainment"] == pytest.approx(0.2)
    assert frame.loc["M4", "churn_attainment"] == pytest.approx(0.1) and frame.loc["M2", "churn_attainment"] == 2
    # Q1 (P0 -> P1): M1 6 maintained (a1-a4, h1, h2), h1 gone and h2 closed: churn 2/6; M2 4 (b1-b3, h4),
    # h4 fell: 1/4; M3 3 (c1 c2 h3), h3 closed: 1/3; M4 2, none lost: 0. Churn percentiles M4 1, M2 3/4,
    # M1 and M3 2/4; growth M1 and M3 -1/3 (2/4), M2 -1/4 (3/4), M4 0 (1); AUM growth M3 -2.5M/2.62M (1/4),
    # M1 -360,000/600,000 (2/4), M2 -250,000/430,000 (3/4), M4 0 (1). Scores: M1 20+20+10+10 = 60,
    # M2 30+20+15+15 = 80, M3 20+20+10+5 = 55, M4 100; ranks M4 1, M2 2, M1 3, M3 4.
    assert frame.loc["M1", "churn_rate_change"] == pytest.approx(0.25 - 2 / 6)
    assert frame.loc["M3", "score_change"] == pytest.approx(100 - 55)
    assert frame.loc["M4", "score_change"] == pytest.approx(40 - 100)
    assert (frame.loc["M3", "rank_prev"], frame.loc["M3", "rank_change"]) == (4, 3)
    # M4's churn points: 40 in Q1 (best of 4), 10 in Q2
    assert frame.loc["M4", "churn_points_change"] == pytest.approx(-30)


def test_quarter_scorecard_flags_small_samples_and_labels_unassigned_unranked(con):
    frame = quarter_scorecard(con, "2026Q2", "manager", ALL).set_index("unit")
    # every book here is under 30 maintained customers
    assert frame["small_sample"].all()
    unassigned = frame.loc["unassigned@B01"]
    assert unassigned["unit_name"] == "未分配 · 城东网点"
    assert pd.isna(unassigned["score"]) and pd.isna(unassigned["rank"]) and pd.isna(unassigned["branch_rank"])
    assert pd.isna(unassigned[POINTS]).all()


def test_quarter_scorecard_places_a_manager_in_the_branch_holding_most_of_the_book(con):
    frame = quarter_scorecard(con, "2026Q2", "manager", ALL).set_index("unit")
    # M2 holds b1 b2 in B01 and b3 in B02: home B01. Within B01: M2 (90) 1st, M1 (60) 2nd; within B02: M3
    # (100) 1st, M4 (40) 2nd; bank-wide ranks stay 2, 3, 1, 4
    assert frame.loc[["M1", "M2", "M3", "M4"], "branch_id"].tolist() == ["B01", "B01", "B02", "B02"]
    assert frame.loc[["M1", "M2", "M3", "M4"], "branch_rank"].tolist() == [2, 1, 1, 2]
    assert frame.loc[["M1", "M2", "M3", "M4"], "rank"].tolist() == [3, 2, 1, 4]


def test_quarter_scorecard_ranks_within_role_classes(by_role):
    frame = quarter_scorecard(by_role, "2026Q2", "manager", ALL).set_index("unit")
    # 理财经理 M1 M2: M2 better on churn, growth and AUM growth: M2 100, M1 20 + 10 + 10 + 10 + 10 = 60.
    # 大堂经理 M3 M4: M3 100, M4 60. Ranks 2, 1, 1, 2 where the single pool gives 3, 2, 1, 4.
    assert frame.loc[["M1", "M2", "M3", "M4"], "role"].tolist() == ["理财经理", "理财经理", "大堂经理", "大堂经理"]
    assert frame.loc[["M1", "M2", "M3", "M4"], "score"].tolist() == [60, 100, 100, 60]
    assert frame.loc[["M1", "M2", "M3", "M4"], "rank"].tolist() == [2, 1, 1, 2]
    assert frame.loc["M1", "churn_percentile"] == 0.5


def test_build_report_scorecard_keys_add_role_and_targets(by_role, con):
    keys = list(build_report(by_role, "scorecard", quarter="2026Q2", by="manager"))
    assert keys[-3:] == ["role", "churn_target", "churn_attainment"]
    assert "role" not in build_report(con, "scorecard", quarter="2026Q2", by="manager")
    assert "role" not in build_report(by_role, "scorecard", quarter="2026Q2", by="branch")


def test_year_snapshots_run_from_the_previous_year_end_to_the_last_loaded_period():
    assert year_snapshots([P0, P1, P2], 2026) == (P0, P2)
    with pytest.raises(ValueError, match="2025"):
        year_snapshots([P1, P2], 2026)


def test_lost_high_value_lists_a_year_losses_with_how_they_left(con):
    lost = lost_high_value(con, P0, P2, ALL).set_index("customer_id")
    # high value at P0: h1 wealth, h2 白金卡, h3 private, h4 wealth. h1 left in Q1 and came back maintained in Q2:
    # not lost for the year. h2 closed 死亡 (normal), h3 closed 转他行, h4 fell to mass.
    assert sorted(lost.index) == ["h2", "h3", "h4"]
    assert lost.loc["h3", ["outcome", "close_reason", "normal", "manager_id"]].tolist() == [
        "closed",
        "转他行",
        False,
        "M3",
    ]
    assert lost.loc["h2", ["outcome", "normal"]].tolist() == ["closed", True]
    assert lost.loc["h4", "outcome"] == "fell_below"
    # over Q1 alone h1 is lost (no row at P1)
    assert lost_high_value(con, P0, P1, ALL).set_index("customer_id").loc["h1", "outcome"] == "left"


def test_accountability_tallies_abnormal_losses_per_manager_and_branch(con):
    managers = accountability(con, P0, P2, "manager", ALL).set_index("unit")
    # M3: h3 (2,500,000); M2: h4 (250,000); M1: only h2, a normal reason: listed apart, not counted
    assert managers.loc["M3", ["lost_customers", "lost_aum_start", "normal_customers"]].tolist() == [1, 2_500_000, 0]
    assert managers.loc["M2", ["lost_customers", "lost_aum_start", "normal_customers"]].tolist() == [1, 250_000, 0]
    assert managers.loc["M1", ["lost_customers", "lost_aum_start", "normal_customers"]].tolist() == [0, 0, 1]
    branches = accountability(con, P0, P2, "branch", ALL).set_index("unit")
    # the managers' tallies add up to their branch at the start: B01 = M1 + M2, B02 = M3
    assert branches.loc["B01", ["lost_customers", "lost_aum_start", "normal_customers"]].tolist() == [1, 250_000, 1]
    assert branches.loc["B02", "lost_aum_start"] == 2_500_000


def test_build_report_accountability_defaults_to_the_latest_business_year(con):
    frame = build_report(con, "accountability")
    assert list(frame) == ["unit", "lost_customers", "lost_aum_start", "normal_customers"]
    assert frame["lost_customers"].sum() == 2 and frame["normal_customers"].sum() == 1
    with pytest.raises(ValueError, match="manager or branch"):
        build_report(con, "accountability", by="tier")
