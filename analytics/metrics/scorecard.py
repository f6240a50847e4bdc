"""The quarterly 保争挖抢培 scorecard of units: five indicators, composite score, rank, targets, change."""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd

from analytics.core.indicators import INDICATOR_COLUMNS, INDICATORS
from analytics.core.periods import Quarter, quarter_snapshots
from analytics.core.policy import Policy
from analytics.core.scope import Scope
from analytics.core.sql import fetch, fetch_rows
from analytics.core.stats import percentile_rank
from analytics.core.units import Level, is_unassigned, parse_level, unit_key
from analytics.metrics.labels import with_labels
from analytics.metrics.migration import pair_rows_sql
from analytics.store.catalog import loaded_periods
from analytics.store.derived.pairs import scorecard_counts_sql
from analytics.store.policy_record import current_policy

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
    level = parse_level(level)
    return with_labels(con, _scored(con, start, end, level, scope), level, scope, end)


def _scored(con: duckdb.DuckDBPyConnection, start: date, end: date, level: Level, scope: Scope) -> pd.DataFrame:
    """scorecard without the unit names."""
    policy = current_policy(con)
    sql, params = _indicators_sql(con, start, end, level, scope, policy)
    frame = _typed(fetch(con, f"{sql} select * from final order by unit", params))
    ranked = np.full(len(frame), True) if level != "manager" else ~is_unassigned(frame["unit"]).to_numpy(dtype=bool)
    frame["score"], frame["rank"] = score_units(frame, ranked, policy)
    columns = [
        "unit",
        "maintained_start",
        "maintained_end",
        "churned",
        "churn_rate",
        "upgraded",
        "upgrade_rate",
        "covered_end",
        "coverage_rate",
        "growth",
        "aum_start",
        "aum_end",
        "aum_growth",
        "score",
        "rank",
    ]
    frame = frame[columns]
    for indicator, target in policy.targets.items():
        frame[f"{indicator}_attainment"] = _attainment(frame[INDICATORS[indicator][0]], target, indicator == "churn")
    return frame.reset_index(drop=True)


def unit_indicators(
    con: duckdb.DuckDBPyConnection, start: date, end: date, level: Level | None, scope: Scope, policy: Policy
) -> pd.DataFrame:
    """The counts and the five indicators of each unit (the whole scope as unit 'all' when level is None), as
    scorecard defines them, without score or labels. Returns columns: unit, maintained_start, maintained_end,
    churned, upgraded, covered_end, with_products_end, aum_start, aum_end and the five rates."""
    sql, params = _indicators_sql(con, start, end, level, scope, policy)
    return _typed(fetch(con, f"{sql} select * from final order by unit", params))


def _indicators_sql(
    con: duckdb.DuckDBPyConnection, start: date, end: date, level: Level | None, scope: Scope, policy: Policy
) -> tuple[str, dict]:
    """WITH clauses ending in `final`: one row per unit with its counts and rates."""
    condition, params = scope.sql()
    params |= {"a": start, "b": end}
    if fetch_rows(con, "select 1 from period_pair where period_from = $a and period_to = $b", params):
        rows = "select * from scorecard_summary where period_from = $a and period_to = $b"  # counted at load
    else:
        pair, pair_params = pair_rows_sql(con, [(start, end)], precomputed=False)
        rows, params = scorecard_counts_sql(pair), params | pair_params
    return (
        f"""
        with unit_rows as ({rows}),
        counts as (
            select {unit_key(level)} as unit,
                   sum(maintained_start)::bigint as maintained_start, sum(maintained_end)::bigint as maintained_end,
                   sum(churned)::bigint as churned, sum(upgraded)::bigint as upgraded,
                   sum(covered_end)::bigint as covered_end, sum(with_products_end)::bigint as with_products_end,
                   sum(aum_start) as aum_start, sum(aum_end) as aum_end
            from unit_rows where {condition} group by all
            having sum(maintained_start) > 0 or sum(maintained_end) > 0
        ),
        final as (  -- a rate over 0 is null; no product data at all makes coverage unknown, not 0%
            select *,
                   churned / nullif(maintained_start, 0)::double as churn_rate,
                   upgraded / nullif(maintained_start, 0)::double as upgrade_rate,
                   case when with_products_end > 0 then covered_end / nullif(maintained_end, 0)::double
                   end as coverage_rate,
                   (maintained_end - maintained_start) / nullif(maintained_start, 0)::double as growth,
                   (aum_end - aum_start)::double / nullif(aum_start, 0)::double as aum_growth
            from counts
        )
    """,
        params,
    )


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for column in ("maintained_start", "maintained_end", "churned", "upgraded", "covered_end", "with_products_end"):
        frame[column] = frame[column].astype("int64")
    for column in INDICATOR_COLUMNS:
        frame[column] = frame[column].astype(float)
    return frame


def score_units(frame: pd.DataFrame, ranked: np.ndarray, policy: Policy) -> tuple[np.ndarray, pd.Series]:
    """Score (0-100: the indicators' percentile ranks weighted by the policy, over the indicators a unit has) and
    rank (1 = best; ties share the best rank) of the ranked units; NaN / null for the others."""
    points, weights = np.zeros(len(frame)), np.zeros(len(frame))
    for indicator, (column, higher_is_better) in INDICATORS.items():
        share = percentile_rank(frame[column].to_numpy(dtype=float, na_value=np.nan), ranked, higher_is_better)
        weight = policy.weights.get(indicator, 0.0)
        points += np.nan_to_num(share) * weight
        weights += ~np.isnan(share) * weight
    with np.errstate(invalid="ignore", divide="ignore"):
        # rounded so that units level on every indicator tie exactly, whatever the order of float additions
        score = np.where(ranked & (weights > 0), np.round(100 * points / weights, 6), np.nan)
    scored = ~np.isnan(score)
    ordered = np.sort(score[scored])
    rank = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    rank[scored] = 1 + len(ordered) - np.searchsorted(ordered, score[scored], side="right")  # 1 + units above
    return score, rank


def _attainment(actual: pd.Series, target: float, lower_is_better: bool) -> np.ndarray:
    """actual / target (lower is better: target / actual, and an actual of 0 meets any target), capped; NaN
    where the actual is unknown or the target 0."""
    values = actual.to_numpy(dtype=float, na_value=np.nan)
    if target == 0:
        return np.full(len(values), np.nan)
    with np.errstate(divide="ignore"):
        ratio = np.where(values == 0, ATTAINMENT_CAP, target / values) if lower_is_better else values / target
    return np.minimum(ratio, ATTAINMENT_CAP)  # NaN stays NaN


def quarter_scorecard(
    con: duckdb.DuckDBPyConnection, quarter: Quarter | str, level: Level, scope: Scope, compare: bool = True
) -> pd.DataFrame:
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
    values = [*INDICATOR_COLUMNS, "score", "rank"]
    try:
        prev_start, prev_end = quarter_snapshots(periods, quarter.previous())
        previous = _scored(con, prev_start, prev_end, parse_level(level), scope)[["unit", *values]]
    except ValueError:
        previous = pd.DataFrame({"unit": pd.Series(dtype=str), **{v: pd.Series(dtype=float) for v in values}})
    frame = frame.merge(previous.rename(columns={v: f"{v}_prev" for v in values}), on="unit", how="left")
    for column in values[:-1]:
        frame[f"{column}_change"] = frame[column] - frame[f"{column}_prev"]
    frame["rank_prev"] = frame["rank_prev"].astype("Int64")
    frame["rank_change"] = frame["rank_prev"] - frame["rank"]
    return frame
