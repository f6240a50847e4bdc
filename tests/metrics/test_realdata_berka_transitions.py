"""Real data nobody on the project wrote: Berka (PKDD'99 Czech bank) and transitionMatrix's synthetic_data5.

Berka: month-end balances per account derived here from the transactions (the balance after the account's last
transaction on or before the month end, carried forward; an account appears from the month it opened), the
account's district as its branch, loaded as one extract per month end under tests/data/berka_policy.toml.
Migration and churn are then recomputed with pandas, independently of the SQL, and compared.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pandas as pd
import pytest

from analytics.core.policy import load_policy
from analytics.core.scope import Scope
from analytics.metrics.migration import pooled_matrix
from analytics.metrics.reports import build_report
from analytics.store.catalog import loaded_periods
from tests.helpers.fixture_bank import DATA, load
from tests.helpers.realdata import REALDATA, needs_realdata

pytestmark = needs_realdata

BERKA_POLICY = DATA / "berka_policy.toml"
BOUNDS = [Decimal(0), Decimal(20_000), Decimal(40_000), Decimal(60_000), Decimal(100_000)]  # berka_policy.toml
CODES = ["mass", "emerging", "affluent", "wealth", "private"]
FLOOR = Decimal(1000)
MONTH_ENDS = pd.date_range("1993-01-31", "1994-02-28", freq="ME")


def berka_panel() -> pd.DataFrame:
    """account, district, period, balance (text, exact) for every month end from Jan 1993 to Feb 1994."""
    lines = (REALDATA / "berka" / "trans_prefix_3MiB.asc").read_text(encoding="ascii").splitlines()[:-1]
    trans = pd.read_csv(io.StringIO("\n".join(lines)), sep=";", dtype=str, keep_default_na=False)
    trans["month_end"] = pd.to_datetime("19" + trans["date"], format="%Y%m%d") + pd.offsets.MonthEnd(0)
    # the file is in date order: the last row of an account in a month is its month-end balance
    last = trans.groupby(["account_id", "month_end"], sort=False)["balance"].last()
    accounts = pd.read_csv(REALDATA / "berka" / "account.asc", sep=";", dtype=str)
    accounts["opened"] = pd.to_datetime("19" + accounts["date"], format="%Y%m%d") + pd.offsets.MonthEnd(0)
    accounts = accounts[accounts["opened"] <= MONTH_ENDS[-1]]
    grid = accounts[["account_id", "district_id", "opened"]].merge(pd.DataFrame({"month_end": MONTH_ENDS}), how="cross")
    grid = grid[grid["month_end"] >= grid["opened"]].sort_values(["account_id", "month_end"])
    grid["balance"] = grid.set_index(["account_id", "month_end"]).index.map(last.to_dict().get)
    grid["balance"] = grid.groupby("account_id")["balance"].ffill().fillna("0.00")
    return grid.rename(columns={"district_id": "district", "month_end": "period"})[
        ["account_id", "district", "period", "balance"]
    ]


@pytest.fixture(scope="module")
def berka(tmp_path_factory):
    folder = tmp_path_factory.mktemp("berka")
    panel = berka_panel()
    paths = []
    for period, month in panel.groupby("period"):
        path = folder / f"berka_{period:%Y%m}.csv"
        month.rename(columns={"account_id": "customer_id", "district": "branch_id", "balance": "aum"}).assign(
            period=period.strftime("%Y-%m-%d")
        )[["period", "customer_id", "branch_id", "aum"]].to_csv(path, index=False)
        paths.append(path)
    return load(folder / "berka.duckdb", paths, load_policy(BERKA_POLICY)), panel


def tiered(panel: pd.DataFrame, period: str) -> pd.DataFrame:
    month = panel[panel["period"] == pd.Timestamp(period)].copy()
    amounts = month["balance"].map(Decimal)
    month["tier"] = [max(sum(1 for b in BOUNDS if a >= b) - 1, 0) for a in amounts]
    month["amount"] = amounts
    return month.set_index("account_id")


def test_berka_loads_every_account_opened_by_february_1994(berka):
    con, _ = berka
    accounts = pd.read_csv(REALDATA / "berka" / "account.asc", sep=";", dtype=str)
    opened = int((accounts["date"] <= "940228").sum())
    assert len(loaded_periods(con)) == 14
    tiers = build_report(con, "tiers", period="1994-02-28")
    assert tiers["customers"].sum() == opened


def test_berka_churn_report_matches_an_independent_pandas_count(berka):
    con, panel = berka
    report = build_report(con, "churn", quarter="1993Q3").set_index(["unit", "tier"])
    start, end = tiered(panel, "1993-06-30"), tiered(panel, "1993-09-30")
    joined = start.merge(end[["tier", "amount"]], how="left", left_index=True, right_index=True, suffixes=("", "_end"))
    joined["maintained"] = joined["tier"] >= 1
    joined["churned"] = joined["maintained"] & ~(joined["tier_end"] >= 1)
    # active: at or above the floor; attrited: active at the start, and gone or under the floor at the end
    joined["active"] = joined["amount"] >= FLOOR
    gone_or_under = joined["tier_end"].isna() | (joined["amount_end"].map(lambda a: a < FLOOR if a == a else True))
    joined["attrited"] = joined["active"] & gone_or_under
    expected = joined.groupby(["district", "tier"]).agg(
        customers_start=("maintained", "size"),
        maintained_start=("maintained", "sum"),
        churned=("churned", "sum"),
        active_start=("active", "sum"),
        attrited=("attrited", "sum"),
    )
    expected.index = expected.index.set_levels([expected.index.levels[0], [CODES[t] for t in expected.index.levels[1]]])
    got = report.loc[expected.index, ["customers_start", "maintained_start", "churned", "active_start", "attrited"]]
    assert (got.values == expected.values).all()
    # every other (district, tier) row of the report is empty
    assert report["customers_start"].sum() == len(start) and report["churned"].sum() == joined["churned"].sum()
    rate = report["churn_rate"].dropna()
    assert ((rate >= 0) & (rate <= 1)).all()


@pytest.mark.parametrize(
    "a, b",
    [
        ("1993-09-30", "1993-12-31"),  # a precomputed quarter pair
        ("1993-03-31", "1994-02-28"),
    ],
)  # a pair computed live
def test_berka_migration_matches_an_independent_pandas_matrix(berka, a, b):
    con, panel = berka
    report = build_report(con, "migration", start=a, end=b)
    start, end = tiered(panel, a), tiered(panel, b)
    both = start[["tier", "amount"]].merge(
        end[["tier", "amount"]], how="outer", left_index=True, right_index=True, suffixes=("_a", "_b")
    )
    both["from_tier"] = [CODES[int(t)] if t == t else "new" for t in both["tier_a"]]
    both["to_tier"] = [CODES[int(t)] if t == t else "exited" for t in both["tier_b"]]
    both["aum_from"] = both["amount_a"].map(lambda v: v if v == v else Decimal(0))
    both["aum_to"] = both["amount_b"].map(lambda v: v if v == v else Decimal(0))
    expected = both.groupby(["from_tier", "to_tier"]).agg(
        customers=("from_tier", "size"), aum_from=("aum_from", "sum"), aum_to=("aum_to", "sum")
    )
    got = report.set_index(["from_tier", "to_tier"])
    assert got["customers"].sum() == len(both)
    for key, row in expected.iterrows():
        assert got.loc[key, "customers"] == row["customers"], key
        assert got.loc[key, "aum_from"] == pytest.approx(float(row["aum_from"]), abs=0.01)
        assert got.loc[key, "aum_to"] == pytest.approx(float(row["aum_to"]), abs=0.01)
    assert got.loc[~got.index.isin(expected.index), "customers"].eq(0).all()


def test_pooled_matrix_reproduces_the_transitionmatrix_cohort_counts(tmp_path):
    data = pd.read_csv(REALDATA / "transitionmatrix" / "synthetic_data5.csv")
    ends = pd.date_range("2020-01-31", periods=5, freq="ME").strftime("%Y-%m-%d")
    # state s as an AUM inside tier s of tests/data/transition_policy.toml (a < 1000 <= b < 2000 <= c)
    extract = pd.DataFrame(
        {
            "period": ends[data["Time"]],
            "customer_id": data["ID"].astype(str),
            "branch_id": "B",
            "aum": data["State"].map({0: "500", 1: "1500", 2: "2500"}),
        }
    )
    path = tmp_path / "synthetic_data5.csv"
    extract.to_csv(path, index=False)
    con = load(tmp_path / "t.duckdb", [path], load_policy(DATA / "transition_policy.toml"))
    periods = loaded_periods(con)
    frame = pooled_matrix(con, periods[0], periods[-1], Scope())
    counts = frame[frame["to_tier"] != "exited"].pivot(index="from_tier", columns="to_tier", values="customers")
    # the README's pooled cohort counts over the 4 period pairs
    assert counts.loc[["a", "b", "c"], ["a", "b", "c"]].values.tolist() == [
        [9109, 1684, 565],
        [1065, 7531, 2158],
        [0, 0, 17888],
    ]
    assert frame["pairs"].iloc[0] == 4
    # generated from [[.8,.15,.05],[.1,.7,.2],[0,0,1]]: every true rate lies inside its 95% Wilson interval here
    truth = {("a", "a"): 0.8, ("a", "b"): 0.15, ("a", "c"): 0.05, ("b", "a"): 0.1, ("b", "b"): 0.7, ("b", "c"): 0.2}
    for (f, t), p in truth.items():
        row = frame[(frame["from_tier"] == f) & (frame["to_tier"] == t)].iloc[0]
        assert row["rate_low"] <= p <= row["rate_high"], (f, t)
