"""A new policy (load --policy: analytics.store.write.apply_policy) leaves every derived table as a load of the same
extracts under that policy builds it: those it keeps (they read only amounts, statuses and units), those whose
policy columns it sets again in place (pair_customers) and those it rebuilds."""

from __future__ import annotations

from analytics.store.connection import connect
from analytics.store.write import apply_policy
from tests.helpers.fixture_bank import load, version_one_policy
from tests.helpers.rulebook import load_months, rulebook_policy

DERIVED = (
    "tier_summary", "segment_summary", "band_summary", "unit_directory", "period_pair", "concentration_summary",
    "retention_summary", "survival_summary", "top_customers", "scorecard_summary", "migration_summary",
    "pair_customers", "month_leavers",
)  # fmt: skip


def _tables(con) -> dict[str, list]:
    return {t: con.execute(f"select * from {t} order by all").fetchall() for t in DERIVED}


def test_on_the_rulebook_fixture_a_new_policy_gives_the_tables_of_a_load_under_it(tmp_path):
    retiered = load_months(tmp_path / "retiered", version_one_policy())
    assert apply_policy(retiered, rulebook_policy(buffer=True))
    expected = _tables(load_months(tmp_path / "loaded", rulebook_policy(buffer=True)))
    assert _tables(retiered) == expected
    before = _tables(load_months(tmp_path / "before", version_one_policy()))
    differ = {"tier_summary", "segment_summary", "top_customers", "migration_summary", "scorecard_summary"}
    assert all(before[t] != expected[t] for t in differ)  # the two policies tier and maintain differently
    assert all(expected[t] for t in ("band_summary", "unit_directory", "concentration_summary"))


def test_on_the_demo_bank_the_kept_quarter_pairs_follow_a_new_policy(demo_copy, demo_bank, tmp_path):
    # the demo bank is loaded under data/policy.toml (the rulebook); re-tier a copy under the version-1 rule and
    # compare with the same extracts loaded under it from nothing
    retiered = connect(demo_copy("retier_derived"))
    assert apply_policy(retiered, version_one_policy())
    loaded = load(tmp_path / "loaded.duckdb", list(demo_bank.extracts), version_one_policy())
    expected = _tables(loaded)
    assert _tables(retiered) == expected
    before = _tables(connect(demo_copy("retier_derived_before")))
    assert expected["pair_customers"] and before["pair_customers"] != expected["pair_customers"]
