"""Churn and the 保争挖抢培 scorecard on the hand-made fixture bank (see tests/helpers/fixture_bank.py)."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from analytics.core.config import DEFAULT_POLICY
from analytics.core.policy import parse_policy
from analytics.core.scope import Scope
from analytics.core.stats import percentile_rank
from analytics.metrics.churn import churn_by_unit
from analytics.metrics.scorecard import quarter_scorecard, score_units, scorecard
from tests.helpers.fixture_bank import FIXTURE, P1, P2, P3, fixture_bank, load

ALL = Scope()


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return fixture_bank(tmp_path_factory.mktemp("scorecard") / "t.duckdb")


def row(frame, **keys):
    mask = True
    for column, value in keys.items():
        mask = mask & (frame[column] == value)
    found = frame[mask]
    assert len(found) == 1, keys
    return found.iloc[0]


def test_churn_by_unit_counts_customers_who_left_or_fell_below(con):
    frame = churn_by_unit(con, P2, P3, "branch", ALL)
    # B01 emerging at P2: C05 C07 C10 C11 maintained; C11 falls to mass: 1 of 4
    r = row(frame, unit="B01", tier="emerging")
    assert (r.customers_start, r.maintained_start, r.churned, r.churn_rate) == (4, 4, 1, 0.25)
    # B01 affluent: C01 C08 C12; C08 falls to 60: churned and attrited (under the 100 floor): 1 of 3 each
    r = row(frame, unit="B01", tier="affluent")
    assert (r.churned, r.attrited) == (1, 1) and r.attrition_rate == pytest.approx(1 / 3)
    # B01 wealth: C03 has no row at P3: churned and attrited
    assert row(frame, unit="B01", tier="wealth")[["churned", "attrited"]].tolist() == [1, 1]


def test_churn_by_unit_lists_every_tier_with_null_rates_over_nobody(con):
    frame = churn_by_unit(con, P2, P3, "branch", ALL)
    assert len(frame) == 2 * 5
    # mass is not maintained: churn rate undefined. B02's only mass customer at P2 is C15 with 50 CNY, under the
    # 100 floor: already dormant at the start, so not active and not attrited when gone at P3: rate over nobody
    r = row(frame, unit="B02", tier="mass")
    assert r.maintained_start == 0 and r.churn_rate != r.churn_rate
    assert (r.customers_start, r.active_start, r.attrited) == (1, 0, 0) and r.attrition_rate != r.attrition_rate
    # B01 mass at P2: C02 (40,000) and C09 (20,000), both active, both still above the floor at P3: 0 of 2
    r = row(frame, unit="B01", tier="mass")
    assert (r.customers_start, r.active_start, r.attrited, r.attrition_rate) == (2, 2, 0, 0.0)
    # B02 had no private customer at P2: everything zero, rates null
    r = row(frame, unit="B02", tier="private")
    assert r.customers_start == 0 and r.attrition_rate != r.attrition_rate


def test_churn_by_unit_flags_small_denominators_and_gives_intervals(con):
    frame = churn_by_unit(con, P2, P3, "branch", ALL, by_tier=False)
    b01 = row(frame, unit="B01")
    # B01: 9 maintained at P2 (C01 C03 C04 C05 C07 C08 C10 C11 C12), churned C03 C08 C11 = 3
    assert (b01.maintained_start, b01.churned) == (9, 3)
    assert b01.churn_small_sample and b01.churn_rate_low < 1 / 3 < b01.churn_rate_high


def test_churn_by_unit_counts_a_closed_account_as_churned(con):
    r = row(churn_by_unit(con, P1, P2, "manager", ALL, by_tier=False), unit="M1")
    # M1 at P1 maintained: C01 E, C02 A, C03 W, C04 P, C06 E = 5; C02 falls to mass, C06 closes: 2 churned
    assert (r.maintained_start, r.churned) == (5, 2)


def test_scorecard_computes_the_five_indicators_per_branch(con):
    frame = scorecard(con, P2, P3, "branch", ALL)
    b01, b02 = row(frame, unit="B01"), row(frame, unit="B02")
    # 保 B01: 3 churned (C03 C08 C11) of 9 maintained at P2
    assert (b01.maintained_start, b01.churned, b01.churn_rate) == (9, 3, pytest.approx(1 / 3))
    # 争 B01: C07 emerging -> wealth: 1 of 9; B02: C13 W->P, C14 E->A: 2 of 5
    assert (b01.upgraded, b02.upgraded) == (1, 2) and b02.upgrade_rate == 0.4
    # 挖 at P3, unit at P3: B01 maintained C01 C04 C05 C07 C10 C12 C18 = 7, covered all but C12 (2 products): 6/7
    assert (b01.maintained_end, b01.covered_end) == (7, 6)
    # 抢 B01: (7 - 9) / 9; B02: C13 C14 C19 C20 = 4 at P3 against C13 C14 C17 C18 C19 = 5 at P2: -0.2
    assert b01.growth == pytest.approx(-2 / 9) and b02.growth == pytest.approx(-0.2)
    # 培 B01: maintained AUM 3,502,000 at P2 -> 2,331,000 at P3
    assert (b01.aum_start, b01.aum_end) == (3_502_000, 2_331_000)
    assert b01.aum_growth == pytest.approx(-1_171_000 / 3_502_000)


def test_scorecard_scores_by_weighted_percentile_rank(con):
    frame = scorecard(con, P2, P3, "branch", ALL)
    # B02 is better on churn (0.2 < 1/3), upgrade, growth and AUM growth; B01 on coverage (6/7 > 2/4).
    # percentile ranks among 2 units: best 1.0, other 0.5; equal weights 0.2:
    # B01 = 100·(0.5+0.5+1+0.5+0.5)/5 = 60, B02 = 100·(1+1+0.5+1+1)/5 = 90
    assert row(frame, unit="B01")[["score", "rank"]].tolist() == [60, 2]
    assert row(frame, unit="B02")[["score", "rank"]].tolist() == [90, 1]


def test_scorecard_gives_tied_units_the_same_rank(con):
    frame = scorecard(con, P1, P2, "branch", ALL)
    # Q2: churn B01 2/9 (C02 C06) vs B02 1/5 (C16): B02 better; upgrade B01 1/9 (C01) vs 0: B01;
    # coverage at P2 B01 6/9 vs B02 2/5: B01; growth 0 and 0: tie (both 1.0); AUM growth
    # B01 127,000/3,375,000 = 3.8% vs B02 54,999.99/735,000 = 7.5%: B02. Both 100·4/5 = 80, both rank 1
    assert frame["score"].tolist() == [80, 80] and frame["rank"].tolist() == [1, 1]


def test_scorecard_by_manager_rolls_up_to_the_branch_with_unassigned(con):
    managers = scorecard(con, P2, P3, "manager", ALL)
    # B01 at P2: M1 maintains C01 C03 C04 C05 (4), M2 C07 C08 C10 (3), unassigned C11 C12 (2) = 9
    b01 = managers[managers["unit"].isin(["M1", "M2", "unassigned@B01"])]
    assert b01["maintained_start"].tolist() == [4, 3, 2] and b01["churned"].sum() == 3
    # the unassigned book is listed but not ranked
    unassigned = row(managers, unit="unassigned@B01")
    assert pd.isna(unassigned["score"]) and pd.isna(unassigned["rank"])


def test_scorecard_null_rate_over_an_empty_book_and_renormalised_score(con):
    frame = scorecard(con, P2, P3, "manager", ALL)
    # unassigned@B01 ends with no maintained customer (C11 fell, C12 went to M1): coverage undefined, not 0
    r = row(frame, unit="unassigned@B01")
    assert r.maintained_end == 0 and r.coverage_rate != r.coverage_rate


def test_scorecard_attainment_against_policy_targets(con):
    frame = scorecard(con, P2, P3, "branch", ALL)
    b02 = row(frame, unit="B02")
    # data/policy.toml targets: churn 0.05 -> 0.05 / 0.2 = 0.25; upgrade 0.08 -> 0.4 / 0.08 = 5, capped at 2
    assert b02.churn_attainment == pytest.approx(0.25) and b02.upgrade_attainment == 2.0


def test_quarter_scorecard_shows_the_change_against_the_previous_quarter(con):
    frame = quarter_scorecard(con, "2026Q3", "branch", ALL)
    b01 = row(frame, unit="B01")
    # churn 1/3 in Q3 against 2/9 in Q2: +1/9; rank 2 now, 1 before: rank_change -1
    assert b01.churn_rate_prev == pytest.approx(2 / 9) and b01.churn_rate_change == pytest.approx(1 / 9)
    assert (b01.rank_prev, b01.rank_change) == (1, -1)


def test_scorecard_weights_come_from_the_policy(tmp_path):
    text = DEFAULT_POLICY.read_text(encoding="utf-8").split("[scorecard.weights]")[0]
    text += "[scorecard.weights]\nchurn = 1\nupgrade = 0\ncoverage = 0\ngrowth = 0\naum_growth = 0\n"
    con = load(tmp_path / "t.duckdb", [FIXTURE], parse_policy(text, "churn-only"))
    frame = scorecard(con, P2, P3, "branch", ALL)
    # churn alone: B02 (0.2) beats B01 (1/3): 100 and 50 points; no targets in this policy, no attainment
    assert row(frame, unit="B02").score == 100 and row(frame, unit="B01").score == 50
    assert not any(column.endswith("_attainment") for column in frame)


def test_scorecard_with_nothing_in_scope_is_empty(con):
    frame = scorecard(con, P2, P3, "branch", Scope.nothing())
    assert frame.empty and {"unit", "score", "rank"} <= set(frame.columns)


def test_percentile_shares_give_the_best_unit_one_share_ties_and_skip_nulls():
    # churn (lower is better) 0.1, 0.3, 0.3, null -> ranked among 3: 1.0, 2/3, 2/3 (ties share the max), null;
    # growth (higher is better) 0.5, 0.2, 0.2, 0.9 -> 3/4, 2/4, 2/4, 4/4. Weights churn 1, growth 1, others 0:
    # scores 100 * (1.0 + 0.75) / 2 = 87.5, 100 * (2/3 + 1/2) / 2 = 58.33, 58.33, 100 * 1.0 / 1 = 100 (no churn)
    # -> ranks 2, 3, 3, 1; the unranked unit U5 (an unassigned book) gets neither share, score nor rank.
    policy = replace(
        parse_policy(DEFAULT_POLICY.read_text()),
        weights={"churn": 1.0, "upgrade": 0.0, "coverage": 0.0, "growth": 1.0, "aum_growth": 0.0},
    )
    frame = pd.DataFrame(
        {
            "unit": ["U1", "U2", "U3", "U4", "U5"],
            "churn_rate": [0.1, 0.3, 0.3, None, 0.0],
            "growth": [0.5, 0.2, 0.2, 0.9, 9.9],
            "upgrade_rate": None,
            "coverage_rate": None,
            "aum_growth": None,
        }
    )
    ranked = np.array([True, True, True, True, False])
    churn = percentile_rank(frame["churn_rate"].to_numpy(dtype=float, na_value=np.nan), ranked, higher_is_better=False)
    assert list(churn[:3]) == pytest.approx([1.0, 2 / 3, 2 / 3]) and np.isnan(churn[3]) and np.isnan(churn[4])
    growth = percentile_rank(frame["growth"].to_numpy(dtype=float), ranked, higher_is_better=True)
    assert list(growth[:4]) == pytest.approx([0.75, 0.5, 0.5, 1.0]) and np.isnan(growth[4])
    score, rank = score_units(frame, ranked, policy)
    assert list(score[:4]) == pytest.approx([87.5, 58.333333, 58.333333, 100.0]) and np.isnan(score[4])
    assert rank.tolist() == [2, 3, 3, 1, pd.NA]


def test_scorecard_of_a_pair_not_counted_at_load_is_counted_live(con):
    # P1 -> P3 is not a consecutive pair: no stored counts. Maintained (E and above) at P1, by unit at P1:
    # B01 C01 C02 C03 C04 C06 C07 C08 C10 C11 = 9; at P3 C02 (M), C03 (gone), C06 (gone), C08 (under the floor)
    # and C11 (M) are not maintained: churned 5; C01 E->A and C07 E->W went up: upgraded 2. B02 C13 C14 C16 C18
    # C19 = 5; C16 gone: churned 1; C13 W->P: upgraded 1 (C18 W->A counts for B02, where it started).
    # Maintained at P3 by unit at P3: B01 C01 C04 C05 C07 C10 C12 C18 = 7, B02 C13 C14 C19 C20 = 4.
    assert (
        con.execute("select count(*) from period_pair where period_from = ? and period_to = ?", [P1, P3]).fetchone()[0]
        == 0
    )
    frame = scorecard(con, P1, P3, "branch", ALL).set_index("unit")
    columns = ["maintained_start", "churned", "upgraded", "maintained_end"]
    assert frame.loc["B01", columns].tolist() == [9, 5, 2, 7]
    assert frame.loc["B02", columns].tolist() == [5, 1, 1, 4]
