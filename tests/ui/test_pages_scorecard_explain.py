"""季度考核 page, how a score explains itself: the own unit pinned first with its points per indicator (adding up
to the score), managers shown in their home branch with both ranks, and HQ's accountability tab."""

from __future__ import annotations

import pytest

from analytics.core.scope import Scope
from analytics.metrics.accountability import business_years
from analytics.metrics.scorecard import quarter_scorecard
from analytics.store.catalog import loaded_periods
from tests.helpers.assessment_bank import assessment_bank
from tests.helpers.pages import analytics_connection, app, frame_with, no_exception, open_tab


def by_rank(frame):
    return frame.sort_values(["rank", "unit"], na_position="last").reset_index(drop=True)


def test_scorecard_pins_my_branch_and_shows_its_points(demo_db):
    con = analytics_connection(demo_db)
    expected = by_rank(quarter_scorecard(con, "2026Q3", "branch", Scope()))
    mine = expected.iloc[3]
    at = app(demo_db, "views/scorecard.py")
    at.selectbox(key="view").set_value("branch").run()
    at.selectbox(key="unit").set_value(mine["unit"]).run()
    no_exception(at)
    shown = frame_with(at, "unit", "rank", "churn_points")
    assert shown["unit"].iloc[0] == mine["unit"] and shown["unit_name"].iloc[0].startswith("★ ")
    assert shown["unit"].iloc[1:].tolist() == [u for u in expected["unit"] if u != mine["unit"]]
    explain = frame_with(at, "indicator", "points")
    points = explain["points"].astype(float)
    # the five contributions add up to the score on the card (both rounded to 0.1)
    assert points.sum() == pytest.approx(mine["score"], abs=0.3)
    assert [m.value for m in at.metric][0] == f"{mine['score']:.1f}"


def test_scorecard_drill_shows_managers_in_their_home_branch_with_both_ranks(demo_db):
    con = analytics_connection(demo_db)
    branches = by_rank(quarter_scorecard(con, "2026Q3", "branch", Scope()))
    managers = quarter_scorecard(con, "2026Q3", "manager", Scope())
    # the branch that is home to the most ranked managers, chosen in the table by its row
    counts = managers[managers["rank"].notna()]["branch_id"].value_counts()
    position = int(branches.index[branches["unit"] == counts.idxmax()][0])
    home = managers[managers["branch_id"] == counts.idxmax()]
    at = app(demo_db, "views/scorecard.py")
    at.session_state["scorecard_table"] = {"selection": {"rows": [position], "columns": []}}
    no_exception(at.run())
    shown = frame_with(at, "unit", "rank", "bank_rank")
    assert sorted(shown["unit"]) == sorted(home["unit"])
    ranks = home.set_index("unit")
    ranked = shown[shown["rank"].notna()]
    assert ranked["rank"].tolist() == [ranks.loc[u, "branch_rank"] for u in ranked["unit"]]
    assert ranked["bank_rank"].tolist() == [ranks.loc[u, "rank"] for u in ranked["unit"]]
    # the in-branch ranks run 1, 2, ... over the managers whose book is mostly here
    assert sorted(ranked["rank"])[0] == 1 and ranked["rank"].max() <= len(ranked)
    unassigned = shown[shown["unit"].str.startswith("unassigned@")]
    assert unassigned["rank"].isna().all() and unassigned["unit_name"].str.startswith("未分配 · ").all()


def test_scorecard_accountability_tab_tallies_the_business_year(tmp_path):
    # the assessment bank (tests/helpers/assessment_bank.py): business year 2026 = 2025-12-31 -> 2026-06-30;
    # M3 lost h3 (2,500,000), M2 h4 (250,000), M1 only h2, closed 死亡 (normal: listed, not counted)
    assessment_bank(tmp_path).close()
    at = open_tab(app(tmp_path / "bank.duckdb", "views/scorecard.py"), "问责（经营年度）")
    tally = frame_with(at, "unit", "lost_customers", "normal_customers").set_index("unit")
    assert tally["lost_customers"].to_dict() == {"M3": 1, "M2": 1, "M1": 0}
    assert tally.loc["M1", "normal_customers"] == 1
    assert tally.loc["M3", "lost_aum_start"] == pytest.approx(250.0)  # 万元
    listed = frame_with(at, "customer_id", "outcome", "close_reason")
    assert sorted(listed["customer_id"]) == ["h2", "h3", "h4"]


def test_scorecard_accountability_tab_says_when_no_business_year_is_loaded(demo_db):
    # the test demo bank starts at 2026-03-31: no 2025 year end to start the business year from
    con = analytics_connection(demo_db)
    assert business_years(loaded_periods(con)) == []
    at = open_tab(app(demo_db, "views/scorecard.py"), "问责（经营年度）")
    assert any("没有可比较的经营年度" in i.value for i in at.info)
