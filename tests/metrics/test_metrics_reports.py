"""build_report: the CLI's reports on the hand-made fixture bank (see tests/helpers/fixture_bank.py)."""

import json

import pytest

from analytics.core.scope import Scope
from analytics.metrics.reports import build_report
from tests.helpers.fixture_bank import fixture_bank


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return fixture_bank(tmp_path_factory.mktemp("reports") / "t.duckdb")


def test_build_report_tiers_lists_every_tier_of_every_period(con):
    frame = build_report(con, "tiers")
    assert list(frame.columns) == ["period", "tier", "customers", "aum", "maintained"]
    # 3 periods x 5 tiers; P1 mass: C05 30,000 + C09 20,000 + C15 50 + C17 40,000 = 90,050 over 4 customers
    assert len(frame) == 15
    first = frame.iloc[0]
    assert (first.period, first.tier, first.customers, first.aum) == ("2026-03-31", "mass", 4, 90_050)
    # customers per period: 18, 17 (C06 closed), 16
    assert frame.groupby("period")["customers"].sum().tolist() == [18, 17, 16]


def test_build_report_tiers_by_unit_for_one_period(con):
    frame = build_report(con, "tiers", period="2026-09", by="branch")
    assert list(frame.columns) == ["period", "unit", "tier", "customers", "aum", "maintained"]
    # B02 at P3: mass C17, emerging C19, affluent C14, wealth C20, private C13
    b02 = frame[frame["unit"] == "B02"]
    assert dict(zip(b02["tier"], b02["customers"])) == {
        "mass": 1,
        "emerging": 1,
        "affluent": 1,
        "wealth": 1,
        "private": 1,
    }


def test_build_report_migration_defaults_to_the_latest_quarter(con):
    frame = build_report(con, "migration")
    assert list(frame.columns) == ["from_tier", "to_tier", "customers", "aum_from", "aum_to"]
    # the latest quarter is 2026Q3 (06-30 -> 09-30): C20 is the one new customer, in wealth with 500,000
    new = frame[(frame["from_tier"] == "new") & (frame["customers"] > 0)]
    assert new[["to_tier", "customers", "aum_to"]].values.tolist() == [["wealth", 1, 500_000]]
    assert set(frame["to_tier"]) >= {"exited"} and frame["customers"].sum() == 17 + 1


def test_build_report_migration_between_given_periods(con):
    frame = build_report(con, "migration", start="2026-03-31", end="2026-06-30")
    # Q2 emerging row: C01 -> affluent, C06 C16 exited, C07 C10 C11 C19 stay
    emerging = frame[frame["from_tier"] == "emerging"].set_index("to_tier")["customers"]
    assert (emerging["affluent"], emerging["exited"], emerging["emerging"]) == (1, 2, 4)


def test_build_report_scorecard_has_the_contract_columns(con):
    frame = build_report(con, "scorecard")
    # design §5: + <indicator>_target, _attainment where a target applies (data/policy.toml sets all five)
    targets = [
        f"{i}_{p}" for i in ("churn", "upgrade", "coverage", "growth", "aum_growth") for p in ("target", "attainment")
    ]
    assert list(frame.columns)[12:] == targets
    assert list(frame.columns)[:12] == [
        "unit",
        "maintained_start",
        "maintained_end",
        "churned",
        "churn_rate",
        "upgraded",
        "upgrade_rate",
        "coverage_rate",
        "growth",
        "aum_growth",
        "score",
        "rank",
    ]
    # default quarter 2026Q3 by branch: B02 first (90 points), B01 second (60)
    assert dict(zip(frame["unit"], frame["rank"])) == {"B01": 2, "B02": 1}
    assert frame.set_index("unit").loc["B01", "churn_rate"] == pytest.approx(1 / 3)


def test_build_report_scorecard_by_manager_for_a_quarter(con):
    frame = build_report(con, "scorecard", quarter="2026Q3", by="manager")
    # M3 at P2: C13 C14 C17 C18 maintained; C17 falls to 48,000: 1 churned of 4
    m3 = frame.set_index("unit").loc["M3"]
    assert (m3.maintained_start, m3.churned, m3.churn_rate) == (4, 1, 0.25)


def test_build_report_churn_rows_per_unit_and_tier(con):
    frame = build_report(con, "churn", quarter="2026Q3")
    assert list(frame.columns) == [
        "unit",
        "tier",
        "customers_start",
        "maintained_start",
        "churned",
        "churn_rate",
        "active_start",
        "attrited",
        "attrition_rate",
    ]
    assert len(frame) == 10  # 2 branches x 5 tiers
    # as JSON, undefined rates are null (B02 has no private customer at P2)
    records = json.loads(frame.to_json(orient="records"))
    b02_private = next(r for r in records if r["unit"] == "B02" and r["tier"] == "private")
    assert b02_private["churn_rate"] is None and b02_private["customers_start"] == 0


def test_build_report_churn_by_tier_gives_the_whole_scope(con):
    frame = build_report(con, "churn", quarter="2026Q3", by="tier", scope=Scope(branches=frozenset({"B01"})))
    # B01 at P2 emerging C05 C07 C10 C11, C11 churned
    emerging = frame.set_index("tier").loc["emerging"]
    assert (emerging.unit, emerging.maintained_start, emerging.churned) == ("all", 4, 1)


def test_build_report_refuses_arguments_that_do_not_fit(con):
    with pytest.raises(ValueError, match="unknown report"):
        build_report(con, "profit")
    with pytest.raises(ValueError, match="not loaded"):
        build_report(con, "tiers", period="2025-12-31")
    with pytest.raises(ValueError, match="2025Q4"):
        build_report(con, "scorecard", quarter="2026Q1")
    with pytest.raises(ValueError, match="both"):
        build_report(con, "migration", start="2026-03-31")
    with pytest.raises(ValueError, match="unit level"):
        build_report(con, "churn", by="teller")
