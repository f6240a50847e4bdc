"""Rebuild the derived tables of the periods a load changed, inside the load's transaction, so that dashboard
aggregates are lookups.

Each table's rows come from one query (derived.query.Query) that the warehouse renders for Spark SQL as well
(derived.dialect); derived.plan lists them.
"""

from __future__ import annotations

from datetime import date

import duckdb

from analytics.core.periods import quarter_ends
from analytics.core.policy import Policy
from analytics.store.derived import cohorts, month_leavers, pair_customers
from analytics.store.derived.pairs import build_pair, pairs_wanted
from analytics.store.derived.plan import period_queries
from analytics.store.derived.query import insert

PERIOD_TABLES = (
    "tier_summary",
    "segment_summary",
    "band_summary",
    "unit_directory",
    "concentration_summary",
    "top_customers",
)
# the period tables that read only the rows' amounts, statuses and units, never a tier, rule or type: a new policy
# leaves them as they are
POLICY_FREE = frozenset({"band_summary", "unit_directory", "concentration_summary"})


def refresh(
    con: duckdb.DuckDBPyConnection, policy: Policy, changed: set[date] | None, rows_changed: bool = True
) -> None:
    """Rebuild the derived rows of the changed periods (all when None) and of every pair touching them.
    rows_changed=False: only the tiers, rules and types of the rows changed (a new policy), so the POLICY_FREE
    tables are kept."""
    # on the load's own connection: a cursor would not see the transaction's rows
    all_periods = [row[0] for row in con.execute("select period from period_source order by period").fetchall()]
    stale = set(all_periods) if changed is None else set(changed)
    rebuilt = [t for t in PERIOD_TABLES if rows_changed or t not in POLICY_FREE]
    for table in rebuilt:
        _delete_periods(con, table, "period", stale)
    for period in sorted(stale & set(all_periods)):
        for query in period_queries(policy, period):
            if query.table in rebuilt:
                insert(con, query)
    leavers_stale = month_leavers.periods_affected(all_periods, stale)
    _delete_periods(con, month_leavers.TABLE, "period", leavers_stale | (stale - set(all_periods)))
    for period in sorted(leavers_stale):
        insert(con, month_leavers.query(period))
    if changed is None or stale & set(quarter_ends(all_periods)):
        cohorts.rebuild(con, all_periods)
    wanted = pairs_wanted(all_periods)
    built = {(a, b) for a, b in con.execute("select period_from, period_to from period_pair").fetchall()}
    keep = {(a, b) for a, b, _ in wanted if a not in stale and b not in stale}
    for a, b in built - keep:
        for table in ("migration_summary", "scorecard_summary", "period_pair"):
            con.execute(f"delete from {table} where period_from = $a and period_to = $b", {"a": a, "b": b})
    for a, b, kind in wanted:
        if (a, b) not in keep or (a, b) not in built:
            build_pair(con, policy, a, b)
            con.execute("insert into period_pair values ($a, $b, $kind)", {"a": a, "b": b, "kind": kind})
    pair_customers.refresh(con, all_periods, stale, rows_changed)  # DuckDB only: not part of the warehouse build


def _delete_periods(con: duckdb.DuckDBPyConnection, table: str, column: str, periods: set[date]) -> None:
    if periods:
        con.execute(
            f"delete from {table} where {column} in (select unnest($periods::date[]))", {"periods": sorted(periods)}
        )
