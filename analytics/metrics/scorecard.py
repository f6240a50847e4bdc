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
from analytics.core.stats import SMALL_SAMPLE
from analytics.core.units import Level, is_unassigned, parse_level, unit_key
from analytics.metrics.labels import with_labels
from analytics.metrics.migration import pair_rows_sql
from analytics.metrics.score_parts import rank_of, score_parts
from analytics.store.catalog import loaded_periods
from analytics.store.derived.pairs import scorecard_counts_sql
from analytics.store.policy_record import current_policy
from analytics.store.unit_targets import unit_targets

ATTAINMENT_CAP = 2.0


def scorecard(
    con: duckdb.DuckDBPyConnection, start: date, end: date, level: Level, scope: Scope, quarter: str | None = None
) -> pd.DataFrame:
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
    or rank. With policy targets: <indicator>_target and <indicator>_attainment = actual / target (churn:
    target / actual), capped at 200%. How the score is made: <indicator>_percentile, _weight (renormalised, adding
    up to 1) and _points (100 x percentile x weight; the points add up to the score). small_sample: fewer than
    30 maintained customers at the start or the end. At manager level: branch_id, the branch holding most of the
    manager's book, branch_rank, the rank among the managers of that branch, and role (manager_role at the end);
    with the policy's rank_within = "manager_role", percentiles, score and rank are among managers of the same
    role (no role is a class of its own). With a `quarter`, a unit's own target from the targets file replaces
    the bank-wide one. Returns columns: unit, unit_name, maintained_start, maintained_end,
    churned, churn_rate, upgraded, upgrade_rate, covered_end, coverage_rate, growth, aum_start, aum_end,
    aum_growth, score, rank, small_sample and the score's parts (+ the manager and target columns above).
    """
    level = parse_level(level)
    (frame,) = _indicator_frames(con, [(start, end)], level, scope)
    return with_labels(con, _scored(con, frame, level, current_policy(con), quarter), level, scope, end)


def _scored(
    con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, level: Level, policy: Policy, quarter: str | None = None
) -> pd.DataFrame:
    """scorecard without the unit names, from the units' indicators (_indicator_frames)."""
    parts, classes = _ranked(frame, level, policy)
    extra = ["branch_id", "role"] if level == "manager" else []
    frame["small_sample"] = (frame["maintained_start"] < SMALL_SAMPLE) | (frame["maintained_end"] < SMALL_SAMPLE)
    if level == "manager":  # the rank among the managers whose book is mostly in the same branch
        home = frame["branch_id"].fillna("").to_numpy(dtype=object)
        pools = home if classes is None else home + "\x1f" + classes
        frame["branch_rank"] = rank_of(frame["score"].to_numpy(dtype=float), pools).set_axis(frame.index)
        extra.append("branch_rank")
    own = unit_targets(con, quarter, level).set_index("unit") if quarter else pd.DataFrame()
    targets: dict[str, np.ndarray] = {}
    for indicator, (value, higher_is_better) in INDICATORS.items():
        column = f"{indicator}_target"
        if indicator not in policy.targets and column not in own:
            continue
        target = frame["unit"].map(own[column]) if column in own else pd.Series(np.nan, index=frame.index)
        targets[column] = target.fillna(policy.targets.get(indicator, np.nan)).to_numpy(dtype=float)
        targets[f"{indicator}_attainment"] = _attainment(frame[value], targets[column], not higher_is_better)
    columns = [frame[[*COLUMNS, *extra, "small_sample"]], parts, pd.DataFrame(targets, index=frame.index)]
    return pd.concat(columns, axis=1).reset_index(drop=True)  # built at once: a column at a time copies each


def _ranked(frame: pd.DataFrame, level: Level, policy: Policy) -> tuple[pd.DataFrame, np.ndarray | None]:
    """Adds score and rank to `frame` (the units' indicators); returns the score's parts and the classes the
    units are ranked in (None: all together). Unassigned customers of a branch are a row but not ranked."""
    ranked = np.full(len(frame), True) if level != "manager" else ~is_unassigned(frame["unit"]).to_numpy(dtype=bool)
    classes = None
    if level == "manager" and policy.rank_within == "manager_role":
        classes = frame["role"].fillna("").to_numpy(dtype=object)
    parts = score_parts(frame, ranked, policy, classes)
    frame["score"], frame["rank"] = _score_and_rank(parts, classes)
    return parts, classes


COLUMNS = [
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


def _with_managers(sql: str, scope: Scope, pairs: int) -> str:
    """The statement of the manager-level indicators of `pairs` pairs (`sql`, ending in `final`) with, per pair
    and manager, branch_id, the branch holding most of the book (maintained at the end, then at the start), and
    role, the manager_role at the pair's end month end ($b<i>; the index is $pair<i>)."""
    condition, _ = scope.sql()
    roles = " union all ".join(
        f"""select $pair{i}::integer as pair, manager_id as unit, arg_max(manager_role, customers) as role
            from unit_directory where period = $b{i} and manager_id is not null group by all"""
        for i in range(pairs)
    )
    return f"""{sql},
        books as (
            select pair, {unit_key("manager")} as unit, branch_id,
                   sum(maintained_end) as book_end, sum(maintained_start) as book_start
            from unit_rows where {condition} group by all
        ),
        home as (
            select pair, unit, branch_id from books
            qualify row_number() over (partition by pair, unit order by book_end desc, book_start desc, branch_id) = 1
        ),
        roles as ({roles})
        select final.*, home.branch_id, roles.role
        from final left join home using (pair, unit) left join roles using (pair, unit)
        order by pair, unit
        """


def unit_indicators(
    con: duckdb.DuckDBPyConnection, start: date, end: date, level: Level | None, scope: Scope
) -> pd.DataFrame:
    """The counts and the five indicators of each unit (the whole scope as unit 'all' when level is None), as
    scorecard defines them, without score or labels. Returns columns: unit, maintained_start, maintained_end,
    churned, upgraded, covered_end, with_products_end, aum_start, aum_end and the five rates."""
    sql, params = _indicators_sql(con, [(start, end)], level, scope)
    return _typed(fetch(con, f"{sql} select * exclude (pair) from final order by unit", params))


def _indicator_frames(
    con: duckdb.DuckDBPyConnection, pairs: list[tuple[date, date]], level: Level, scope: Scope
) -> list[pd.DataFrame]:
    """unit_indicators of each pair of month ends, in one statement; at manager level with each manager's
    branch_id and role (_with_managers)."""
    sql, params = _indicators_sql(con, pairs, level, scope)
    if level == "manager":
        rows = fetch(con, _with_managers(sql, scope, len(pairs)), params)
    else:
        rows = fetch(con, f"{sql} select * from final order by pair, unit", params)
    pair = rows.pop("pair").to_numpy()
    return [_typed(rows[pair == i].reset_index(drop=True)) for i in range(len(pairs))]


def _indicators_sql(
    con: duckdb.DuckDBPyConnection, pairs: list[tuple[date, date]], level: Level | None, scope: Scope
) -> tuple[str, dict]:
    """WITH clauses ending in `final`: one row per pair (its index in `pairs`) and unit with its counts and rates.
    The pair i is bound as $pair<i> (its index), $a<i> and $b<i> (its month ends); a pair counted at load is read from scorecard_summary, any other is
    counted live from the migration rows of the pair."""
    condition, params = scope.sql()
    built = set(fetch_rows(con, "select period_from, period_to from period_pair"))
    live = [pair for pair in pairs if pair not in built]
    ctes = ""
    if live:
        pair_sql, pair_params = pair_rows_sql(con, live, precomputed=False)
        ctes, params = f"live_pairs as ({pair_sql}),", params | pair_params
    parts = []
    for i, (start, end) in enumerate(pairs):
        params |= {f"pair{i}": i, f"a{i}": start, f"b{i}": end}
        bounds = f"period_from = $a{i} and period_to = $b{i}"
        if (start, end) in built:
            rows = f"select * from scorecard_summary where {bounds}"  # counted at load
        else:
            rows = scorecard_counts_sql(f"select * from live_pairs where {bounds}", f"a{i}", f"b{i}")
        parts.append(f"select $pair{i}::integer as pair, * from ({rows})")
    return (
        f"""
        with {ctes}
        unit_rows as ({" union all ".join(parts)}),
        counts as (
            select pair, {unit_key(level)} as unit,
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
    """The counts as int64 and the rates as float (NaN for null), casting only the columns not already so."""
    wanted = {c: "int64" for c in ("maintained_start", "maintained_end", "churned", "upgraded", "covered_end")}
    wanted |= {"with_products_end": "int64"} | {column: "float64" for column in INDICATOR_COLUMNS}
    casts = {column: dtype for column, dtype in wanted.items() if frame[column].dtype != dtype}
    return frame.astype(casts) if casts else frame


def score_units(
    frame: pd.DataFrame, ranked: np.ndarray, policy: Policy, classes: np.ndarray | None = None
) -> tuple[np.ndarray, pd.Series]:
    """Score (0-100: the indicators' percentile ranks weighted by the policy, over the indicators a unit has) and
    rank (1 = best; ties share the best rank) of the ranked units, within each class when `classes` is given;
    NaN / null for the others. The score is the sum of score_parts' points."""
    return _score_and_rank(score_parts(frame, ranked, policy, classes), classes)


def _score_and_rank(parts: pd.DataFrame, classes: np.ndarray | None) -> tuple[np.ndarray, pd.Series]:
    """score_units from the units' score_parts."""
    points = parts[[f"{indicator}_points" for indicator in INDICATORS]].to_numpy(dtype=float)
    scored = ~np.isnan(points).all(axis=1)
    # rounded so that units level on every indicator tie exactly, whatever the order of float additions
    score = np.where(scored, np.round(np.nansum(points, axis=1), 6), np.nan)
    return score, rank_of(score, classes).set_axis(parts.index)


def _attainment(actual: pd.Series, target: np.ndarray, lower_is_better: bool) -> np.ndarray:
    """actual / target (lower is better: target / actual, and an actual of 0 meets any target), capped; NaN
    where the actual or the target is unknown or the target 0."""
    values = actual.to_numpy(dtype=float, na_value=np.nan)
    goal = np.where(target == 0, np.nan, target)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(values == 0, ATTAINMENT_CAP, goal / values) if lower_is_better else values / goal
    return np.where(np.isnan(goal), np.nan, np.minimum(ratio, ATTAINMENT_CAP))  # NaN stays NaN


def quarter_scorecard(
    con: duckdb.DuckDBPyConnection, quarter: Quarter | str, level: Level, scope: Scope, compare: bool = True
) -> pd.DataFrame:
    """The scorecard of a quarter (last month end of the previous quarter to the quarter's last month end),
    with the change against the previous quarter.

    口径: as scorecard. <indicator>_prev is the previous quarter's value for the same unit (null when that
    quarter is not loaded or the unit had no maintained customers), <indicator>_change = this quarter - previous
    (in fraction points; for churn a negative change is an improvement), likewise <indicator>_points_change and
    score_change; rank_prev and rank_change = rank_prev - rank (positive = climbed). Returns the scorecard columns plus those.
    """
    quarter = Quarter.parse(quarter)
    level = parse_level(level)
    periods = loaded_periods(con)
    start, end = quarter_snapshots(periods, quarter)
    pairs = [(start, end)]
    if compare:
        try:
            pairs.append(quarter_snapshots(periods, quarter.previous()))
        except ValueError:  # the previous quarter is not loaded
            pass
    policy = current_policy(con)
    frames = _indicator_frames(con, pairs, level, scope)
    frame = with_labels(con, _scored(con, frames[0], level, policy, str(quarter)), level, scope, end)
    if not compare:
        return frame
    values = [*INDICATOR_COLUMNS, *(f"{i}_points" for i in INDICATORS), "score", "rank"]
    if len(frames) > 1:  # the quarter before: its indicators, points, score and rank
        before_parts, _ = _ranked(frames[1], level, policy)
        previous = pd.concat([frames[1], before_parts], axis=1)[["unit", *values]]
    else:
        previous = pd.DataFrame({"unit": pd.Series(dtype=str), **{v: pd.Series(dtype=float) for v in values}})
    before = previous.set_index("unit").reindex(frame["unit"]).set_index(frame.index).add_suffix("_prev")
    change = {f"{column}_change": frame[column] - before[f"{column}_prev"] for column in values[:-1]}
    before["rank_prev"] = before["rank_prev"].astype("Int64")
    change["rank_change"] = before["rank_prev"] - frame["rank"]
    return pd.concat([frame, before, pd.DataFrame(change, index=frame.index)], axis=1)
