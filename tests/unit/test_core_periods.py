"""Periods, quarters, units and the small statistics shared by the metrics."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from analytics.core.periods import (
    Quarter,
    add_months,
    latest_complete_quarter,
    latest_quarter_snapshots,
    parse_period,
    quarter_snapshots,
)
from analytics.core.scope import Scope
from analytics.core.stats import rate, wilson_interval
from analytics.core.units import parse_level
from analytics.metrics.labels import unit_labels
from tests.helpers.fixture_bank import P1, P2, P3, fixture_bank


def test_quarter_parse_accepts_the_spellings_bankers_use():
    assert Quarter.parse("2026Q3") == Quarter(2026, 3)
    assert Quarter.parse("2026-q3") == Quarter(2026, 3)
    assert str(Quarter(2026, 3)) == "2026Q3"
    with pytest.raises(ValueError):
        Quarter.parse("2026Q5")


def test_quarter_start_is_the_previous_quarters_last_month_end():
    # 2026Q3 runs from the 2026-06-30 snapshot to the 2026-09-30 snapshot; 2026Q1 starts at 2025-12-31.
    assert Quarter(2026, 3).start() == date(2026, 6, 30)
    assert Quarter(2026, 3).end() == date(2026, 9, 30)
    assert Quarter(2026, 1).start() == date(2025, 12, 31)
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)
    assert Quarter(2025, 4).shift(2) == Quarter(2026, 2)


def test_parse_period_gives_month_ends():
    assert parse_period("2026-02") == date(2026, 2, 28)
    assert parse_period("20240229") == date(2024, 2, 29)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    with pytest.raises(ValueError, match="not a month end"):
        parse_period("2026-09-15")


def test_quarter_snapshots_use_the_last_loaded_period_of_each_quarter():
    periods = [date(2026, 4, 30), date(2026, 5, 31), date(2026, 7, 31), date(2026, 8, 31)]
    # Q3 to date: from May (last of Q2 loaded) to August (last of Q3 loaded)
    assert quarter_snapshots(periods, "2026Q3") == (date(2026, 5, 31), date(2026, 8, 31))
    with pytest.raises(ValueError, match="2026Q1"):
        quarter_snapshots(periods, "2026Q2")


def test_latest_complete_quarter_needs_both_quarter_ends():
    periods = [P1, P2, P3, date(2026, 10, 31)]
    # 2026Q4 has no 2026-12-31 yet; 2026Q3 has 06-30 and 09-30
    assert latest_complete_quarter(periods) == Quarter(2026, 3)
    # the latest quarter to date compares 09-30 with 10-31
    assert latest_quarter_snapshots(periods) == (P3, date(2026, 10, 31))
    with pytest.raises(ValueError):
        latest_complete_quarter([date(2026, 1, 31), date(2026, 2, 28)])


def test_wilson_interval_matches_the_published_formula():
    # 0 of 10 at 95%: upper bound z²/(n+z²) = 3.8415/13.8415 = 0.2775 (the "rule of three"-like Wilson bound)
    low, high = wilson_interval([0], [10])
    assert low[0] == 0 and high[0] == pytest.approx(0.2775, abs=1e-4)
    # 5 of 10: centre 0.5, half-width z·sqrt(0.025 + z²/400)/(1+z²/10) = 1.96·0.1860/1.3841 = 0.2634,
    # so 0.2366 .. 0.7634
    low, high = wilson_interval([5], [10])
    assert low[0] == pytest.approx(0.2366, abs=1e-3) and high[0] == pytest.approx(0.7634, abs=1e-3)
    low, high = wilson_interval([0], [0])
    assert np.isnan(low[0]) and np.isnan(high[0])


def test_rate_is_null_when_the_denominator_is_zero():
    result = rate(pd.Series([1, 0]), pd.Series([4, 0]))
    assert result[0] == 0.25 and np.isnan(result[1])


def test_parse_level_accepts_column_names():
    assert parse_level("branch_id") == "branch" and parse_level("sub-branch") == "sub_branch"
    with pytest.raises(ValueError):
        parse_level("branch; drop table x")


def test_unit_labels_name_managers_and_unassigned_books(tmp_path):
    con = fixture_bank(tmp_path / "t.duckdb")
    labels = dict(unit_labels(con, "manager", Scope()).itertuples(index=False))
    assert labels["M1"] == "王芳" and labels["M3"] == "赵强"
    assert labels["unassigned@B01"] == "未分配 · 城东网点"
    # scoped to B02: C18 belonged to M3 in B02 until P2, then to M2 in B01: M2 is not in B02's directory
    scoped = unit_labels(con, "manager", Scope(branches=frozenset({"B02"})))
    assert set(scoped["unit"]) == {"M3", "unassigned@B02"}
