"""Retention of newly maintained customers (the triangle) and survival by starting tier, on quarter ends."""
from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics.periods import Quarter, loaded_periods, quarter_ends, require_period
from analytics.policy import Policy
from analytics.query import fetch
from analytics.scope import Scope
from analytics.store import current_policy


def retention_triangle(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Of the customers who became maintained in a quarter, the share still maintained k quarters later.

    口径: cohort of quarter Q = customers maintained at Q's last month end and not maintained (or not present)
    at the previous quarter's last month end; counted on the unit of the month end they became maintained.
    retained after k quarters = cohort members maintained at the last month end of quarter Q+k (a point-in-time
    count: a customer who dipped in between and came back counts as retained). Only quarters whose quarter-end
    month ends are loaded take part. Returns columns: cohort (e.g. 2026Q2), quarters_after, period, cohort_size,
    retained, retention_rate.
    """
    condition, params = scope.sql()
    frame = fetch(con, f"""
        select cohort, quarters_after, period, sum(cohort_size)::bigint as cohort_size,
               sum(retained)::bigint as retained
        from retention_summary where {condition}
        group by all order by cohort, quarters_after
    """, params)
    frame["retention_rate"] = frame["retained"] / frame["cohort_size"]
    frame["cohort"] = [str(Quarter(o // 4, o % 4 + 1)) for o in frame["cohort"]]
    return frame


def _triangle_cells_sql() -> str:
    """The triangle's cells per unit of entry (branch_id, manager_id), over $ends / $ordinals (quarter ends)."""
    return """
        with quarter_end as (
            select unnest($ends::date[]) as period, unnest($ordinals::int[]) as q
        ),
        status as (
            select c.customer_id, e.q, c.branch_id, c.manager_id,
                   c.status <> 'closed' and coalesce(c.tier >= $maintained, false) as maintained
            from customer_snapshot c join quarter_end e using (period)
        ),
        entered as (
            select entry.customer_id, entry.q as cohort, entry.branch_id, entry.manager_id
            from status entry
            left join status before on before.customer_id = entry.customer_id and before.q = entry.q - 1
            where entry.maintained and not coalesce(before.maintained, false)
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
            group by all
        )
        select * from final
    """


def survival_by_tier(con: duckdb.DuckDBPyConnection, scope: Scope, start: date | str | None = None) -> pd.DataFrame:
    """How customers maintained at `start` fare quarter by quarter, by their tier at `start`: churn and downgrade
    as competing first events.

    口径: cohort = customers maintained at `start` (default: the earliest loaded quarter end), by unit and tier
    at `start`; followed on each following quarter end (consecutive quarters loaded). At each quarter end a
    customer not yet out has churned (not maintained: left, closed or below the maintained range) or
    downgraded (maintained, in a lower tier than at `start`); the first event ends the follow-up. survival =
    share with no event yet; churn_incidence / downgrade_incidence = cumulative share whose first event was
    churn / downgrade (the three add up to 1). Counted on discrete quarters: snapshots only show the quarter in
    which an event happened. Returns columns: tier, tier_rank, quarters_after, period, at_risk, churned,
    downgraded, survival, churn_incidence, downgrade_incidence.
    """
    periods = loaded_periods(con)
    ends = quarter_ends(periods)
    if start is None and not ends:
        raise ValueError("no quarter end loaded")
    start = require_period(periods, start or ends[0])
    follow = _follow(periods, start)
    policy = current_policy(con)
    condition, params = scope.sql()
    source = ("select * from survival_summary where start = $start" if ends and start == ends[0]  # kept at load
              else _first_events_sql(condition))
    events = fetch(con, f"""
        select start_tier, k, event, sum(customers)::bigint as customers from ({source})
        where {condition} group by all
    """, params | _follow_params(start, follow, policy))
    codes = [t.code for t in policy.tiers]
    rows = []
    for tier in sorted(set(events["start_tier"])):
        mine = events[events["start_tier"] == tier]
        size = int(mine["customers"].sum())
        out = {"churned": 0, "downgraded": 0}
        for k in range(len(follow) + 1):
            at_risk = size - out["churned"] - out["downgraded"]
            step = {e: int(mine.loc[(mine["k"] == k) & (mine["event"] == e), "customers"].sum()) for e in out}
            for e in out:
                out[e] += step[e]
            rows.append((codes[tier], tier, k, follow[k - 1] if k else start, at_risk, step["churned"],
                         step["downgraded"], 1 - (out["churned"] + out["downgraded"]) / size,
                         out["churned"] / size, out["downgraded"] / size))
    return pd.DataFrame(rows, columns=["tier", "tier_rank", "quarters_after", "period", "at_risk", "churned",
                                       "downgraded", "survival", "churn_incidence", "downgrade_incidence"])


def _follow(periods: list[date], start: date) -> list[date]:
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


def _follow_params(start: date, follow: list[date], policy: Policy) -> dict:
    return {"start": start, "follow": follow, "steps": list(range(1, len(follow) + 1)),
            "maintained": policy.maintained_rank}


def _first_events_sql(condition: str) -> str:
    """Customers maintained at $start counted by unit at the start, tier at the start and first event (k, event)."""
    return f"""
        with cohort as (
            select customer_id, tier as start_tier, branch_id, manager_id from customer_snapshot
            where period = $start and status <> 'closed' and tier >= $maintained and {condition}
        ),
        later as (
            select unnest($follow::date[]) as period, unnest($steps::int[]) as k
        ),
        followed as (
            select cohort.customer_id, cohort.start_tier, later.k,
                   case when s.customer_id is null or s.status = 'closed' or s.tier < $maintained then 'churned'
                        when s.tier < cohort.start_tier then 'downgraded' end as event
            from cohort cross join later
            left join customer_snapshot s on s.customer_id = cohort.customer_id and s.period = later.period
        ),
        first_event as (
            select c.customer_id, c.start_tier, c.branch_id, c.manager_id,
                   min(f.k) filter (where f.event is not null) as k,
                   arg_min(f.event, f.k) filter (where f.event is not null) as event
            from cohort c left join followed f using (customer_id)
            group by c.customer_id, c.start_tier, c.branch_id, c.manager_id
        ),
        final as (
            select branch_id, manager_id, start_tier, k, event, count(*) as customers from first_event group by all
        )
        select * from final
    """


def rebuild(con: duckdb.DuckDBPyConnection, policy: Policy, periods: list[date]) -> None:
    """Count the triangle's cells and the default survival cohort's first events per unit (inside the load's
    transaction; they change only when a quarter-end month end does)."""
    con.execute("delete from retention_summary")
    con.execute("delete from survival_summary")
    ends = quarter_ends(periods)
    if not ends:
        return
    con.execute(f"insert into retention_summary select cohort, quarters_after, period, branch_id, manager_id, "
                f"cohort_size, retained from ({_triangle_cells_sql()})",
                {"ends": ends, "ordinals": [Quarter.of(p).ordinal for p in ends], "maintained": policy.maintained_rank})
    start = ends[0]
    con.execute(f"insert into survival_summary select $start, branch_id, manager_id, start_tier, k, event, customers "
                f"from ({_first_events_sql('true')})", _follow_params(start, _follow(periods, start), policy))
