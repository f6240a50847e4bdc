"""Churn (流失) of maintained customers and attrition of all customers, by unit at the start x tier."""

from __future__ import annotations

from datetime import date
from itertools import product

import duckdb
import pandas as pd

from analytics.core.scope import Scope
from analytics.core.sql import fetch
from analytics.core.stats import SMALL_SAMPLE, add_rate
from analytics.core.units import Level, unit_key
from analytics.metrics.labels import with_labels
from analytics.metrics.migration import pair_rows_sql
from analytics.store.policy_record import current_policy


def churn_by_unit(
    con: duckdb.DuckDBPyConnection,
    start: date,
    end: date,
    level: Level | None,
    scope: Scope,
    by_tier: bool = True,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Churn and attrition from `start` to `end` (a quarter: last month end of the previous quarter to the quarter's
    last month end), credited to the unit and tier each customer had at the start.

    口径: churned = maintained at the start and not maintained at the end (left the bank, closed, or fell below
    the maintained range); churn_rate = churned / maintained_start. active = present with AUM at or above the
    policy's attrition floor; attrited (离行) = active at the start and, at the end, absent, closed or under the
    floor (an account already dormant at the start is not attrited again); attrition_rate = attrited /
    active_start. A rate over 0 customers is null. *_low / *_high: Wilson interval; small_sample marks rates over
    fewer than 30 customers (maintained_start for churn, active_start for attrition), which should not be
    compared. One row per unit x
    tier at the start, every tier listed (level None: the whole scope as unit 'all'; by_tier=False: one row per
    unit). Returns columns: unit, unit_name, [tier, tier_rank], customers_start, maintained_start, churned,
    churn_rate, churn_rate_low, churn_rate_high, churn_small_sample, active_start, attrited, attrition_rate,
    attrition_rate_low, attrition_rate_high, attrition_small_sample.
    """
    policy = current_policy(con)
    source, params = pair_rows_sql(con, [(start, end)])
    condition, scope_params = scope.sql()
    params |= scope_params
    counts = fetch(
        con,
        f"""
        with pair as ({source}),
        started as (
            select {unit_key(level)} as unit, from_tier, to_tier, customers, active_from, attrited, maintained_from,
                   maintained_to
            from pair where from_tier >= 0 and {condition}
        ),
        final as (
            select unit, from_tier as tier_rank,
                   sum(customers)::bigint as customers_start,
                   sum(case when maintained_from then customers else 0 end)::bigint as maintained_start,
                   sum(case when maintained_from and not maintained_to then customers else 0 end)::bigint as churned,
                   sum(active_from)::bigint as active_start,
                   sum(attrited)::bigint as attrited
            from started group by unit, from_tier
        )
        select * from final
    """,
        params,
    )
    codes = [t.code for t in policy.tiers]
    units = sorted(set(counts["unit"])) or (["all"] if level is None else [])
    grid = pd.DataFrame(list(product(units, range(len(codes)))), columns=["unit", "tier_rank"])
    frame = grid.merge(counts, on=["unit", "tier_rank"], how="left").fillna(0)
    numbers = ["customers_start", "maintained_start", "churned", "active_start", "attrited"]
    frame[numbers] = frame[numbers].astype("int64")
    if by_tier:
        frame.insert(1, "tier", [codes[int(r)] for r in frame["tier_rank"]])
    else:
        frame = frame.groupby("unit", as_index=False)[numbers].sum()
    add_rate(frame, "churn_rate", "churned", "maintained_start", confidence)
    frame["churn_small_sample"] = frame["maintained_start"] < SMALL_SAMPLE
    add_rate(frame, "attrition_rate", "attrited", "active_start", confidence)
    frame["attrition_small_sample"] = frame["active_start"] < SMALL_SAMPLE
    keys = ["unit", "tier", "tier_rank"] if by_tier else ["unit"]
    columns = [
        *keys,
        "customers_start",
        "maintained_start",
        "churned",
        "churn_rate",
        "churn_rate_low",
        "churn_rate_high",
        "churn_small_sample",
        "active_start",
        "attrited",
        "attrition_rate",
        "attrition_rate_low",
        "attrition_rate_high",
        "attrition_small_sample",
    ]
    frame = frame[columns].reset_index(drop=True)
    if level is None:
        frame.insert(1, "unit_name", "全行")
        return frame
    return with_labels(con, frame, level, scope)
