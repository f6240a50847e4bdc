"""Migration matrices on the hand-made fixture bank (see tests/helpers/fixture_bank.py for its table)."""

import pytest

from analytics.core.scope import Scope
from analytics.metrics.migration import (
    migration_matrix,
    migration_rates,
    pooled_matrix,
    pooled_pairs,
    project_distribution,
)
from tests.helpers.fixture_bank import P1, P2, P3, fixture_bank

ALL = Scope()


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return fixture_bank(tmp_path_factory.mktemp("migration") / "t.duckdb")


def cells(frame):
    return {(f, t): c for f, t, c in zip(frame["from_tier"], frame["to_tier"], frame["customers"]) if c}


def test_migration_matrix_counts_moves_between_two_quarter_ends(con):
    frame = migration_matrix(con, P2, P3, ALL)
    assert cells(frame) == {
        ("mass", "mass"): 2,
        ("mass", "exited"): 1,  # C02 C09 stay; C15 leaves
        ("emerging", "emerging"): 3,
        ("emerging", "wealth"): 1,  # C05 C10 C19; C07
        ("emerging", "mass"): 1,
        ("emerging", "affluent"): 1,  # C11; C14 (99,999.99 -> 100,000)
        ("affluent", "affluent"): 2,
        ("affluent", "mass"): 2,  # C01 C12; C08 C17
        ("wealth", "exited"): 1,
        ("wealth", "private"): 1,  # C03; C13
        ("wealth", "affluent"): 1,  # C18 (moved to B01, still counted)
        ("private", "wealth"): 1,  # C04
        ("new", "wealth"): 1,  # C20
    }
    # every cell is listed: 5 tiers + new rows x 5 tiers + exited columns, less new -> exited
    assert len(frame) == 6 * 6 - 1


def test_migration_matrix_carries_aum_at_both_ends(con):
    frame = migration_matrix(con, P2, P3, ALL).set_index(["from_tier", "to_tier"])
    # emerging -> emerging: C05 50,000 + C10 65,000 + C19 60,000 = 175,000 -> 55,000 + 66,000 + 60,000 = 181,000
    assert frame.loc[("emerging", "emerging"), ["aum_from", "aum_to"]].tolist() == [175_000, 181_000]
    # new customers had nothing at the start, exited ones nothing at the end
    assert frame.loc[("new", "wealth"), ["aum_from", "aum_to"]].tolist() == [0, 500_000]
    assert frame.loc[("wealth", "exited"), ["aum_from", "aum_to"]].tolist() == [260_000, 0]
    # row shares: affluent row C01 C12 -> affluent, C08 C17 -> mass: 2/4 each
    assert frame.loc[("affluent", "mass"), "row_share"] == 0.5


def test_migration_matrix_treats_a_closed_customer_as_exited(con):
    frame = migration_matrix(con, P1, P2, ALL)
    # emerging at P1: C01 -> affluent; C07 C10 C11 C19 stay; C06 closed and C16 gone -> exited 2
    assert cells(frame)[("emerging", "exited")] == 2 and cells(frame)[("emerging", "emerging")] == 4
    assert cells(frame)[("new", "affluent")] == 1  # C12


def test_migration_matrix_filters_on_the_unit_at_the_start(con):
    frame = migration_matrix(con, P2, P3, Scope(branches=frozenset({"B02"})))
    # B02 at P2: C13 W->P, C14 E->A, C15 M->exited, C17 A->M, C18 W->A (now in B01, credited to B02), C19 E->E;
    # new C20 is in B02 at the end
    assert cells(frame) == {
        ("wealth", "private"): 1,
        ("emerging", "affluent"): 1,
        ("mass", "exited"): 1,
        ("affluent", "mass"): 1,
        ("wealth", "affluent"): 1,
        ("emerging", "emerging"): 1,
        ("new", "wealth"): 1,
    }


def test_migration_matrix_falls_back_to_a_live_query_for_other_pairs(con):
    # P1 -> P3 is not a consecutive pair, so it is not precomputed; counted live from the snapshots:
    frame = migration_matrix(con, P1, P3, ALL)
    assert cells(frame) == {
        ("mass", "emerging"): 1,
        ("mass", "mass"): 2,
        ("mass", "exited"): 1,  # C05; C09 C17; C15
        ("emerging", "affluent"): 1,
        ("emerging", "exited"): 2,  # C01; C06 C16
        ("emerging", "wealth"): 1,
        ("emerging", "emerging"): 2,  # C07; C10 C19
        ("emerging", "mass"): 1,  # C11
        ("affluent", "mass"): 2,
        ("affluent", "affluent"): 1,  # C02 C08; C14
        ("wealth", "exited"): 1,
        ("wealth", "private"): 1,
        ("wealth", "affluent"): 1,  # C03; C13; C18
        ("private", "wealth"): 1,  # C04
        ("new", "affluent"): 1,
        ("new", "wealth"): 1,  # C12; C20
    }


def test_migration_matrix_live_query_equals_the_precomputed_rows(con):
    stored = migration_matrix(con, P2, P3, ALL, "manager")
    live = migration_matrix(con, P2, P3, ALL, "manager", precomputed=False)
    assert stored.equals(live)


def test_migration_rates_split_each_tier_into_up_stay_down_exit(con):
    frame = migration_rates(con, P2, P3, ALL).set_index("tier")
    # wealth at P2: C13 up, C18 down, C03 exited -> 1/3 each, no stay
    assert frame.loc["wealth", ["upgraded", "stayed", "downgraded", "exited"]].tolist() == [1, 0, 1, 1]
    assert frame.loc["wealth", "upgrade_rate"] == pytest.approx(1 / 3)
    # emerging: C07 C14 up, C05 C10 C19 stay, C11 down of 6
    assert frame.loc["emerging", ["upgrade_rate", "stay_rate", "downgrade_rate"]].tolist() == pytest.approx(
        [2 / 6, 3 / 6, 1 / 6]
    )


def test_pooled_matrix_sums_counts_over_consecutive_pairs(con):
    frame = pooled_matrix(con, P1, P3, ALL).set_index(["from_tier", "to_tier"])
    # P1->P2 mass row: C05 -> E, C09 C15 -> M, C17 -> A; P2->P3: C02 C09 -> M, C15 -> exited
    # pooled mass row: mass 4, emerging 1, affluent 1, exited 1 of 7
    assert frame.loc[("mass", "mass"), ["customers", "customers_from"]].tolist() == [4, 7]
    assert frame.loc[("mass", "mass"), "rate"] == pytest.approx(4 / 7)
    assert frame.loc[("mass", "exited"), "customers"] == 1
    # private row: C04 P->P then P->W: 1 of 2 each
    assert frame.loc[("private", "wealth"), "rate"] == 0.5 and frame["pairs"].iloc[0] == 2
    # the Wilson interval surrounds the rate
    row = frame.loc[("mass", "mass")]
    assert row["rate_low"] < row["rate"] < row["rate_high"]


def test_pooled_pairs_by_quarter_keep_three_month_steps():
    from datetime import date

    periods = [date(2026, 1, 31), date(2026, 3, 31), date(2026, 6, 30), date(2026, 7, 31), date(2026, 12, 31)]
    assert pooled_pairs(periods, periods[0], periods[-1], "quarter") == [(date(2026, 3, 31), date(2026, 6, 30))]
    assert len(pooled_pairs(periods, periods[0], periods[-1])) == 4


def test_project_distribution_applies_the_pooled_matrix_and_new_customers(con):
    frame = project_distribution(con, P1, P3, 1, ALL)
    step1 = dict(zip(frame.loc[frame["step"] == 1, "tier"], frame.loc[frame["step"] == 1, "customers"]))
    # P3 stock: mass 5, emerging 3, affluent 4, wealth 3, private 1. Pooled rows: mass 4/7 M, 1/7 E, 1/7 A;
    # emerging 1/13 M, 7/13 E, 2/13 A, 1/13 W; affluent 3/7 M, 1/7 E, 3/7 A; wealth 1/6 A, 3/6 W, 1/6 P;
    # private 1/2 W, 1/2 P. New customers: 1 affluent (C12) and 1 wealth (C20) over 2 pairs -> 0.5 each.
    # mass: 5·4/7 + 3·1/13 + 4·3/7 = 4.8022; affluent: 5/7 + 6/13 + 12/7 + 3/6 + 0.5 = 3.8901
    # wealth: 3/13 + 3·3/6 + 1/2 + 0.5 = 2.7308; private: 3/6 + 1/2 = 1.0
    assert step1["mass"] == pytest.approx(32 / 7 + 3 / 13)
    assert step1["affluent"] == pytest.approx(17 / 7 + 6 / 13 + 1.0)
    assert step1["wealth"] == pytest.approx(3 / 13 + 2.5)
    assert step1["private"] == pytest.approx(1.0)
