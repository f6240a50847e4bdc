"""Per period: the tier summary (customers, AUM, maintained, covered per unit x card level x tier), the AUM band
summary of the concentration (二八) analysis, and the directory of units with their names and roles.

Grain: period x region x sub-branch x branch x manager (x tier); any coarser unit, and any branch scope, is a
group-by over these rows.
"""

from __future__ import annotations

from datetime import date

import duckdb

from analytics.core.policy import Policy
from analytics.store.derived.query import Query, insert

# lower bounds (CNY) of the AUM bands of the concentration (二八) analysis; band 0 is everything below 0
BAND_FLOORS: tuple[int, ...] = (
    0,
    100,
    1_000,
    10_000,
    50_000,
    100_000,
    200_000,
    500_000,
    1_000_000,
    2_000_000,
    5_000_000,
    10_000_000,
)

UNIT_KEYS = "region, sub_branch, branch_id, manager_id"


def tier_expression(policy: Policy, amount: str) -> tuple[str, dict]:
    """CASE placing `amount` in a tier rank (bounds belong to the upper tier; below the lowest is rank 0), and its
    parameters ($tier_min_<rank>)."""
    whens = " ".join(f"when {amount} >= $tier_min_{t.rank} then {t.rank}" for t in reversed(policy.tiers[1:]))
    return (
        f"case when status = 'closed' then null {whens} else 0 end",
        {f"tier_min_{t.rank}": t.min_aum for t in policy.tiers[1:]},
    )


def band_expression() -> str:
    whens = " ".join(f"when aum >= {floor} then {band}" for band, floor in reversed(list(enumerate(BAND_FLOORS, 1))))
    return f"case {whens} else 0 end"


def tier_summary_query(policy: Policy, period: date) -> Query:
    return Query(
        "tier_summary",
        f"""
        with present as (
            select {UNIT_KEYS}, card_level, tier, aum, product_count, phone, maintained_rules > 0 as maintained,
                   (maintained_rules & 1) = 0 as beyond_tier
            from customer_snapshot
            where period = $period and status <> 'closed'
        ),
        final as (
            select $period as period, {UNIT_KEYS}, card_level, tier,
                   count(*) as customers,
                   sum(aum) as aum,
                   sum(case when maintained then 1 else 0 end) as maintained,
                   sum(case when maintained and product_count >= $coverage_min then 1 else 0 end) as covered,
                   sum(case when maintained and product_count is not null then 1 else 0 end) as with_products,
                   sum(case when phone is null then 1 else 0 end) as no_phone,
                   sum(case when aum < $floor then 1 else 0 end) as below_floor,
                   coalesce(sum(case when maintained then aum end), 0) as maintained_aum,
                   sum(case when maintained and beyond_tier then 1 else 0 end) as maintained_beyond_tier
            from present
            group by {UNIT_KEYS}, card_level, tier
        )
        select * from final
    """,
        {"period": period, "coverage_min": policy.coverage_min_products, "floor": policy.attrition_floor},
    )


def band_summary_query(period: date) -> Query:
    return Query(
        "band_summary",
        f"""
        with present as (
            select {UNIT_KEYS}, aum, {band_expression()} as band
            from customer_snapshot
            where period = $period and status <> 'closed'
        ),
        final as (
            select $period as period, {UNIT_KEYS}, band, count(*) as customers, sum(aum) as aum
            from present
            group by {UNIT_KEYS}, band
        )
        select * from final
    """,
        {"period": period},
    )


def segment_summary_query(period: date) -> Query:
    return Query(
        "segment_summary",
        """
        with present as (
            select branch_id, manager_id, tier, relationship, preference, aum
            from customer_snapshot
            where period = $period and status <> 'closed'
        ),
        final as (
            select $period as period, branch_id, manager_id, tier, relationship, preference,
                   count(*) as customers, sum(aum) as aum
            from present
            group by branch_id, manager_id, tier, relationship, preference
        )
        select * from final
    """,
        {"period": period},
    )


def unit_directory_query(period: date) -> Query:
    return Query(
        "unit_directory",
        f"""
        with rows_of_period as (
            select {UNIT_KEYS}, branch_name, manager_name, manager_role
            from customer_snapshot
            where period = $period and status <> 'closed'
        ),
        final as (
            select $period as period, region, sub_branch, branch_id, max(branch_name) as branch_name,
                   manager_id, max(manager_name) as manager_name, max(manager_role) as manager_role,
                   count(*) as customers
            from rows_of_period
            group by {UNIT_KEYS}
        )
        select * from final
    """,
        {"period": period},
    )


def period_queries(policy: Policy, period: date) -> list[Query]:
    """The queries of the period's tier, band and segment summaries and unit directory."""
    return [
        tier_summary_query(policy, period),
        band_summary_query(period),
        segment_summary_query(period),
        unit_directory_query(period),
    ]


def build_period(con: duckdb.DuckDBPyConnection, policy: Policy, period: date) -> None:
    for query in period_queries(policy, period):
        insert(con, query)
