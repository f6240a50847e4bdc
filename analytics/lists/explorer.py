"""The ad-hoc customer explorer: customers present at a month end matching every filter, paged and masked.

Scope is applied in SQL, values are bound parameters, identifiers come from fixed lists; names, ID numbers and
phones come back masked unless reveal=True. The rows before paging are in frame.attrs["total_rows"].
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date

import duckdb
import pandas as pd

from analytics.core.periods import add_months, require_period
from analytics.core.policy_rules import PREFERENCES, RELATIONSHIPS, RULE_BITS, maintained_by_sql
from analytics.core.scope import Scope
from analytics.lists.contacted import contacts_cte
from analytics.lists.paging import page_of_customers
from analytics.store.catalog import loaded_periods
from analytics.store.derived import pair_customers
from analytics.store.derived import top_customers as top
from analytics.store.policy_record import current_policy
from analytics.store.schema import EXITED, PERSON

CUSTOMER_COLUMNS = (
    *PERSON,
    "tier",
    "maintained_by",
    "relationship",
    "preference",
    "age",
    "aum",
    "product_count",
    "aum_before",
    "aum_change",
    "change_rate",
)
# age bands of the explorer: code -> (lowest age, highest age), None = open
AGE_BANDS: dict[str, tuple[int | None, int | None]] = {
    "lt30": (None, 29),
    "30s": (30, 39),
    "40s": (40, 49),
    "50s": (50, 59),
    "60plus": (60, None),
}
# the filters a kept quarter pair answers (store.derived.pair_customers holds their columns)
KEPT_FILTERS = frozenset(
    {"tiers", "maintained_only", "aum_min", "aum_max", "change_months", "change_min", "change_max"}
)


@dataclass(frozen=True)
class CustomerFilter:
    """The explorer's filters; None means no condition. tiers are policy codes, change_* fractions (-0.2)."""

    tiers: tuple[str, ...] | None = None
    cards: tuple[str, ...] | None = None
    relationships: tuple[str, ...] | None = None  # codes of core.policy_rules.RELATIONSHIPS
    preferences: tuple[str, ...] | None = None  # codes of core.policy_rules.PREFERENCES
    maintained_only: bool = False
    age_min: int | None = None
    age_max: int | None = None
    aum_min: float | None = None
    aum_max: float | None = None
    products_min: int | None = None
    products_max: int | None = None
    change_months: int | None = None
    change_min: float | None = None
    change_max: float | None = None
    gender: str | None = None  # "M" or "F" (ingest maps 男/女/male/... onto these)
    holds: tuple[str, ...] | None = None  # product codes (ingest.columns.PRODUCTS) the customer holds, every one
    lacks: tuple[str, ...] | None = None  # product codes the customer holds none of
    maintained_by: tuple[str, ...] | None = None  # rules of core.policy_rules.RULE_BITS, any of them holding
    contacted_since: date | None = None  # with contacted: last contact in the follow-up log on or after this date
    contacted: bool | None = None  # True: contacted since contacted_since; False: not (never, or before it)


def find_customers(
    con: duckdb.DuckDBPyConnection,
    period: date,
    scope: Scope,
    where: CustomerFilter,
    sort_by: str = "aum",
    descending: bool = True,
    limit: int | None = 50,
    offset: int = 0,
    reveal: bool = False,
    contacts: pd.DataFrame | None = None,
    precomputed: bool = True,
) -> pd.DataFrame:
    """Customers present at `period` (status not closed) matching every filter, with unit as at `period`.

    口径: tier from the policy in force; age and product count as on the period's row; AUM = period-end balance;
    with change_months = k: aum_before = AUM k month ends earlier (that period must be loaded), aum_change =
    AUM - aum_before, change_rate = aum_change / aum_before (null when aum_before <= 0); the change filters keep
    only customers with a row k months earlier. holds / lacks: the period's product list; maintained_by: any of the
    rules named holds on the period's row; contacted: the latest contact in the follow-up log (`contacts`:
    customer_id, last_contact) on or after contacted_since. Returns columns: customer_id, customer_name, id_number, phone,
    branch_id, branch_name, manager_id, manager_name, card_level, tier, maintained_by (the maintained rules that
    hold), relationship (0 general, 1 potential, 2 to be won, 3 existing VIP), preference (0 unknown, 1
    deposit-heavy, 2 balanced, 3 fee-business-heavy), age, aum, product_count, aum_before, aum_change,
    change_rate. An AUM change over a kept quarter pair, with only the filters of KEPT_FILTERS, is read from
    pair_customers (precomputed=False: always live; the same answer).
    """
    periods = loaded_periods(con)
    period = require_period(periods, period)
    if where == CustomerFilter() and (sort_by, descending) == ("aum", True) and top.answers(scope, offset, limit):
        ctes = f"""
            with final as (  -- the opening list: its first pages were kept at load
                select *, null::decimal(18,2) as aum_before, null::decimal(18,2) as aum_change,
                       null::double as change_rate
                from ({top.SOURCE_SQL})
            )"""
        return page_of_customers(
            con, ctes, {"period": period}, CUSTOMER_COLUMNS, sort_by, descending, limit, offset, reveal, top.TOTAL_SQL
        )
    policy = current_policy(con)
    if precomputed and where.change_months and _kept_filters_only(where):
        earlier = require_period(periods, add_months(period, -where.change_months))
        if pair_customers.kept(con, earlier, period):
            return _from_kept_pair(
                con, period, earlier, scope, where, policy.rank_of, sort_by, descending, limit, offset, reveal
            )
    condition, params = scope.sql("c")
    params["period"] = period
    filters = ["c.period = $period", "c.status <> 'closed'", condition]
    if where.tiers is not None:
        params["tiers"] = [policy.rank_of(code) for code in where.tiers]
        filters.append("c.tier in (select unnest($tiers::int[]))")
    if where.cards is not None:
        params["cards"] = list(where.cards)
        filters.append("c.card_level in (select unnest($cards::varchar[]))")
    for codes, names, column in (
        (where.relationships, RELATIONSHIPS, "relationship"),
        (where.preferences, PREFERENCES, "preference"),
    ):
        if codes is not None:
            params[column] = [names.index(code) for code in codes]
            filters.append(f"c.{column} in (select unnest(${column}::int[]))")
    if where.maintained_only:
        filters.append("c.maintained_rules > 0")
    filters += _person_filters(where, params)
    for value, sql, name in (
        (where.age_min, "c.age >= $age_min", "age_min"),
        (where.age_max, "c.age <= $age_max", "age_max"),
        (where.aum_min, "c.aum >= $aum_min", "aum_min"),
        (where.aum_max, "c.aum <= $aum_max", "aum_max"),
        (where.products_min, "c.product_count >= $products_min", "products_min"),
        (where.products_max, "c.product_count <= $products_max", "products_max"),
    ):
        if value is not None:
            params[name] = value
            filters.append(sql)
    before_join, before = "", "null::decimal(18,2)"
    if where.change_months:
        params["before"] = require_period(periods, add_months(period, -where.change_months))
        before_join = (
            "left join customer_snapshot b on b.customer_id = c.customer_id and b.period = $before "
            "and b.status <> 'closed'"
        )
        before = "b.aum"
        for value, op, name in ((where.change_min, ">=", "change_min"), (where.change_max, "<=", "change_max")):
            if value is not None:
                params[name] = value
                filters.append(f"b.aum > 0 and (c.aum - b.aum) / b.aum {op} ${name}")
    person = ", ".join(f"c.{column}" for column in PERSON)
    contacts_sql, contact_params = contacts_cte(contacts)
    params |= contact_params
    ctes = f"""
        with {contacts_sql}, final as (
            select {person}, d.code as tier, {maintained_by_sql("c.maintained_rules")} as maintained_by,
                   c.relationship, c.preference, c.age, c.aum, c.product_count, {before} as aum_before,
                   c.aum - {before} as aum_change,
                   case when {before} > 0 then (c.aum - {before}) / {before} end as change_rate
            from customer_snapshot c
            join tier_def d on d.rank = c.tier
            {before_join}
            left join contacts k on k.customer_id = c.customer_id
            where {" and ".join(filters)}
        )"""
    return page_of_customers(con, ctes, params, CUSTOMER_COLUMNS, sort_by, descending, limit, offset, reveal)


def _person_filters(where: CustomerFilter, params: dict) -> list[str]:
    """The conditions on gender, products, the maintained rules and the last contact (params filled in)."""
    filters = []
    if where.gender is not None:
        params["gender"] = where.gender
        filters.append("c.gender = $gender")
    if where.holds:
        params["holds"] = list(where.holds)
        filters.append("len(list_intersect(c.products, $holds::varchar[])) = len($holds::varchar[])")
    if where.lacks:
        params["lacks"] = list(where.lacks)
        filters.append("len(list_intersect(coalesce(c.products, []), $lacks::varchar[])) = 0")
    if where.maintained_by:
        params["rule_bits"] = sum(RULE_BITS[rule] for rule in where.maintained_by)
        filters.append("c.maintained_rules & $rule_bits > 0")
    if where.contacted is not None and where.contacted_since is not None:
        params["contacted_since"] = where.contacted_since
        met = "k.last_contact >= $contacted_since"
        filters.append(met if where.contacted else f"not coalesce({met}, false)")
    return filters


def _kept_filters_only(where: CustomerFilter) -> bool:
    """Whether every filter set is one a kept pair answers."""
    return all(getattr(where, f.name) == f.default for f in fields(where) if f.name not in KEPT_FILTERS)


def _from_kept_pair(
    con: duckdb.DuckDBPyConnection,
    period: date,
    before: date,
    scope: Scope,
    where: CustomerFilter,
    rank_of: Callable[[str], int],
    sort_by: str,
    descending: bool,
    limit: int | None,
    offset: int,
    reveal: bool,
) -> pd.DataFrame:
    """find_customers over the kept pair (before, period): the same rows, read from pair_customers."""
    condition, params = scope.sql("p")
    params |= {"period": period, "before": before}
    filters = [f"p.to_tier <> {EXITED}", condition]
    if where.tiers is not None:
        params["tiers"] = [rank_of(code) for code in where.tiers]
        filters.append("p.to_tier in (select unnest($tiers::int[]))")
    if where.maintained_only:
        filters.append("p.rules_to > 0")
    for value, sql, name in (
        (where.aum_min, "p.aum_to >= $aum_min", "aum_min"),
        (where.aum_max, "p.aum_to <= $aum_max", "aum_max"),
    ):
        if value is not None:
            params[name] = value
            filters.append(sql)
    for value, op, name in ((where.change_min, ">=", "change_min"), (where.change_max, "<=", "change_max")):
        if value is not None:
            params[name] = value
            filters.append(f"p.aum_from > 0 and (p.aum_to - p.aum_from) / p.aum_from {op} ${name}")
    end = pair_customers.end_person("p")
    person = ", ".join(f"{end.get(column, f'p.{column}')} as {column}" for column in PERSON)
    ctes = f"""
        with final as (
            select {person}, d.code as tier, {maintained_by_sql("p.rules_to")} as maintained_by,
                   p.relationship, p.preference, p.age, p.aum_to as aum, p.product_count, p.aum_from as aum_before,
                   p.aum_to - p.aum_from as aum_change,
                   case when p.aum_from > 0 then (p.aum_to - p.aum_from) / p.aum_from end as change_rate
            from (select * exclude (branch_id, manager_id), branch_to as branch_id, manager_to as manager_id
                  from pair_customers where period_from = $before and period_to = $period) p
            join tier_def d on d.rank = p.to_tier
            where {" and ".join(filters)}
        )"""
    return page_of_customers(con, ctes, params, CUSTOMER_COLUMNS, sort_by, descending, limit, offset, reveal)
