"""Per pair of month ends: the migration summary (customers and AUM per unit x from-tier x to-tier) and the
scorecard's counts per finest unit. The pairs kept are consecutive loaded periods and consecutive quarter ends."""

from __future__ import annotations

from datetime import date

import duckdb

from analytics.core.periods import Quarter, quarter_ends
from analytics.core.policy import Policy
from analytics.store.derived.query import Query, insert
from analytics.store.derived.tiers import UNIT_KEYS
from analytics.store.schema import EXITED, NEW, TOTAL


def pairs_wanted(periods: list[date]) -> list[tuple[date, date, str]]:
    """Consecutive loaded periods, and consecutive quarter ends (the scorecard's default pairs)."""
    pairs = [(a, b, "consecutive") for a, b in zip(periods, periods[1:])]
    ends = quarter_ends(periods)
    for a, b in zip(ends, ends[1:]):
        if Quarter.of(b) == Quarter.of(a).shift(1) and (a, b, "consecutive") not in pairs:
            pairs.append((a, b, "quarter"))
    return pairs


def pair_summary_sql(a: str, b: str) -> str:
    """The migration_summary rows of the pair (a, b), given as SQL expressions; the attrition floor is $floor.

    Units are the customer's at the start, or at the end for a customer new at the end. active: present with AUM at
    or above the floor; attrited: active at the start and not active at the end (an account already dormant at the
    start is not attrited again)."""
    return f"""
        with start as (
            select customer_id, {UNIT_KEYS}, tier, aum, maintained_rules > 0 as maintained
            from customer_snapshot where period = {a} and status <> 'closed'
        ),
        finish as (
            select customer_id, {UNIT_KEYS}, tier, aum, maintained_rules > 0 as maintained
            from customer_snapshot where period = {b} and status <> 'closed'
        ),
        joined as (
            select
                case when s.customer_id is null then f.region else s.region end as region,
                case when s.customer_id is null then f.sub_branch else s.sub_branch end as sub_branch,
                case when s.customer_id is null then f.branch_id else s.branch_id end as branch_id,
                case when s.customer_id is null then f.manager_id else s.manager_id end as manager_id,
                coalesce(s.tier, {NEW}) as from_tier,
                coalesce(f.tier, {EXITED}) as to_tier,
                s.aum as aum_from,
                f.aum as aum_to,
                case when s.customer_id is not null and s.aum >= $floor then 1 else 0 end as active_from,
                case when s.customer_id is not null and s.aum >= $floor and (f.customer_id is null or f.aum < $floor)
                     then 1 else 0 end as attrited,
                coalesce(s.maintained, false) as maintained_from,
                coalesce(f.maintained, false) as maintained_to
            from start s full outer join finish f on s.customer_id = f.customer_id
        ),
        final as (
            select {a} as period_from, {b} as period_to, {UNIT_KEYS}, from_tier, to_tier,
                   count(*) as customers, sum(aum_from) as aum_from, sum(aum_to) as aum_to,
                   sum(active_from) as active_from, sum(attrited) as attrited, maintained_from, maintained_to
            from joined
            group by {UNIT_KEYS}, from_tier, to_tier, maintained_from, maintained_to
        )
        select * from final
    """


def migration_query(policy: Policy, a: date, b: date) -> Query:
    return Query(
        "migration_summary", pair_summary_sql("$a::date", "$b::date"), {"a": a, "b": b, "floor": policy.attrition_floor}
    )


def scorecard_query(a: date, b: date) -> Query:
    """The scorecard's counts of the pair, from its migration_summary rows and the two tier summaries."""
    pair = "select * from migration_summary where period_from = $a and period_to = $b"
    return Query("scorecard_summary", scorecard_counts_sql(pair), {"a": a, "b": b})


def build_pair(con: duckdb.DuckDBPyConnection, policy: Policy, a: date, b: date) -> None:
    insert(con, migration_query(policy, a, b))
    insert(con, scorecard_query(a, b))


def scorecard_counts_sql(pair_rows: str, a: str = "a", b: str = "b") -> str:
    """The scorecard's counts per unit of the finest level (region, sub-branch, branch, manager) between the
    month ends bound as the parameters named `a` and `b`, from `pair_rows` (migration_summary rows of the pair) and the two month
    ends' tier summaries (see analytics.metrics.scorecard.scorecard for the 口径): flows are credited to the unit at the start,
    stocks to the unit at each end; a coarser level is the sum of its rows."""
    return f"""
    with pair as ({pair_rows}),
    parts as (
        select {UNIT_KEYS}, 0 as maintained_start, 0 as maintained_end,
               sum(case when not maintained_to then customers else 0 end) as churned,
               sum(case when to_tier > from_tier then customers else 0 end) as upgraded,
               0 as covered_end, 0 as with_products_end, 0::{TOTAL} as aum_start, 0::{TOTAL} as aum_end
        from pair where maintained_from
        group by {UNIT_KEYS}
        union all
        select {UNIT_KEYS}, sum(maintained), 0, 0, 0, 0, 0, sum(maintained_aum), 0
        from tier_summary where period = ${a} group by {UNIT_KEYS}
        union all
        select {UNIT_KEYS}, 0, sum(maintained), 0, 0, sum(covered), sum(with_products), 0, sum(maintained_aum)
        from tier_summary where period = ${b} group by {UNIT_KEYS}
    ),
    per_unit as (
        select ${a} as period_from, ${b} as period_to, {UNIT_KEYS},
               sum(maintained_start) as maintained_start, sum(maintained_end) as maintained_end,
               sum(churned) as churned, sum(upgraded) as upgraded, sum(covered_end) as covered_end,
               sum(with_products_end) as with_products_end, sum(aum_start) as aum_start, sum(aum_end) as aum_end
        from parts group by {UNIT_KEYS}
    )
    select * from per_unit
"""
