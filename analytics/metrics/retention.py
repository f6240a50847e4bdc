"""Retention of newly maintained customers (the triangle) and survival by starting tier, on quarter ends."""

from __future__ import annotations

from collections import Counter
from datetime import date

import duckdb
import pandas as pd

from analytics.core.periods import Quarter, quarter_ends, require_period
from analytics.core.scope import Scope
from analytics.core.sql import fetch
from analytics.store.catalog import loaded_periods
from analytics.store.derived.cohorts import ends_followed, first_events_sql, follow_params
from analytics.store.policy_record import current_policy


def retention_triangle(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Of the customers who became maintained in a quarter, the share still maintained k quarters later.

    口径: cohort of quarter Q = customers maintained at Q's last month end and not maintained (or not present)
    at the previous quarter's last month end; counted on the unit of the month end they became maintained.
    retained after k quarters = cohort members maintained at the last month end of quarter Q+k (a point-in-time
    count: a customer who dipped in between and came back counts as retained). Only quarters whose quarter-end
    month ends are loaded take part. Returns columns: cohort (e.g. 2026Q2), quarters_after, period, cohort_size,
    retained, retention_rate.
    """
    condition, params = scope.sql()
    frame = fetch(
        con,
        f"""
        select cohort, quarters_after, period, sum(cohort_size)::bigint as cohort_size,
               sum(retained)::bigint as retained
        from retention_summary where {condition}
        group by all order by cohort, quarters_after
    """,
        params,
    )
    frame["retention_rate"] = frame["retained"] / frame["cohort_size"]
    frame["cohort"] = [str(Quarter(o // 4, o % 4 + 1)) for o in frame["cohort"]]
    return frame


def survival_by_tier(con: duckdb.DuckDBPyConnection, scope: Scope, start: date | str | None = None) -> pd.DataFrame:
    """How customers maintained at `start` fare quarter by quarter, by their tier at `start`: churn and downgrade
    as competing first events.

    口径: cohort = customers maintained at `start` (default: the earliest loaded quarter end), by unit and tier
    at `start`; followed on each following quarter end (consecutive quarters loaded). At each quarter end a
    customer not yet out has churned (not maintained: left, closed or below the maintained range) or
    downgraded (maintained, in a lower tier than at `start`); the first event ends the follow-up. survival =
    share with no event yet; churn_incidence / downgrade_incidence = cumulative share whose first event was
    churn / downgrade (the three add up to 1). Counted on discrete quarters: snapshots only show the quarter in
    which an event happened. Returns columns: tier, tier_rank, quarters_after, period, at_risk, churned,
    downgraded, survival, churn_incidence, downgrade_incidence.
    """
    periods = loaded_periods(con)
    ends = quarter_ends(periods)
    if start is None and not ends:
        raise ValueError("no quarter end loaded")
    start = require_period(periods, start or ends[0])
    follow = ends_followed(periods, start)
    policy = current_policy(con)
    condition, params = scope.sql()
    source = (
        "select * from survival_summary where start = $start"
        if ends and start == ends[0]  # kept at load
        else first_events_sql(condition, len(follow))
    )
    events = fetch(
        con,
        f"""
        select start_tier, k, event, sum(customers)::bigint as customers from ({source})
        where {condition} group by all
    """,
        params | follow_params(start, follow),
    )
    codes = [t.code for t in policy.tiers]
    counted: Counter[tuple[int, int, str]] = Counter()  # (start tier, k, event) -> customers, read once
    sizes: Counter[int] = Counter()
    for tier, k, event, customers in zip(events["start_tier"], events["k"], events["event"], events["customers"]):
        sizes[int(tier)] += int(customers)
        if not pd.isna(k):  # no k: no event in the follow-up (the customer survived)
            counted[int(tier), int(k), event] += int(customers)
    rows = []
    for tier in sorted(sizes):
        size = sizes[tier]
        out = {"churned": 0, "downgraded": 0}
        for k in range(len(follow) + 1):
            at_risk = size - out["churned"] - out["downgraded"]
            step = {e: counted[tier, k, e] for e in out}
            for e in out:
                out[e] += step[e]
            rows.append(
                (
                    codes[tier],
                    tier,
                    k,
                    follow[k - 1] if k else start,
                    at_risk,
                    step["churned"],
                    step["downgraded"],
                    1 - (out["churned"] + out["downgraded"]) / size,
                    out["churned"] / size,
                    out["downgraded"] / size,
                )
            )
    return pd.DataFrame(
        rows,
        columns=[
            "tier",
            "tier_rank",
            "quarters_after",
            "period",
            "at_risk",
            "churned",
            "downgraded",
            "survival",
            "churn_incidence",
            "downgrade_incidence",
        ],
    )
