"""What is loaded: the periods, their customers and AUM, the load history, and the version of the data."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics.core.periods import comparable_quarters
from analytics.core.scope import Scope
from analytics.core.sql import fetch, fetch_rows


def period_totals(con: duckdb.DuckDBPyConnection, scope: Scope = Scope()) -> pd.DataFrame:
    """Per loaded period: customers present (status not closed) and their AUM, within the scope.

    Returns columns: period, customers, maintained, aum.
    """
    condition, params = scope.sql()
    return fetch(
        con,
        f"""
        with visible as (
            select period, customers, maintained, aum from tier_summary where {condition}
        ),
        final as (
            select period, sum(customers) as customers, sum(maintained) as maintained, sum(aum) as aum
            from visible group by period
        )
        select * from final order by period
    """,
        params,
    )


def load_history(con: duckdb.DuckDBPyConnection, limit: int = 200) -> pd.DataFrame:
    """The most recent loads: file, SHA-256, periods, rows, AUM total, policy, outcome, problems, time."""
    return fetch(
        con,
        """
        select load_id, loaded_at, file_name, sha256, periods, rows, aum_total, policy_sha256, outcome, problems,
               message
        from load_log order by load_id desc limit $limit
    """,
        {"limit": limit},
    )


def period_quality(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per loaded period: rows and AUM as loaded (of every branch), the files they came from, and months missing
    before it."""
    return fetch(
        con,
        """
        with loaded as (
            select period, rows, aum_total, file_name, lag(period) over (order by period) as previous
            from period_source
        ),
        final as (
            select period, rows, aum_total, file_name,
                   case when previous is null then 0
                        else (year(period) - year(previous)) * 12 + month(period) - month(previous) - 1
                   end as months_missing_before
            from loaded
        )
        select * from final order by period
    """,
    )


def loaded_periods(con: duckdb.DuckDBPyConnection) -> list[date]:
    """The loaded month ends, oldest first."""
    return [row[0] for row in fetch_rows(con, "select period from period_source order by period")]


def quarters(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Quarters that can be compared (a loaded period in the quarter and in the previous one), newest first."""
    return [str(q) for q in comparable_quarters(loaded_periods(con))]


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """Changes whenever a load or a new policy changes what the analytics return (latest load id, policy)."""
    rows = fetch_rows(
        con, "select coalesce(max(load_id), 0) as v, (select max(sha256) from policy_in_force) as p from load_log"
    )
    return f"{rows[0][0]}:{rows[0][1]}"
