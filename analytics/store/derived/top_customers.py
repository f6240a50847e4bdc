"""The explorer's opening list, kept at load: the bank's largest present customers by AUM at each period.

Headquarters' explorer opens on every present customer ordered by AUM, largest first (then by customer number).
At ten million customers that ordering costs seconds; the load keeps the first DEPTH customers, from which the
first pages are read. Narrower scopes (a branch, a manager) sort their own customers live.
"""

from __future__ import annotations

from datetime import date

import duckdb

from analytics.core.policy_rules import maintained_by_sql
from analytics.core.scope import Scope
from analytics.store.derived.query import Query, insert
from analytics.store.schema import PERSON

DEPTH = 1000  # customers kept per period: the first 20 pages of 50
LISTED = (*PERSON, "tier", "maintained_by", "relationship", "preference", "age", "aum", "product_count")
_COMPUTED = {"tier": "d.code as tier", "maintained_by": f"{maintained_by_sql('r.maintained_rules')} as maintained_by"}


def query(period: date) -> Query:
    return Query(
        "top_customers",
        f"""
        with largest as (
            select * from customer_snapshot
            where period = $period and status <> 'closed'
            order by aum desc, customer_id limit $depth
        ),
        ranked as (
            select *, row_number() over (order by aum desc, customer_id) as position from largest
        ),
        final as (
            select r.period, r.position, {", ".join(_COMPUTED.get(c, f"r.{c}") for c in LISTED)}
            from ranked r join tier_def d on d.rank = r.tier
        )
        select * from final
    """,
        {"period": period, "depth": DEPTH},
    )


def build(con: duckdb.DuckDBPyConnection, period: date) -> None:
    insert(con, query(period))


def answers(scope: Scope, offset: int, limit: int | None) -> bool:
    """Whether the kept rows hold this page of the opening list for `scope` (the whole bank only)."""
    return scope == Scope() and limit is not None and offset + limit <= DEPTH


SOURCE_SQL = f"select {', '.join(LISTED)} from top_customers where period = $period"
TOTAL_SQL = "select coalesce(sum(customers), 0) as n from tier_summary where period = $period"  # present customers
