"""Cohorts on quarter ends, kept at load: the retention triangle's cells per unit of entry, and the first events
(churn or downgrade) of the default survival cohort per unit at the start. They change only when a quarter-end
month end does."""

from __future__ import annotations

from datetime import date

import duckdb

from analytics.core.periods import Quarter, quarter_ends
from analytics.store.derived.query import Query, insert


def triangle_cells_sql() -> str:
    """The triangle's cells per unit of entry (branch_id, manager_id), over $ends / $ordinals (quarter ends)."""
    return """
        with quarter_end as (
            select unnest($ends::date[]) as period, unnest($ordinals::int[]) as q
        ),
        status as (
            select c.customer_id, e.q, c.branch_id, c.manager_id,
                   c.status <> 'closed' and coalesce(c.maintained_rules > 0, false) as maintained
            from customer_snapshot c join quarter_end e using (period)
        ),
        entered as (
            select entry.customer_id, entry.q as cohort, entry.branch_id, entry.manager_id
            from status entry
            left join status earlier on earlier.customer_id = entry.customer_id and earlier.q = entry.q - 1
            where entry.maintained and not coalesce(earlier.maintained, false)
              and entry.q - 1 in (select q from quarter_end)
        ),
        followed as (
            select entered.cohort, later.q, later.period, entered.customer_id, entered.branch_id, entered.manager_id
            from entered join quarter_end later on later.q >= entered.cohort
        ),
        final as (
            select f.cohort, f.q - f.cohort as quarters_after, f.period, f.branch_id, f.manager_id,
                   count(*) as cohort_size, count(*) filter (where s.maintained) as retained
            from followed f left join status s on s.customer_id = f.customer_id and s.q = f.q
            group by f.cohort, f.q - f.cohort, f.period, f.branch_id, f.manager_id
        )
        select * from final
    """


def ends_followed(periods: list[date], start: date) -> list[date]:
    """The quarter ends after `start`, as long as each is loaded."""
    follow = []
    for k in range(len(periods) + 1):
        day = Quarter.of(start).shift(k).end()
        if day <= start:
            continue
        if day not in periods:
            break
        follow.append(day)
    return follow


def follow_params(start: date, follow: list[date]) -> dict:
    """The parameters of first_events_sql: the start, the quarter ends followed as a list and one by one."""
    return {
        "start": start,
        "follow": follow,
        "steps": list(range(1, len(follow) + 1)),
    } | {f"follow_{i}": day for i, day in enumerate(follow)}


def first_events_sql(condition: str, followed: int) -> str:
    """Customers maintained at $start counted by unit at the start, tier at the start and first event (k, event),
    over `followed` quarter ends. The later rows are read by their periods one by one ($follow_<i>), which DuckDB
    turns into a filter of the scan: joined on the list alone it reads every month between the first and the last."""
    periods = f"period in ({', '.join(f'$follow_{i}' for i in range(followed))})" if followed else "false"
    later_rows = f"(select customer_id, period, status, maintained_rules, tier from customer_snapshot where {periods})"
    return f"""
        with cohort as (
            select customer_id, tier as start_tier, branch_id, manager_id from customer_snapshot
            where period = $start and status <> 'closed' and maintained_rules > 0 and {condition}
        ),
        later as (
            select unnest($follow::date[]) as period, unnest($steps::int[]) as k
        ),
        followed as (
            select cohort.customer_id, cohort.start_tier, later.k,
                   case when s.customer_id is null or s.status = 'closed' or s.maintained_rules = 0 then 'churned'
                        when s.tier < cohort.start_tier then 'downgraded' end as event
            from cohort cross join later
            left join {later_rows} s on s.customer_id = cohort.customer_id and s.period = later.period
        ),
        first_event as (
            select c.customer_id, c.start_tier, c.branch_id, c.manager_id,
                   min(f.k) filter (where f.event is not null) as k,
                   arg_min(f.event, f.k) filter (where f.event is not null) as event
            from cohort c left join followed f using (customer_id)
            group by c.customer_id, c.start_tier, c.branch_id, c.manager_id
        ),
        final as (
            select branch_id, manager_id, start_tier, k, event, count(*) as customers
            from first_event group by branch_id, manager_id, start_tier, k, event
        )
        select * from final
    """


def triangle_query(periods: list[date]) -> Query | None:
    """The retention triangle's cells over the loaded quarter ends; None without any."""
    ends = quarter_ends(periods)
    if not ends:
        return None
    return Query(
        "retention_summary",
        "select cohort, quarters_after, period, branch_id, manager_id, cohort_size, retained "
        f"from ({triangle_cells_sql()})",
        {"ends": ends, "ordinals": [Quarter.of(p).ordinal for p in ends]},
    )


def survival_query(periods: list[date]) -> Query | None:
    """The first events of the default survival cohort (maintained at the first quarter end); None without one."""
    ends = quarter_ends(periods)
    if not ends:
        return None
    follow = ends_followed(periods, ends[0])
    return Query(
        "survival_summary",
        "select $start as start, branch_id, manager_id, start_tier, k, event, customers "
        f"from ({first_events_sql('true', len(follow))})",
        follow_params(ends[0], follow),
    )


def queries(periods: list[date]) -> list[Query]:
    return [q for q in (triangle_query(periods), survival_query(periods)) if q is not None]


def rebuild(con: duckdb.DuckDBPyConnection, periods: list[date]) -> None:
    """Count the triangle's cells and the default survival cohort's first events per unit (inside the load's
    transaction; they change only when a quarter-end month end does)."""
    con.execute("delete from retention_summary")
    con.execute("delete from survival_summary")
    for query in queries(periods):
        insert(con, query)
