"""The explorer's opening list, kept at load: each branch's largest present customers by AUM at each period.

The explorer opens on every present customer ordered by AUM, largest first. At ten million customers that is
a sort of the whole month end; the load keeps each branch's first DEPTH customers in that order instead, and any
set of whole branches reads its first pages from them: the first n of a union of branches are among the
branches' own first n, ordered the same way (AUM descending, then customer number).
"""
from __future__ import annotations

from datetime import date

import duckdb

from analytics.scope import Scope

DEPTH = 1000  # customers kept per branch and period: the first 20 pages of 50
LISTED = ("customer_id", "customer_name", "id_number", "phone", "branch_id", "branch_name", "manager_id",
          "manager_name", "card_level", "tier", "age", "aum", "product_count")


def build(con: duckdb.DuckDBPyConnection, period: date) -> None:
    con.execute(f"""
        insert into top_customers
        with ranked as (
            select c.*, row_number() over (partition by c.branch_id order by c.aum desc, c.customer_id) as position
            from customer_snapshot c
            where c.period = $period and c.status <> 'closed'
        ),
        final as (
            select r.period, r.position, {", ".join(f"d.code as tier" if c == "tier" else f"r.{c}" for c in LISTED)}
            from ranked r join tier_def d on d.rank = r.tier
            where r.position <= $depth
        )
        select * from final
    """, {"period": period, "depth": DEPTH})


def answers(scope: Scope, offset: int, limit: int | None) -> bool:
    """Whether the kept rows hold this page of the opening list for `scope` (whole branches only)."""
    return scope.managers is None and limit is not None and offset + limit <= DEPTH


def source_sql(condition: str) -> str:
    """A select of the kept rows at $period within `condition` (on branch_id), with the explorer's columns."""
    return f"select {', '.join(LISTED)} from top_customers where period = $period and {condition}"


def total_sql(condition: str) -> str:
    """The number of present customers at $period within `condition`, from the tier summary."""
    return f"select coalesce(sum(customers), 0) as n from tier_summary where period = $period and {condition}"
