"""The quarterly 保争挖抢培 scorecard of units: five indicators, composite score, rank, targets, change."""
from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics.migration import pair_rows_sql
from analytics.periods import Quarter, loaded_periods, quarter_snapshots
from analytics.policy import Policy
from analytics.query import fetch
from analytics.scope import Scope
from analytics.stats import percentile_rank, rate
from analytics.store import current_policy
from analytics.units import Level, is_unassigned, parse_level, unit_key, with_labels

# indicator (policy weight / target key) -> column, and whether higher is better
INDICATORS: dict[str, tuple[str, bool]] = {
    "churn": ("churn_rate", False),
    "upgrade": ("upgrade_rate", True),
    "coverage": ("coverage_rate", True),
    "growth": ("growth", True),
    "aum_growth": ("aum_growth", True),
}
ATTAINMENT_CAP = 2.0


def scorecard(con: duckdb.DuckDBPyConnection, start: date, end: date, level: Level, scope: Scope) -> pd.DataFrame:
    """The five indicators of each unit between two month ends (a quarter: see quarter_scorecard), score and rank.

    口径 (flows credited to the unit at the start, stocks to the unit at each end):
    保 churn_rate = churned / maintained_start, churned = maintained at the start, not maintained at the end;
    争 upgrade_rate = upgraded / maintained_start, upgraded = maintained at the start, in a higher tier at the end;
    挖 coverage_rate = covered_end / maintained_end, covered = maintained and holding at least the policy's
    coverage_min_products products (a customer whose product count the extract lacks counts as not covered;
    a unit with no product data at all has coverage null); 抢 growth = (maintained_end - maintained_start) / maintained_start;
    培 aum_growth = (aum_end - aum_start) / aum_start, AUM of the maintained customers at each end.
    A rate over 0 is null, never 0. score: each indicator becomes a percentile rank among the compared units
    (share of units doing no better, itself included; churn: lower is better), weighted by the policy's
    scorecard weights, over the indicators the unit has (weights renormalised), in points 0-100; rank 1 is the
    best score. Units with neither maintained customers at the start nor at the end are left out; at manager
    level the unassigned customers of each branch are a row (so counts add up to the branch) but get no score
    or rank. With policy targets: <indicator>_attainment = actual / target (churn: target / actual), capped at
    200%. Returns columns: unit, unit_name, maintained_start, maintained_end, churned, churn_rate, upgraded,
    upgrade_rate, covered_end, coverage_rate, growth, aum_start, aum_end, aum_growth, score, rank
    (+ <indicator>_attainment when the policy has targets).
    """
    policy = current_policy(con)
    level = parse_level(level)
    source, params = pair_rows_sql(con, [(start, end)])
    condition, scope_params = scope.sql()
    params |= scope_params | {"start": start, "end": end, "maintained": policy.maintained_rank}
    key = unit_key(level)
    frame = fetch(con, f"""
        with pair as ({source}),
        flows as (
            select {key} as unit,
                   sum(case when to_tier < $maintained then customers else 0 end)::bigint as churned,
                   sum(case when to_tier > from_tier then customers else 0 end)::bigint as upgraded
            from pair where from_tier >= $maintained and {condition} group by all
        ),
        stock_start as (
            select {key} as unit, sum(maintained)::bigint as maintained_start,
                   sum(case when tier >= $maintained then aum else 0 end) as aum_start
            from tier_summary where period = $start and {condition} group by all
        ),
        stock_end as (
            select {key} as unit, sum(maintained)::bigint as maintained_end, sum(covered)::bigint as covered_end,
                   sum(with_products)::bigint as with_products_end,
                   sum(case when tier >= $maintained then aum else 0 end) as aum_end
            from tier_summary where period = $end and {condition} group by all
        ),
        units as (
            select unit from stock_start union select unit from stock_end
        ),
        final as (
            select u.unit,
                   coalesce(s.maintained_start, 0) as maintained_start,
                   coalesce(e.maintained_end, 0) as maintained_end,
                   coalesce(f.churned, 0) as churned,
                   coalesce(f.upgraded, 0) as upgraded,
                   coalesce(e.covered_end, 0) as covered_end,
                   coalesce(e.with_products_end, 0) as with_products_end,
                   coalesce(s.aum_start, 0) as aum_start,
                   coalesce(e.aum_end, 0) as aum_end
            from units u
            left join flows f using (unit)
            left join stock_start s using (unit)
            left join stock_end e using (unit)
            where coalesce(s.maintained_start, 0) > 0 or coalesce(e.maintained_end, 0) > 0
        )
        select * from final order by unit
    """, params)
    for column in ("maintained_start", "maintained_end", "churned", "upgraded", "covered_end"):
        frame[column] = frame[column].astype("int64")
    frame["churn_rate"] = rate(frame["churned"], frame["maintained_start"])
    frame["upgrade_rate"] = rate(frame["upgraded"], frame["maintained_start"])
    # no product data at all for a unit makes its coverage unknown, not 0%
    frame["coverage_rate"] = rate(frame["covered_end"], frame["maintained_end"]).where(frame["with_products_end"] > 0)
    frame["growth"] = rate(frame["maintained_end"] - frame["maintained_start"], frame["maintained_start"])
    frame["aum_growth"] = rate(frame["aum_end"] - frame["aum_start"], frame["aum_start"])
    ranked = ~is_unassigned(frame["unit"]) if level == "manager" else pd.Series(True, index=frame.index)
    frame["score"], frame["rank"] = _score(frame, ranked, policy)
    columns = ["unit", "maintained_start", "maintained_end", "churned", "churn_rate", "upgraded", "upgrade_rate",
               "covered_end", "coverage_rate", "growth", "aum_start", "aum_end", "aum_growth", "score", "rank"]
    frame = frame[columns]
    for indicator, target in policy.targets.items():
        frame[f"{indicator}_attainment"] = _attainment(frame[INDICATORS[indicator][0]], target, indicator == "churn")
    return with_labels(con, frame.reset_index(drop=True), level, scope, end)


def _score(frame: pd.DataFrame, ranked: pd.Series, policy: Policy) -> tuple[pd.Series, pd.Series]:
    points = pd.Series(0.0, index=frame.index)
    weights = pd.Series(0.0, index=frame.index)
    for indicator, (column, higher_is_better) in INDICATORS.items():
        pct = percentile_rank(frame.loc[ranked, column], higher_is_better).reindex(frame.index)
        weight = policy.weights.get(indicator, 0.0)
        points += pct.fillna(0) * weight
        weights += pct.notna() * weight
    # rounded so that units level on every indicator tie exactly, whatever the order of float additions
    score = (100 * points / weights.where(weights > 0)).where(ranked).round(6)
    return score, score.rank(ascending=False, method="min").astype("Int64")


def _attainment(actual: pd.Series, target: float, lower_is_better: bool) -> pd.Series:
    if target == 0:
        return pd.Series(float("nan"), index=actual.index)
    if lower_is_better:
        ratio = (target / actual.where(actual != 0)).where(actual != 0, ATTAINMENT_CAP)
        ratio = ratio.where(actual.notna())
    else:
        ratio = actual / target
    return ratio.clip(upper=ATTAINMENT_CAP)


def quarter_scorecard(con: duckdb.DuckDBPyConnection, quarter: Quarter | str, level: Level, scope: Scope,
                      compare: bool = True) -> pd.DataFrame:
    """The scorecard of a quarter (last month end of the previous quarter to the quarter's last month end),
    with the change against the previous quarter.

    口径: as scorecard. <indicator>_prev is the previous quarter's value for the same unit (null when that
    quarter is not loaded or the unit had no maintained customers), <indicator>_change = this quarter - previous
    (in fraction points; for churn a negative change is an improvement); rank_prev and rank_change = rank_prev -
    rank (positive = climbed). Returns the scorecard columns plus those.
    """
    quarter = Quarter.parse(quarter)
    periods = loaded_periods(con)
    start, end = quarter_snapshots(periods, quarter)
    frame = scorecard(con, start, end, level, scope)
    if not compare:
        return frame
    values = [column for column, _ in INDICATORS.values()] + ["score", "rank"]
    try:
        prev_start, prev_end = quarter_snapshots(periods, quarter.previous())
        previous = scorecard(con, prev_start, prev_end, level, scope)[["unit", *values]]
    except ValueError:
        previous = pd.DataFrame({"unit": pd.Series(dtype=str), **{v: pd.Series(dtype=float) for v in values}})
    frame = frame.merge(previous.rename(columns={v: f"{v}_prev" for v in values}), on="unit", how="left")
    for column in values[:-1]:
        frame[f"{column}_change"] = frame[column] - frame[f"{column}_prev"]
    frame["rank_prev"] = frame["rank_prev"].astype("Int64")
    frame["rank_change"] = frame["rank_prev"] - frame["rank"]
    return frame
