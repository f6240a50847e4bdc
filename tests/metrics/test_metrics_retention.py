"""Retention triangle and survival by starting tier on the hand-made fixture bank (tests/helpers/fixture_bank.py)."""

import pytest

from analytics.core.scope import Scope
from analytics.metrics.retention import retention_triangle, survival_by_tier
from tests.helpers.fixture_bank import P2, fixture_bank

ALL = Scope()


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return fixture_bank(tmp_path_factory.mktemp("retention") / "t.duckdb")


def test_retention_triangle_follows_customers_who_became_maintained(con):
    frame = retention_triangle(con, ALL)
    rows = {
        (c, k): (n, r)
        for c, k, n, r in frame[["cohort", "quarters_after", "cohort_size", "retained"]].itertuples(index=False)
    }
    # 2026Q2 cohort: maintained at P2, not at P1: C05 (mass -> 50,000), C12 (new), C17 (mass -> affluent) = 3;
    # one quarter later C17 has fallen to mass: 2 of 3 retained. 2026Q3 cohort: C20 (new at P3).
    # 2026Q1 has no 2025-12-31 snapshot to start from: no cohort.
    assert rows == {("2026Q2", 0): (3, 3), ("2026Q2", 1): (3, 2), ("2026Q3", 0): (1, 1)}


def test_retention_triangle_counts_the_unit_where_customers_entered(con):
    frame = retention_triangle(con, Scope(branches=frozenset({"B02"})))
    # B02's 2026Q2 entrant is C17 only (C05 and C12 are in B01); C17 is not maintained at P3
    q2 = frame[frame["cohort"] == "2026Q2"]
    assert q2["cohort_size"].tolist() == [1, 1] and q2["retained"].tolist() == [1, 0]


def test_survival_by_tier_counts_first_events_per_quarter(con):
    frame = survival_by_tier(con, ALL).set_index(["tier", "quarters_after"])
    # maintained at P1 by tier: emerging C01 C06 C07 C10 C11 C16 C19 (7), affluent C02 C08 C14 (3),
    # wealth C03 C13 C18 (3), private C04 (1)
    # emerging: Q2 C06 closed + C16 gone = 2 churned; Q3 C11 -> mass, 1 more; nobody below emerging is maintained
    assert frame.loc[("emerging", 1), ["at_risk", "churned", "downgraded"]].tolist() == [7, 2, 0]
    assert frame.loc[("emerging", 2), ["at_risk", "churned"]].tolist() == [5, 1]
    assert frame.loc[("emerging", 2), "survival"] == pytest.approx(4 / 7)
    # affluent: Q2 C02 -> mass (churn), C14 -> emerging (downgrade); Q3 C08 -> 60 (churn). C14 is back in
    # affluent at P3 but its first event was the downgrade.
    assert frame.loc[("affluent", 2), ["churn_incidence", "downgrade_incidence", "survival"]].tolist() == pytest.approx(
        [2 / 3, 1 / 3, 0]
    )
    # wealth: Q3 C03 leaves (churn), C18 -> affluent (downgrade), C13 -> private (no event)
    assert frame.loc[("wealth", 2), ["churned", "downgraded", "survival"]].tolist() == pytest.approx([1, 1, 1 / 3])
    # private: C04 -> wealth in Q3
    assert frame.loc[("private", 2), "downgrade_incidence"] == 1.0


def test_survival_by_tier_from_a_later_start(con):
    frame = survival_by_tier(con, ALL, start=P2).set_index(["tier", "quarters_after"])
    # maintained at P2, wealth: C03 (leaves), C13 (up), C18 (down to affluent): 1 churn, 1 downgrade of 3
    assert frame.loc[("wealth", 1), ["at_risk", "churned", "downgraded"]].tolist() == [3, 1, 1]
    assert frame.index.get_level_values("quarters_after").max() == 1
