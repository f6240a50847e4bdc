"""The demo bank's numbers recounted with pandas straight from its month-end extracts (the GBK CSV files the
generator wrote), without the engine: no reader, no validation, no SQL, no derived table. The page tests check
the engine's figures against these.

The tiers are those of data/policy.toml, written out here by hand: mass < 5万 <= emerging < 10万 <= affluent
< 20万 <= wealth < 200万 <= private; covered = maintained with >= 3 products. Maintained (the rulebook of
data/policy.toml, written out here by hand): present and emerging or above (in emerging only under 60; age
unknown counts as under), or holding a 金卡/白金卡/钻石卡, or a credit-card spend >= 5万, a loan >= 30万 or a
depository margin >= 1万. A customer is present at a month end when the extract has a row for them that is not
closed (状态 销户).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pandas as pd

TIERS = ("mass", "emerging", "affluent", "wealth", "private")
BOUNDS = (0, 50_000, 100_000, 200_000, 2_000_000)  # the lowest AUM of each tier, in CNY
TIER_NAMES = ("大众客户", "潜力客户", "中端客户", "理财客户", "私行/财富客户")  # name_zh, as the pages show them
MAINTAINED_FROM = 1  # emerging
VIP_CARDS = ("金卡", "白金卡", "钻石卡")
OPTIONAL = {
    "信用卡年累计消费": "credit_card_spend_ytd",
    "贷款余额": "loan_balance",
    "三方存管保证金": "depository_margin",
}
RULE_BOUNDS = {"credit_card_spend_ytd": 50_000, "loan_balance": 300_000, "depository_margin": 10_000}
COVERED_PRODUCTS = 3
COLUMNS = {
    "数据日期": "period",
    "客户号": "customer_id",
    "网点号": "branch_id",
    "网点名称": "branch_name",
    "支行": "sub_branch",
    "分行": "region",
    "客户经理号": "manager_id",
    "出生日期": "birth_date",
    "卡等级": "card_level",
    "状态": "status",
    "金融资产": "aum",
    "持有产品数": "product_count",
    "客户姓名": "customer_name",
    "证件号码": "id_number",
    "手机号": "phone",
}


def read_extracts(paths: Iterable[Path], rulebook: bool = True) -> pd.DataFrame:
    """Every row of every extract: the columns of COLUMNS, tier (0-4, by BOUNDS), present and maintained (by the
    rulebook, or with rulebook=False by the version-1 rule: emerging and above)."""
    frames = []
    for path in paths:
        frame = pd.read_csv(path, encoding="gbk", dtype=str, keep_default_na=False)
        frames.append(frame[[c for c in (*COLUMNS, *OPTIONAL) if c in frame.columns]])
    rows = pd.concat(frames, ignore_index=True).rename(columns=COLUMNS | OPTIONAL)
    rows["period"] = pd.to_datetime(rows["period"]).dt.date
    rows["aum"] = rows["aum"].astype(float)
    rows["product_count"] = rows["product_count"].astype(int)
    rows["present"] = rows["status"] != "销户"
    rows["tier"] = sum((rows["aum"] >= bound).astype(int) for bound in BOUNDS[1:])
    age = pd.Series(-1, index=rows.index)
    for period, group in rows.groupby("period"):
        known = group["birth_date"] != ""
        age[group.index[known]] = age_at(group.loc[known, "birth_date"], period)
    by_tier = (rows["tier"] >= MAINTAINED_FROM) & ~((rows["tier"] == MAINTAINED_FROM) & (age >= 60))
    rule = by_tier | rows["card_level"].isin(VIP_CARDS)
    for column, bound in RULE_BOUNDS.items():
        if column in rows:
            rule |= pd.to_numeric(rows[column].replace("", None)).fillna(0) >= bound
    rows["maintained"] = rows["present"] & (rule if rulebook else rows["tier"] >= MAINTAINED_FROM)
    return rows


def at(rows: pd.DataFrame, period: date) -> pd.DataFrame:
    """The customers present at `period`, indexed by customer id."""
    return rows[(rows["period"] == period) & rows["present"]].set_index("customer_id")


def maintained_at(rows: pd.DataFrame, period: date) -> pd.DataFrame:
    found = at(rows, period)
    return found[found["maintained"]]


def churned(rows: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Maintained at `start` (their rows then) and not maintained at `end`: absent, closed or no rule holds."""
    before = maintained_at(rows, start)
    return before[~before.index.isin(maintained_at(rows, end).index)]


def manager_unit(rows: pd.DataFrame) -> pd.Series:
    """The manager unit a row is credited to: its 客户经理号, or its branch's unassigned book."""
    return rows["manager_id"].where(rows["manager_id"] != "", "unassigned@" + rows["branch_id"])


def age_at(birth: pd.Series, day: date) -> pd.Series:
    """Whole years from the birth date (text, YYYY-MM-DD) to `day`."""
    born = pd.to_datetime(birth)
    return (
        day.year
        - born.dt.year
        - ((born.dt.month > day.month) | ((born.dt.month == day.month) & (born.dt.day > day.day))).astype(int)
    )


def share_doing_no_better(values: pd.Series, lower_is_better: bool = False) -> pd.Series:
    """Each unit's share of the units doing no better than it, itself included (a unit without a value: NaN)."""
    known = values.dropna()
    if lower_is_better:
        return known.map(lambda v: (known >= v).mean()).reindex(values.index)
    return known.map(lambda v: (known <= v).mean()).reindex(values.index)


def scorecard(rows: pd.DataFrame, start: date, end: date, unit) -> pd.DataFrame:
    """The 保争挖抢培 indicators per unit (unit(rows) -> the unit of each row) from `start` to `end`, and the score.

    Flows are credited to the unit of the start row, stocks to the unit of each end's row: churned = maintained at
    the start, not at the end; upgraded = maintained at the start, in a higher tier at the end; covered = maintained
    at the end with 3 products or more. Rates over 0 are NaN. score = 100 x the mean, over the indicators the unit
    has (the policy's five weights are equal), of its share of units doing no better (churn: lower is better).
    Only units with maintained customers at one end or the other take part."""
    first, last = maintained_at(rows, start), maintained_at(rows, end)
    tier_then = at(rows, end)["tier"].reindex(first.index)
    flows = first.assign(unit=unit(first), churned=~first.index.isin(last.index), upgraded=tier_then > first["tier"])
    stocks = last.assign(unit=unit(last), covered=last["product_count"] >= COVERED_PRODUCTS)
    by_start = flows.groupby("unit").agg(
        maintained_start=("tier", "size"),
        churned=("churned", "sum"),
        upgraded=("upgraded", "sum"),
        aum_start=("aum", "sum"),
    )
    by_end = stocks.groupby("unit").agg(
        maintained_end=("tier", "size"), covered_end=("covered", "sum"), aum_end=("aum", "sum")
    )
    card = by_start.join(by_end, how="outer").fillna(0)
    maintained_then = card["maintained_start"].where(card["maintained_start"] > 0)
    card["churn_rate"] = card["churned"] / maintained_then
    card["upgrade_rate"] = card["upgraded"] / maintained_then
    card["coverage_rate"] = card["covered_end"] / card["maintained_end"].where(card["maintained_end"] > 0)
    card["growth"] = (card["maintained_end"] - card["maintained_start"]) / maintained_then
    card["aum_growth"] = (card["aum_end"] - card["aum_start"]) / card["aum_start"].where(card["aum_start"] > 0)
    shares = pd.DataFrame(
        {"churn_rate": share_doing_no_better(card["churn_rate"], lower_is_better=True)}
        | {c: share_doing_no_better(card[c]) for c in ("upgrade_rate", "coverage_rate", "growth", "aum_growth")}
    )
    card["score"] = 100 * shares.mean(axis=1)
    return card
