"""Lorenz curve and Gini coefficient of AUM: one exact query, kept at load for the whole bank.

Both need every present customer ordered by AUM, which at ten million customers is a sort of seconds; the load
stores the whole bank's answer per period in concentration_summary (headquarters' view), and any narrower scope
runs the same query live over its own customers (a branch: tens of milliseconds).
"""

from __future__ import annotations

from datetime import date

import duckdb

from analytics.store.derived.query import Query, insert

POINTS = 100  # points of a stored curve, plus (0, 0)
WHOLE = "$whole"  # the unit expression of a scope taken as one unit; bound to 'all'


def summary_sql(unit: str, condition: str) -> str:
    """Per unit (`unit`: SQL over customer_snapshot) at $period: customers, aum, gini and the curve (about
    $points points, each {customer_share, aum_share}), over the present customers matching `condition`.

    口径: customers present at the month end (status not closed), ordered by period-end AUM, negative balances
    counted as 0; G = 1 - (2·Σ cumulative AUM - total) / (n · total), exact over all customers."""
    return f"""
        with present as (
            select {unit} as unit, greatest(aum, 0) as x from customer_snapshot
            where period = $period and status <> 'closed' and {condition}
        ),
        ordered as (
            select unit, x,
                   row_number() over (partition by unit order by x) as i,
                   count(*) over (partition by unit) as n,
                   sum(x) over (partition by unit order by x rows between unbounded preceding and current row)
                       as cumulative,
                   sum(x) over (partition by unit) as total
            from present
        ),
        final as (
            select unit, count(*) as customers, sum(x) as aum,
                   1 - (2 * sum(cumulative) - sum(x))::double / nullif(count(*) * sum(x), 0)::double as gini,
                   list_sort(list({{'customer_share': i::double / n::double,
                                    'aum_share': cumulative::double / nullif(total, 0)::double}})
                             filter (where (i * $points) // n > ((i - 1) * $points) // n)) as curve
            from ordered group by unit
        )
        select * from final
    """


def query(period: date) -> Query:
    """The period's summary for the whole bank (the curve ordered by customer share, that is by rank)."""
    return Query(
        "concentration_summary",
        f"select $period as period, customers, aum, gini, curve from ({summary_sql(WHOLE, 'true')})",
        {"period": period, "points": POINTS, "whole": "all"},
    )


def build(con: duckdb.DuckDBPyConnection, period: date) -> None:
    """Store the period's summary for the whole bank."""
    insert(con, query(period))
