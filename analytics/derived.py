"""Derived tables built inside the load transaction, so that dashboard aggregates are lookups.

The SQL here is portable standard SQL (CTEs, CASE, joins, group by; no DuckDB-only syntax) so that a
warehouse can build the same tables with Spark SQL. Grain: period (or pair) x region x sub-branch x branch x
manager x tier; any coarser unit, and any branch scope, is a group-by over these rows.
"""
from __future__ import annotations

from datetime import date

import duckdb

from analytics import concentration, retention, top_customers
from analytics.periods import quarter_ends
from analytics.policy import Policy
from analytics.store import EXITED, NEW, TOTAL

# lower bounds (CNY) of the AUM bands of the concentration (二八) analysis; band 0 is everything below 0
BAND_FLOORS: tuple[int, ...] = (0, 100, 1_000, 10_000, 50_000, 100_000, 200_000, 500_000, 1_000_000,
                                2_000_000, 5_000_000, 10_000_000)

UNIT_KEYS = "region, sub_branch, branch_id, manager_id"


def tier_expression(policy: Policy, amount: str) -> tuple[str, list]:
    """CASE placing `amount` in a tier rank (bounds belong to the upper tier; below the lowest is rank 0)."""
    whens = " ".join(f"when {amount} >= ? then {t.rank}" for t in reversed(policy.tiers[1:]))
    return f"case when status = 'closed' then null {whens} else 0 end", [t.min_aum for t in reversed(policy.tiers[1:])]


def band_expression() -> str:
    whens = " ".join(f"when aum >= {floor} then {band}" for band, floor in reversed(list(enumerate(BAND_FLOORS, 1))))
    return f"case {whens} else 0 end"


def pairs_wanted(periods: list[date]) -> list[tuple[date, date, str]]:
    """Consecutive loaded periods, and consecutive quarter ends (the scorecard's default pairs)."""
    pairs = [(a, b, "consecutive") for a, b in zip(periods, periods[1:])]
    quarter_ends = [p for p in periods if p.month % 3 == 0]
    for a, b in zip(quarter_ends, quarter_ends[1:]):
        months = (b.year - a.year) * 12 + b.month - a.month
        if months == 3 and (a, b, "consecutive") not in pairs:
            pairs.append((a, b, "quarter"))
    return pairs


def refresh(con: duckdb.DuckDBPyConnection, policy: Policy, changed: set[date] | None) -> None:
    """Rebuild the derived rows of the changed periods (all when None) and of every pair touching them."""
    all_periods = [r[0] for r in con.execute("select period from period_source order by period").fetchall()]
    stale = set(all_periods) if changed is None else set(changed)
    for table in ("tier_summary", "band_summary", "unit_directory", "concentration_summary", "top_customers"):
        _delete_periods(con, table, "period", stale)
    for period in sorted(stale & set(all_periods)):
        _build_period(con, policy, period)
    if changed is None or stale & set(quarter_ends(all_periods)):
        retention.rebuild(con, policy, all_periods)
    wanted = pairs_wanted(all_periods)
    built = {(a, b) for a, b in con.execute("select period_from, period_to from period_pair").fetchall()}
    keep = {(a, b) for a, b, _ in wanted if a not in stale and b not in stale}
    for a, b in built - keep:
        con.execute("delete from migration_summary where period_from = ? and period_to = ?", [a, b])
        con.execute("delete from scorecard_summary where period_from = ? and period_to = ?", [a, b])
        con.execute("delete from period_pair where period_from = ? and period_to = ?", [a, b])
    for a, b, kind in wanted:
        if (a, b) not in keep or (a, b) not in built:
            _build_pair(con, policy, a, b)
            con.execute("insert into period_pair values (?, ?, ?)", [a, b, kind])


def _delete_periods(con: duckdb.DuckDBPyConnection, table: str, column: str, periods: set[date]) -> None:
    if periods:
        con.execute(f"delete from {table} where {column} in (select unnest(?::date[]))", [sorted(periods)])


def _build_period(con: duckdb.DuckDBPyConnection, policy: Policy, period: date) -> None:
    concentration.build(con, period)
    top_customers.build(con, period)
    con.execute(f"""
        insert into tier_summary
        with present as (
            select {UNIT_KEYS}, card_level, tier, aum, product_count, phone
            from customer_snapshot
            where period = ? and status <> 'closed'
        ),
        final as (
            select ? as period, {UNIT_KEYS}, card_level, tier,
                   count(*) as customers,
                   sum(aum) as aum,
                   sum(case when tier >= ? then 1 else 0 end) as maintained,
                   sum(case when tier >= ? and product_count >= ? then 1 else 0 end) as covered,
                   sum(case when tier >= ? and product_count is not null then 1 else 0 end) as with_products,
                   sum(case when phone is null then 1 else 0 end) as no_phone,
                   sum(case when aum < ? then 1 else 0 end) as below_floor
            from present
            group by {UNIT_KEYS}, card_level, tier
        )
        select * from final
    """, [period, period, policy.maintained_rank, policy.maintained_rank, policy.coverage_min_products,
          policy.maintained_rank, policy.attrition_floor])
    con.execute(f"""
        insert into band_summary
        with present as (
            select {UNIT_KEYS}, aum, {band_expression()} as band
            from customer_snapshot
            where period = ? and status <> 'closed'
        ),
        final as (
            select ? as period, {UNIT_KEYS}, band, count(*) as customers, sum(aum) as aum
            from present
            group by {UNIT_KEYS}, band
        )
        select * from final
    """, [period, period])
    con.execute(f"""
        insert into unit_directory
        with rows_of_period as (
            select {UNIT_KEYS}, branch_name, manager_name, manager_role
            from customer_snapshot
            where period = ? and status <> 'closed'
        ),
        final as (
            select ? as period, region, sub_branch, branch_id, max(branch_name) as branch_name,
                   manager_id, max(manager_name) as manager_name, max(manager_role) as manager_role,
                   count(*) as customers
            from rows_of_period
            group by {UNIT_KEYS}
        )
        select * from final
    """, [period, period])


def pair_summary_sql(a: str, b: str) -> str:
    """The migration_summary rows of the pair (a, b), given as SQL expressions; the floor is $floor.

    Units are the customer's at the start, or at the end for a customer new at the end."""
    return f"""
        with start as (
            select customer_id, {UNIT_KEYS}, tier, aum
            from customer_snapshot where period = {a} and status <> 'closed'
        ),
        finish as (
            select customer_id, {UNIT_KEYS}, tier, aum
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
                case when s.customer_id is not null and (f.customer_id is null or f.aum < $floor) then 1 else 0 end
                    as attrited
            from start s full outer join finish f on s.customer_id = f.customer_id
        ),
        final as (
            select {a} as period_from, {b} as period_to, {UNIT_KEYS}, from_tier, to_tier,
                   count(*) as customers, sum(aum_from) as aum_from, sum(aum_to) as aum_to,
                   sum(attrited) as attrited
            from joined
            group by {UNIT_KEYS}, from_tier, to_tier
        )
        select * from final
    """


def _build_pair(con: duckdb.DuckDBPyConnection, policy: Policy, a: date, b: date) -> None:
    con.execute("insert into migration_summary " + pair_summary_sql("$a::date", "$b::date"),
                {"a": a, "b": b, "floor": policy.attrition_floor})
    counts = scorecard_counts_sql("select * from migration_summary where period_from = $a and period_to = $b")
    con.execute("insert into scorecard_summary " + counts, {"a": a, "b": b, "m": policy.maintained_rank})


def scorecard_counts_sql(pair_rows: str) -> str:
    """The scorecard's counts per unit of the finest level (region, sub-branch, branch, manager) between $a and
    $b ($m: the maintained tier rank), from `pair_rows` (migration_summary rows of the pair) and the two month
    ends' tier summaries (see scorecard.scorecard for the 口径): flows are credited to the unit at the start,
    stocks to the unit at each end; a coarser level is the sum of its rows."""
    return f"""
    with pair as ({pair_rows}),
    parts as (
        select {UNIT_KEYS}, 0 as maintained_start, 0 as maintained_end,
               sum(case when to_tier < $m then customers else 0 end) as churned,
               sum(case when to_tier > from_tier then customers else 0 end) as upgraded,
               0 as covered_end, 0 as with_products_end, 0::{TOTAL} as aum_start, 0::{TOTAL} as aum_end
        from pair where from_tier >= $m
        group by all
        union all
        select {UNIT_KEYS}, sum(maintained), 0, 0, 0, 0, 0, sum(case when tier >= $m then aum else 0 end), 0
        from tier_summary where period = $a group by all
        union all
        select {UNIT_KEYS}, 0, sum(maintained), 0, 0, sum(covered), sum(with_products), 0,
               sum(case when tier >= $m then aum else 0 end)
        from tier_summary where period = $b group by all
    ),
    per_unit as (
        select $a as period_from, $b as period_to, {UNIT_KEYS},
               sum(maintained_start) as maintained_start, sum(maintained_end) as maintained_end,
               sum(churned) as churned, sum(upgraded) as upgraded, sum(covered_end) as covered_end,
               sum(with_products_end) as with_products_end, sum(aum_start) as aum_start, sum(aum_end) as aum_end
        from parts group by {UNIT_KEYS}
    )
    select * from per_unit
"""
