"""Action lists on the hand-made fixture bank (see tests/helpers/fixture_bank.py for its table)."""

import pytest

from analytics.core.scope import Scope
from analytics.lists.actions import (
    at_risk_customers,
    churned_high_value,
    manager_load,
    red_list,
    unassigned_customers,
    upgrade_candidates,
)
from tests.helpers.fixture_bank import P1, P2, P3, fixture_bank

ALL = Scope()


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return fixture_bank(tmp_path_factory.mktemp("actions") / "t.duckdb")


def test_at_risk_customers_finds_maintained_customers_whose_aum_fell(con):
    frame = at_risk_customers(con, P3, ALL, months=3, min_drop=0.2)
    # only C04: 2,600,000 -> 1,500,000 (-42.3%), still wealth. C08 fell 99.9% but is no longer maintained.
    assert frame["customer_id"].tolist() == ["C04"]
    assert frame["change_rate"].iloc[0] == pytest.approx(-1_100_000 / 2_600_000)
    # with a 4% threshold C18 joins (200,000 -> 190,000, -5%)
    assert at_risk_customers(con, P3, ALL, min_drop=0.04)["customer_id"].tolist() == ["C04", "C18"]


def test_at_risk_customers_masks_personal_data_unless_revealed(con):
    masked = at_risk_customers(con, P3, ALL).iloc[0]
    assert (masked.customer_name, masked.phone, masked.id_number) == ("刘*", "138****0004", "110***********0004")
    revealed = at_risk_customers(con, P3, ALL, reveal=True).iloc[0]
    assert (revealed.customer_name, revealed.phone) == ("刘洋", "13800000004")


def test_upgrade_candidates_are_within_reach_of_the_next_tier(con):
    frame = upgrade_candidates(con, P3, ALL, within=0.1)
    # within 10% below the next bound at P3: C17 48,000 (gap 2,000 = 4% of 5万), C18 190,000 (5% of 20万),
    # C02 45,000 (exactly 10% of 5万), C12 180,000 (10% of 20万); sorted by gap_rate, then id
    assert frame["customer_id"].tolist() == ["C17", "C18", "C02", "C12"]
    assert frame.iloc[0][["tier", "next_tier", "gap"]].tolist() == ["mass", "emerging", 2_000]


def test_upgrade_candidates_sort_and_page(con):
    page = upgrade_candidates(con, P3, ALL, sort_by="amount", descending=True, limit=2, offset=1)
    # amounts 190,000 C18, 180,000 C12, 48,000 C17, 45,000 C02: page 2 of size 2 starting at the second
    assert page["customer_id"].tolist() == ["C12", "C17"] and page.attrs["total_rows"] == 4
    with pytest.raises(ValueError, match="cannot sort"):
        upgrade_candidates(con, P3, ALL, sort_by="aum; drop table tier_def")


def test_churned_high_value_names_the_maintainer_at_the_start(con):
    frame = churned_high_value(con, P2, P3, ALL)
    # Q3 churned: C03 (wealth, 白金卡, gone), C08 (affluent, 金卡), C11 (emerging, 普卡): only C03 is high-value;
    # held by M1 王芳 of B01
    assert frame["customer_id"].tolist() == ["C03"]
    assert frame.iloc[0][["manager_id", "manager_name", "tier_start", "tier_end", "outcome"]].tolist() == [
        "M1",
        "王芳",
        "wealth",
        "exited",
        "left",
    ]


def test_churned_high_value_includes_platinum_cards_below_the_top_tiers(con):
    frame = churned_high_value(con, P1, P2, ALL)
    # Q2 churned: C02 (affluent, 金卡), C06 (emerging but 白金卡, closed), C16 (emerging, 普卡): C06 only
    assert frame["customer_id"].tolist() == ["C06"] and frame["outcome"].iloc[0] == "closed"
    # lowering the tier bar to affluent adds C02, who fell below the range
    wider = churned_high_value(con, P1, P2, ALL, min_tier="affluent")
    assert dict(zip(wider["customer_id"], wider["outcome"])) == {"C02": "fell_below", "C06": "closed"}


def test_red_list_lists_maintained_customers_without_a_phone(con):
    # no phone: C09 (mass), C10, C11. At P2 C10 and C11 are emerging; at P3 C11 is mass
    assert sorted(red_list(con, P2, ALL)["customer_id"]) == ["C10", "C11"]
    assert red_list(con, P3, ALL)["customer_id"].tolist() == ["C10"]


def test_red_list_unassigned_only_keeps_the_customers_without_a_maintainer(con):
    # at P2 the red list is C10 (manager M2) and C11 (no manager): only C11 is unassigned
    assert red_list(con, P2, ALL, unassigned_only=True)["customer_id"].tolist() == ["C11"]


def test_unassigned_customers_are_maintained_with_no_manager(con):
    # P2: C11 (emerging, B01), C12 (affluent, B01), C19 (emerging, B02); B02 scope leaves C19
    assert sorted(unassigned_customers(con, P2, ALL)["customer_id"]) == ["C11", "C12", "C19"]
    assert unassigned_customers(con, P2, Scope(branches=frozenset({"B02"})))["customer_id"].tolist() == ["C19"]


def test_manager_load_compares_books_with_the_norm(con):
    frame = manager_load(con, P3, ALL, low=4, high=5)
    loads = {
        (b, m if isinstance(m, str) else None): (n, k, load)
        for b, m, n, k, load in frame[["branch_id", "manager_id", "customers", "maintained", "load"]].itertuples(
            index=False
        )
    }
    # P3: M1 C01 C02 C04 C05 C10 C12 = 6 (5 maintained, C02 mass) > 5: over; M2 C07 C08 C09 C18 = 4 (2): within;
    # M3 C13 C14 C17 C20 = 4 (3): within; unassigned C11 (B01, mass) and C19 (B02, emerging)
    assert loads[("B01", "M1")] == (6, 5, "over")
    assert loads[("B01", "M2")] == (4, 2, "within")
    assert loads[("B02", "M3")] == (4, 3, "within")
    assert loads[("B01", None)] == (1, 0, "unassigned") and loads[("B02", None)] == (1, 1, "unassigned")
