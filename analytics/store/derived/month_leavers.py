"""The customers who left at each month end, kept at load: maintained at the month end before and closed or gone
at this one, one row each with their row of the month end before (unit, person, tier, AUM, maintained rules).

The workbench's call list names them (reason churned) under last month's branch and manager; found live, they cost
an anti-join of two whole months (a second at ten million customers, whatever the scope). Sorted by unit, so that
a branch's leavers are a range scan. A month end whose month before is not loaded has none.
"""

from __future__ import annotations

from datetime import date

from analytics.core.periods import add_months
from analytics.store.derived.query import Query
from analytics.store.schema import PERSON

TABLE = "month_leavers"


def query(period: date) -> Query:
    return Query(
        TABLE,
        f"""
        with leaving as (
            select {", ".join(f"c.{p}" for p in PERSON)}, c.tier, c.aum as aum_before,
                   c.maintained_rules as rules_before
            from customer_snapshot c
            where c.period = $before and c.status <> 'closed' and c.maintained_rules > 0
              and not exists (select 1 from customer_snapshot x where x.customer_id = c.customer_id
                              and x.period = $period and x.status <> 'closed')
        ),
        final as (
            select $period as period, {", ".join(PERSON)}, tier, aum_before, rules_before
            from leaving
            order by branch_id, customer_id
        )
        select * from final
    """,
        {"period": period, "before": add_months(period, -1)},
    )


def periods_affected(loaded: list[date], stale: set[date]) -> set[date]:
    """The loaded month ends whose leavers a change to the `stale` month ends can alter: those and the month after
    each."""
    return {p for p in loaded if p in stale or add_months(p, -1) in stale}
