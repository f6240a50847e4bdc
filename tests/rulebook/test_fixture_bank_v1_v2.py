"""The hand-made fixture bank (tests/helpers/fixture_bank.py) under the version-1 rule and under the rulebook of
data/policy.toml: the same customers, a different maintained population."""

from __future__ import annotations

import pytest

from analytics.core.policy import load_policy
from analytics.core.scope import Scope
from analytics.metrics.churn import churn_by_unit
from tests.helpers.fixture_bank import FIXTURE, P2, P3, load, version_one_policy


@pytest.mark.parametrize(
    ("rules", "maintained_start", "churned"),
    [
        # version 1 (emerging and above) at 2026-06-30: C01 C03 C04 C05 C07 C08 C10 C11 C12 C13 C14 C17 C18 C19 = 14;
        # at 2026-09-30 C03 has no row, C08 (60元), C11 (3万) and C17 (4.8万) fell under 5万: 4 churned
        ("v1", 14, 4),
        # the rulebook adds C02 (金卡 at 4万: the card rule) = 15; C08 and C17 hold a 金卡 at 2026-09-30 and C02 still
        # does, so they stay maintained: only C03 (left) and C11 (普卡, 3万) churned
        ("v2", 15, 2),
    ],
)
def test_churn_by_unit_fixture_bank_under_version_one_and_the_rulebook(tmp_path, rules, maintained_start, churned):
    policy = version_one_policy() if rules == "v1" else load_policy()
    con = load(tmp_path / "t.duckdb", [FIXTURE], policy)
    row = churn_by_unit(con, P2, P3, None, Scope(), by_tier=False).iloc[0]
    assert (row.maintained_start, row.churned) == (maintained_start, churned)
