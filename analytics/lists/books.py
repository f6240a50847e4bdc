"""Per-unit figures of the daily lists: how reassigned books churned, key information completeness and product
penetration. Units are branches or managers (a branch's customers without a manager are its own row)."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics.core.periods import require_period
from analytics.core.scope import Scope
from analytics.core.sql import fetch
from analytics.core.units import parse_level, unit_key
from analytics.store.catalog import loaded_periods

LIST_LEVELS = ("branch", "manager")
# key information a manager keeps complete (地址、电话、工作单位 完整率)
KEY_FIELDS = ("phone", "address", "employer")


def unit_columns(level: str, alias: str) -> tuple[str, str]:
    """The select list and group-by list of a unit at `level` (branch or manager) on table `alias`."""
    if level not in LIST_LEVELS:
        raise ValueError(f"level {level!r}: use branch or manager")
    names = f"{alias}.branch_id, max({alias}.branch_name) as branch_name"
    if level == "manager":
        names += f", {alias}.manager_id, max({alias}.manager_name) as manager_name"
    key = unit_key(parse_level(level), alias)
    return f"{key} as unit, {names}", f"{key}, {alias}.branch_id" + (
        f", {alias}.manager_id" if level == "manager" else ""
    )


def handover_churn(con: duckdb.DuckDBPyConnection, start: date, end: date, level: str, scope: Scope) -> pd.DataFrame:
    """How each unit's reassigned book churned against the rest of its book (交接客户流失).

    口径: maintained customers at `start`, by unit at `start`. reassigned = present at `end` with another manager
    (or none); kept = the rest (same manager at `end`, or gone). churned = not maintained at `end` (closed,
    gone, or below every maintained rule). reassigned_churn_rate = reassigned_churned / reassigned, kept_churn_rate
    = kept_churned / kept (null where the count is 0). Returns columns: unit, branch_id, branch_name (+ manager_id,
    manager_name by manager), maintained_start, reassigned, reassigned_churned, reassigned_churn_rate, kept,
    kept_churned, kept_churn_rate.
    """
    periods = loaded_periods(con)
    start, end = require_period(periods, start), require_period(periods, end)
    select, group = unit_columns(level, "s")
    condition, params = scope.sql("s")
    params |= {"start": start, "end": end}
    return fetch(
        con,
        f"""
        with paths as (
            select s.*, e.customer_id is not null and e.manager_id is distinct from s.manager_id as reassigned,
                   coalesce(e.maintained_rules, 0) = 0 as churned
            from customer_snapshot s
            left join customer_snapshot e on e.customer_id = s.customer_id and e.period = $end
                                         and e.status <> 'closed'
            where s.period = $start and s.status <> 'closed' and s.maintained_rules > 0 and {condition}
        ),
        counts as (
            select {select}, count(*) as maintained_start,
                   count(*) filter (where reassigned) as reassigned,
                   count(*) filter (where reassigned and churned) as reassigned_churned,
                   count(*) filter (where not reassigned) as kept,
                   count(*) filter (where not reassigned and churned) as kept_churned
            from paths s group by {group}
        ),
        final as (
            select *, reassigned_churned / nullif(reassigned, 0) as reassigned_churn_rate,
                   kept_churned / nullif(kept, 0) as kept_churn_rate
            from counts
        )
        select * exclude (reassigned_churn_rate, kept, kept_churned, kept_churn_rate),
               reassigned_churn_rate, kept, kept_churned, kept_churn_rate
        from final order by unit
    """,
        params,
    )


def completeness(con: duckdb.DuckDBPyConnection, period: date, level: str, scope: Scope) -> pd.DataFrame:
    """Completeness of key information (关键信息完整率) per unit: phone, address and employer on record.

    口径: maintained customers at `period`, by unit at `period`; a field counts when it is not empty. complete =
    all three on record; <field>_rate = with_<field> / maintained. Returns columns: unit, branch_id, branch_name
    (+ manager_id, manager_name by manager), maintained, with_phone, with_address, with_employer, complete,
    phone_rate, address_rate, employer_rate, complete_rate.
    """
    period = require_period(loaded_periods(con), period)
    select, group = unit_columns(level, "c")
    condition, params = scope.sql("c")
    params["period"] = period
    has = {f: f"coalesce(trim(c.{f}), '') <> ''" for f in KEY_FIELDS}
    counts = ", ".join(f"count(*) filter (where {sql}) as with_{f}" for f, sql in has.items())
    rates = ", ".join(f"with_{f} / maintained as {f}_rate" for f in KEY_FIELDS)
    return fetch(
        con,
        f"""
        with counts as (
            select {select}, count(*) as maintained, {counts},
                   count(*) filter (where {" and ".join(has.values())}) as complete
            from customer_snapshot c
            where c.period = $period and c.status <> 'closed' and c.maintained_rules > 0 and {condition}
            group by {group}
        ),
        final as (select *, {rates}, complete / maintained as complete_rate from counts)
        select * from final order by unit
    """,
        params,
    )


def product_penetration(con: duckdb.DuckDBPyConnection, period: date, level: str, scope: Scope) -> pd.DataFrame:
    """Product penetration (产品渗透率) per unit x tier x product: which product to sell next (挖).

    口径: maintained customers at `period`, by unit and tier at `period`; products are the has_<product> flags
    loaded (every product some customer in scope holds at `period`); holders = customers holding it; a customer
    without product flags holds none. penetration_rate = holders / customers. Returns columns: unit, branch_id,
    branch_name (+ manager_id, manager_name by manager), tier, product, customers, holders, penetration_rate.
    """
    period = require_period(loaded_periods(con), period)
    select, group = unit_columns(level, "c")
    condition, params = scope.sql("c")
    params["period"] = period
    return fetch(
        con,
        f"""
        with book as (
            select * from customer_snapshot c
            where c.period = $period and c.status <> 'closed' and c.maintained_rules > 0 and {condition}
        ),
        offered as (select distinct unnest(products) as product from book),
        counts as (
            select {select}, c.tier as rank, o.product, count(*) as customers,
                   count(*) filter (where list_contains(coalesce(c.products, []), o.product)) as holders
            from book c cross join offered o
            group by {group}, c.tier, o.product
        ),
        final as (
            select k.* exclude (rank, product, customers, holders), d.code as tier, k.product, k.customers,
                   k.holders, k.holders / k.customers as penetration_rate, k.rank
            from counts k join tier_def d on d.rank = k.rank
        )
        select * exclude (rank) from final order by unit, rank, product
    """,
        params,
    )
