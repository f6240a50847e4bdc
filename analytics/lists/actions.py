"""Action lists for managers and HQ: live customer lists (scoped, sortable, paged, masked) and manager load.

Every list takes sort_by (one of its columns), descending, limit and offset; the number of rows before paging
is in `frame.attrs["total_rows"]`. Names, ID numbers and phones come back masked unless reveal=True.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics.core.periods import add_months, require_period
from analytics.core.policy import basis_column
from analytics.core.policy_rules import maintained_by_sql
from analytics.core.scope import Scope
from analytics.core.sql import fetch
from analytics.lists.paging import page_of_customers
from analytics.store.catalog import loaded_periods
from analytics.store.derived import pair_customers
from analytics.store.policy_record import current_policy
from analytics.store.schema import EXITED, NEW, PERSON

_PERSON_SQL = ", ".join(f"c.{column}" for column in PERSON)
# PERSON as on the end row of a kept pair (pair_customers p)
_END_PERSON = pair_customers.end_person("p") | {"branch_id": "p.branch_to", "manager_id": "p.manager_to"}
_END_PERSON_SQL = ", ".join(f"{_END_PERSON.get(column, f'p.{column}')} as {column}" for column in PERSON)


def at_risk_customers(
    con: duckdb.DuckDBPyConnection,
    period: date,
    scope: Scope,
    months: int = 3,
    min_drop: float = 0.2,
    sort_by: str = "aum_change",
    descending: bool = False,
    limit: int | None = 100,
    offset: int = 0,
    reveal: bool = False,
    precomputed: bool = True,
) -> pd.DataFrame:
    """Maintained customers whose AUM fell by at least `min_drop` (e.g. 0.2 = 20%) over `months` months.

    口径: maintained at `period` (still in the book: act before they churn), present `months` month ends
    earlier with a positive AUM, and AUM(period) <= (1 - min_drop) x AUM(earlier); unit and maintainer as at
    `period`. change_rate = (AUM now - AUM then) / AUM then. Returns columns: customer_id, customer_name,
    id_number, phone, branch_id, branch_name, manager_id, manager_name, card_level, tier, maintained_by (the
    maintained rules that hold: tier, card, spend, loan, margin), aum_before, aum, aum_change, change_rate.
    A kept quarter pair is read from pair_customers (precomputed=False: always live; the same answer).
    """
    periods = loaded_periods(con)
    period = require_period(periods, period)
    before = require_period(periods, add_months(period, -months))
    params = {
        "period": period,
        "before": before,
        "keep": 1 - min_drop,
    }
    columns = (*PERSON, "tier", "maintained_by", "aum_before", "aum", "aum_change", "change_rate")
    if precomputed and pair_customers.kept(con, before, period):
        condition, scoped = scope.sql("p")
        ctes = f"""
        with final as (
            select {_END_PERSON_SQL}, d.code as tier,
                   {maintained_by_sql("p.rules_to")} as maintained_by, p.aum_from as aum_before, p.aum_to as aum,
                   p.aum_to - p.aum_from as aum_change, (p.aum_to - p.aum_from) / p.aum_from as change_rate
            from (select * exclude (branch_id, manager_id), branch_to as branch_id, manager_to as manager_id
                  from pair_customers where period_from = $before and period_to = $period) p
            join tier_def d on d.rank = p.to_tier
            where p.rules_to > 0 and p.aum_from > 0 and p.aum_to <= $keep * p.aum_from and {condition}
        )"""
        return page_of_customers(con, ctes, params | scoped, columns, sort_by, descending, limit, offset, reveal)
    condition, scoped = scope.sql("c")
    params |= scoped
    ctes = f"""
        with final as (
            select {_PERSON_SQL}, d.code as tier, {maintained_by_sql("c.maintained_rules")} as maintained_by,
                   b.aum as aum_before, c.aum, c.aum - b.aum as aum_change, (c.aum - b.aum) / b.aum as change_rate
            from customer_snapshot c
            join customer_snapshot b on b.customer_id = c.customer_id and b.period = $before
                                    and b.status <> 'closed' and b.aum > 0
            join tier_def d on d.rank = c.tier
            where c.period = $period and c.status <> 'closed' and c.maintained_rules > 0
              and c.aum <= $keep * b.aum and {condition}
        )"""
    return page_of_customers(con, ctes, params, columns, sort_by, descending, limit, offset, reveal)


def upgrade_candidates(
    con: duckdb.DuckDBPyConnection,
    period: date,
    scope: Scope,
    within: float = 0.1,
    sort_by: str = "gap_rate",
    descending: bool = False,
    limit: int | None = 100,
    offset: int = 0,
    reveal: bool = False,
) -> pd.DataFrame:
    """Customers just under the next tier's bound: within `within` (e.g. 0.1 = 10%) of it.

    口径: present at `period`, below the top tier, with basis amount (the policy's basis: AUM or monthly daily
    average) >= (1 - within) x the next tier's minimum. gap = next_min_aum - amount; gap_rate = gap /
    next_min_aum. Returns columns: customer_id, customer_name, id_number, phone, branch_id, branch_name,
    manager_id, manager_name, card_level, tier, next_tier, amount, next_min_aum, gap, gap_rate.
    """
    policy = current_policy(con)
    period = require_period(loaded_periods(con), period)
    condition, params = scope.sql("c")
    params |= {"period": period, "share": 1 - within}
    basis = basis_column(policy.basis)
    ctes = f"""
        with final as (
            select {_PERSON_SQL}, d.code as tier, n.code as next_tier, c.{basis} as amount,
                   n.min_aum as next_min_aum, n.min_aum - c.{basis} as gap,
                   (n.min_aum - c.{basis}) / n.min_aum as gap_rate
            from customer_snapshot c
            join tier_def d on d.rank = c.tier
            join tier_def n on n.rank = c.tier + 1
            where c.period = $period and c.status <> 'closed' and c.{basis} >= $share * n.min_aum
              and {condition}
        )"""
    columns = (*PERSON, "tier", "next_tier", "amount", "next_min_aum", "gap", "gap_rate")
    return page_of_customers(con, ctes, params, columns, sort_by, descending, limit, offset, reveal)


def churned_high_value(
    con: duckdb.DuckDBPyConnection,
    start: date,
    end: date,
    scope: Scope,
    min_tier: str | None = None,
    cards: tuple[str, ...] = ("白金卡", "钻石卡"),
    sort_by: str = "aum_start",
    descending: bool = True,
    limit: int | None = 100,
    offset: int = 0,
    reveal: bool = False,
    precomputed: bool = True,
) -> pd.DataFrame:
    """HQ's accountability list: high-value customers churned between two month ends, with who held them.

    口径: churned (maintained at `start`, not maintained at `end`) and, at `start`, in `min_tier` or above
    (default: the two highest tiers) or holding one of `cards` (default 白金卡, 钻石卡). Branch and manager are
    those at `start` (the maintainer accountable). outcome: closed (status closed at the end), left (no row at
    the end) or fell_below (present, no maintained rule holds any more). Returns columns: customer_id,
    customer_name, id_number, phone, branch_id, branch_name, manager_id, manager_name, card_level, tier_start,
    maintained_by (at the start), aum_start, tier_end, aum_end, outcome. A kept quarter pair is read from
    pair_customers (precomputed=False: always live; the same answer).
    """
    policy = current_policy(con)
    periods = loaded_periods(con)
    start, end = require_period(periods, start), require_period(periods, end)
    floor = policy.rank_of(min_tier) if min_tier else max(len(policy.tiers) - 2, policy.maintained_rank)
    condition, params = scope.sql("c")
    params |= {"start": start, "end": end, "floor": floor, "cards": list(cards)}
    columns = (*PERSON, "tier_start", "maintained_by", "aum_start", "tier_end", "aum_end", "outcome")
    if precomputed and pair_customers.kept(con, start, end):
        ctes = f"""
        with final as (
            select {_PERSON_SQL}, d.code as tier_start,
                   {maintained_by_sql("c.rules_from")} as maintained_by, c.aum_from as aum_start,
                   case when c.to_tier = {EXITED} then 'exited' else de.code end as tier_end, c.end_aum as aum_end,
                   case when c.end_status is null then 'left' when c.end_status = 'closed' then 'closed'
                        else 'fell_below' end as outcome
            from pair_customers c
            join tier_def d on d.rank = c.from_tier
            left join tier_def de on de.rank = c.to_tier
            where c.period_from = $start and c.period_to = $end and c.from_tier <> {NEW} and c.rules_from > 0
              and (c.from_tier >= $floor or c.card_level in (select unnest($cards::varchar[])))
              and (c.to_tier = {EXITED} or c.rules_to = 0)
              and {condition}
        )"""
        return page_of_customers(con, ctes, params, columns, sort_by, descending, limit, offset, reveal)
    ctes = f"""
        with final as (
            select {_PERSON_SQL}, d.code as tier_start, {maintained_by_sql("c.maintained_rules")} as maintained_by,
                   c.aum as aum_start,
                   case when e.status = 'closed' or e.customer_id is null then 'exited' else de.code end
                       as tier_end,
                   e.aum as aum_end,
                   case when e.customer_id is null then 'left' when e.status = 'closed' then 'closed'
                        else 'fell_below' end as outcome
            from customer_snapshot c
            join tier_def d on d.rank = c.tier
            left join customer_snapshot e on e.customer_id = c.customer_id and e.period = $end
            left join tier_def de on de.rank = e.tier
            where c.period = $start and c.status <> 'closed' and c.maintained_rules > 0
              and (c.tier >= $floor or c.card_level in (select unnest($cards::varchar[])))
              and (e.customer_id is null or e.status = 'closed' or e.maintained_rules = 0)
              and {condition}
        )"""
    return page_of_customers(con, ctes, params, columns, sort_by, descending, limit, offset, reveal)


def red_list(
    con: duckdb.DuckDBPyConnection,
    period: date,
    scope: Scope,
    unassigned_only: bool = False,
    sort_by: str = "aum",
    descending: bool = True,
    limit: int | None = 100,
    offset: int = 0,
    reveal: bool = False,
) -> pd.DataFrame:
    """The red list (失联): maintained customers with no phone number on record at `period`.

    口径: maintained at `period` and phone empty (with unassigned_only, only those without a maintainer); unit and
    maintainer as at `period`. Returns columns:
    customer_id, customer_name, id_number, phone, branch_id, branch_name, manager_id, manager_name,
    card_level, tier, maintained_by, aum.
    """
    extra = "c.phone is null" + (" and c.manager_id is null" if unassigned_only else "")
    return _maintained_list(con, period, scope, extra, sort_by, descending, limit, offset, reveal)


def unassigned_customers(
    con: duckdb.DuckDBPyConnection,
    period: date,
    scope: Scope,
    sort_by: str = "aum",
    descending: bool = True,
    limit: int | None = 100,
    offset: int = 0,
    reveal: bool = False,
) -> pd.DataFrame:
    """Maintained customers with no manager at `period`: to be allocated.

    口径: maintained at `period` and manager empty. Returns the columns of red_list.
    """
    return _maintained_list(con, period, scope, "c.manager_id is null", sort_by, descending, limit, offset, reveal)


def _maintained_list(
    con: duckdb.DuckDBPyConnection,
    period: date,
    scope: Scope,
    extra: str,
    sort_by: str,
    descending: bool,
    limit: int | None,
    offset: int,
    reveal: bool,
) -> pd.DataFrame:
    period = require_period(loaded_periods(con), period)
    condition, params = scope.sql("c")
    params |= {"period": period}
    ctes = f"""
        with final as (
            select {_PERSON_SQL}, d.code as tier, {maintained_by_sql("c.maintained_rules")} as maintained_by, c.aum
            from customer_snapshot c join tier_def d on d.rank = c.tier
            where c.period = $period and c.status <> 'closed' and c.maintained_rules > 0 and {extra}
              and {condition}
        )"""
    columns = (*PERSON, "tier", "maintained_by", "aum")
    return page_of_customers(con, ctes, params, columns, sort_by, descending, limit, offset, reveal)


def manager_load(
    con: duckdb.DuckDBPyConnection, period: date, scope: Scope, low: int = 500, high: int = 800
) -> pd.DataFrame:
    """Customers per manager against the 管户 norm (500-800), with each branch's unassigned customers.

    口径: customers present at `period` whose maintainer is the manager (all tiers), and how many of them are
    maintained. load: under (< low), within, over (> high); unassigned rows (manager_id empty) are the branch's
    customers with no manager, load 'unassigned'. A manager's branch is the branch of most of their customers.
    Returns columns: branch_id, branch_name, manager_id, manager_name, customers, maintained, load.
    """
    period = require_period(loaded_periods(con), period)
    condition, params = scope.sql()
    params |= {"period": period, "low": low, "high": high}
    return fetch(
        con,
        f"""
        with books as (
            select branch_id, manager_id, sum(customers) as customers, sum(maintained) as maintained
            from tier_summary where period = $period and {condition} group by branch_id, manager_id
        ),
        names as (
            select branch_id, manager_id, max(branch_name) as branch_name, max(manager_name) as manager_name
            from unit_directory where period = $period group by branch_id, manager_id
        ),
        per_manager as (
            select coalesce(b.manager_id, '~' || b.branch_id) as unit,
                   arg_max(b.branch_id, b.customers) as branch_id, arg_max(n.branch_name, b.customers) as branch_name,
                   max(b.manager_id) as manager_id, max(n.manager_name) as manager_name,
                   sum(b.customers)::bigint as customers, sum(b.maintained)::bigint as maintained
            from books b left join names n on n.branch_id = b.branch_id
                 and n.manager_id is not distinct from b.manager_id
            group by coalesce(b.manager_id, '~' || b.branch_id)
        ),
        final as (
            select branch_id, branch_name, manager_id, manager_name, customers, maintained,
                   case when manager_id is null then 'unassigned' when customers < $low then 'under'
                        when customers > $high then 'over' else 'within' end as load
            from per_manager
        )
        select * from final order by branch_id, manager_id nulls last
    """,
        params,
    )
