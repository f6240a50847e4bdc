"""Distribution and concentration on the hand-made fixture bank (see tests/helpers/fixture_bank.py for its table)."""

import pytest

from analytics.core.scope import Scope
from analytics.metrics import distribution
from tests.helpers.fixture_bank import P2, P3, fixture_bank

ALL = Scope()
B02 = Scope(branches=frozenset({"B02"}))


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return fixture_bank(tmp_path_factory.mktemp("dist") / "t.duckdb")


def test_tier_distribution_counts_present_customers_per_tier(con):
    frame = distribution.tier_distribution(con, ALL, periods=[P3])
    counts = dict(zip(frame["tier"], frame["customers"]))
    # P3: mass C02 C08 C09 C11 C17; emerging C05 C10 C19; affluent C01 C12 C14 C18; wealth C04 C07 C20; private C13
    assert counts == {"mass": 5, "emerging": 3, "affluent": 4, "wealth": 3, "private": 1}
    mass = frame[frame["tier"] == "mass"].iloc[0]
    # mass AUM 45,000 + 60 + 20,000 + 30,000 + 48,000 = 143,060 of 16 customers
    assert mass["aum"] == pytest.approx(143_060) and mass["customer_share"] == pytest.approx(5 / 16)


def test_tier_distribution_leaves_closed_customers_out(con):
    frame = distribution.tier_distribution(con, ALL, periods=[P2])
    # P2 has 18 rows but C06 is closed: 17 present (mass 3, emerging 6, affluent 4, wealth 3, private 1)
    assert frame["customers"].sum() == 17
    assert dict(zip(frame["tier"], frame["customers"]))["emerging"] == 6


def test_tier_distribution_by_manager_adds_up_to_the_branch(con):
    by_manager = distribution.tier_distribution(con, ALL, "manager", [P3])
    by_branch = distribution.tier_distribution(con, ALL, "branch", [P3])
    # B01 at P3: M1 has C01 C02 C04 C05 C10 C12 (6), M2 C07 C08 C09 C18 (4), unassigned C11 (1) = 11
    b01_managers = by_manager[by_manager["unit"].isin(["M1", "M2", "unassigned@B01"])]["customers"].sum()
    assert b01_managers == by_branch[by_branch["unit"] == "B01"]["customers"].sum() == 11
    assert set(by_manager.loc[by_manager["unit"] == "unassigned@B01", "unit_name"]) == {"未分配 · 城东网点"}


def test_band_concentration_compares_count_share_with_aum_share(con):
    frame = distribution.band_concentration(con, P3, ALL).set_index("floor")
    # 16 customers holding 6,134,060: C13's 3,000,000 is the only one in [200万, 500万): 1/16 of customers,
    # 3,000,000 / 6,134,060 = 48.91% of AUM
    top = frame.loc[2_000_000]
    assert top["customers"] == 1 and top["customer_share"] == pytest.approx(1 / 16)
    assert top["aum_share"] == pytest.approx(3_000_000 / 6_134_060)
    # 1万 and more: everyone but C08 (60): 15/16 of customers, (6,134,060 - 60) / 6,134,060 of AUM
    assert frame.loc[10_000, "customer_share_at_or_above"] == pytest.approx(15 / 16)
    assert frame.loc[10_000, "aum_share_at_or_above"] == pytest.approx(6_134_000 / 6_134_060)


def test_band_concentration_can_leave_out_accounts_under_the_floor(con):
    frame = distribution.band_concentration(con, P3, ALL, exclude_below_floor=True).set_index("floor")
    # without C08 (60 < 100): 15 customers, 6,134,000; C13 is 1/15 of customers
    assert frame["customers"].sum() == 15 and 0 not in frame.index
    assert frame.loc[2_000_000, "customer_share"] == pytest.approx(1 / 15)
    assert frame.loc[2_000_000, "aum_share"] == pytest.approx(3_000_000 / 6_134_000)


def test_gini_matches_the_sorted_sum_formula(con):
    # B02 at P3 in thousands, sorted: 48 (C17), 60 (C19), 100 (C14), 500 (C20), 3000 (C13); sum 3708
    # G = 2·Σ i·x_i / (n·Σx) - (n+1)/n = 2·(48+120+300+2000+15000)/(5·3708) - 6/5 = 34936/18540 - 1.2 = 0.684358
    frame = distribution.gini(con, P3, B02)
    assert frame["customers"].iloc[0] == 5 and frame["gini"].iloc[0] == pytest.approx(0.684358, abs=1e-6)
    # the same from the mean absolute difference, Σ|xi-xj| / (2·n²·mean), computed here independently
    xs = [48, 60, 100, 500, 3000]
    mad = sum(abs(a - b) for a in xs for b in xs) / (2 * len(xs) ** 2 * (sum(xs) / len(xs)))
    assert frame["gini"].iloc[0] == pytest.approx(mad)


def test_lorenz_curve_starts_at_zero_and_ends_at_one(con):
    frame = distribution.lorenz_curve(con, P3, B02, points=5)
    # 5 customers, 5 points: after the poorest (48 of 3708) the curve is at (0.2, 0.01294)
    assert list(frame["customer_share"]) == pytest.approx([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    assert frame["aum_share"].iloc[1] == pytest.approx(48 / 3708) and frame["aum_share"].iloc[-1] == 1.0


def test_card_distribution_counts_card_levels(con):
    frame = distribution.card_distribution(con, P3, ALL)
    # P3: 普卡 C05 C09 C10 C11 C19; 金卡 C01 C02 C07 C08 C12 C14 C17; 白金卡 C18 C20; 钻石卡 C04 C13
    assert list(zip(frame["card_level"], frame["customers"])) == [
        ("普卡", 5),
        ("金卡", 7),
        ("白金卡", 2),
        ("钻石卡", 2),
    ]


def test_vip_growth_reports_plus_n_and_percent_per_card_level(con):
    frame = distribution.vip_growth(con, P2, P3, ALL).set_index("card_level")
    # P2 -> P3: 白金卡 C03 C13 C18 -> C18 C20 (3 -> 2, -1, -33.3%); 钻石卡 C04 -> C04 C13 (1 -> 2, +1, +100%)
    assert frame.loc["白金卡", "change"] == -1 and frame.loc["白金卡", "change_rate"] == pytest.approx(-1 / 3)
    assert frame.loc["钻石卡", "change"] == 1 and frame.loc["钻石卡", "change_rate"] == pytest.approx(1.0)
    # gold and above: 7 + 3 + 1 = 11 at P2, 7 + 2 + 2 = 11 at P3
    assert frame.loc["金卡及以上", ["customers_start", "customers_end", "change"]].tolist() == [11, 11, 0]


def test_stored_concentration_answers_like_the_live_query(con):
    # the load keeps the curve and Gini of the whole bank; any narrower scope runs live (B02 has 5 customers, so
    # its 100-point curve has every customer's point, as points=5 does).
    assert distribution.lorenz_curve(con, P3, B02).equals(distribution.lorenz_curve(con, P3, B02, points=5))
    assert con.execute("select count(*) from concentration_summary where period = ?", [P3]).fetchone()[0] == 1
    rows = con.execute("select distinct branch_id from customer_snapshot where period = ?", [P3]).fetchall()
    every_branch = Scope(branches=frozenset(branch for (branch,) in rows))
    assert len(every_branch.branches) > 1
    whole, live = distribution.gini(con, P3, ALL), distribution.gini(con, P3, every_branch)
    assert whole["customers"].iloc[0] == live["customers"].iloc[0] == 16  # present at P3: 15 + C08
    assert whole["gini"].iloc[0] == live["gini"].iloc[0]
    assert distribution.lorenz_curve(con, P3, ALL).equals(distribution.lorenz_curve(con, P3, every_branch))
