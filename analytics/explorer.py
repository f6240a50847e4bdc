"""Queries the dashboard needs beyond the metric modules: the quarter's headline figures, a unit as a scope,
the ad-hoc customer explorer, a customer's history, and the customers of a migration cell.

Scope is applied in SQL, values are bound parameters, identifiers come from fixed lists; names, ID numbers and
phones come back masked unless reveal=True. Customer lists are paged: the rows before paging are in
`frame.attrs["total_rows"]`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from analytics import top_customers as top
from analytics.catalog import loaded_periods as period_totals
from analytics.paging import mask_personal, page_of_customers
from analytics.periods import Quarter, add_months, loaded_periods, quarter_snapshots, require_period
from analytics.query import fetch, fetch_rows
from analytics.scope import Scope
from analytics.scorecard import unit_indicators
from analytics.store import EXITED, NEW, current_policy
from analytics.units import Level, parse_level, unit_key

PERSON = ("customer_id", "customer_name", "id_number", "phone", "branch_id", "branch_name", "manager_id",
          "manager_name", "card_level")
CUSTOMER_COLUMNS = (*PERSON, "tier", "age", "aum", "product_count", "aum_before", "aum_change", "change_rate")
MOVES = ("up", "down", "stay", "exited", "new")
# age bands of the explorer: code -> (lowest age, highest age), None = open
AGE_BANDS: dict[str, tuple[int | None, int | None]] = {
    "lt30": (None, 29), "30s": (30, 39), "40s": (40, 49), "50s": (50, 59), "60plus": (60, None)}


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """Changes whenever a load or a new policy changes what the analytics return (latest load id, policy)."""
    rows = fetch_rows(con, "select coalesce(max(load_id), 0) as v, (select max(sha256) from policy_in_force) as p "
                           "from load_log")
    return f"{rows[0][0]}:{rows[0][1]}"


def quarters(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Quarters that can be compared (a loaded period in the quarter and in the previous one), newest first."""
    periods = loaded_periods(con)
    found = []
    for quarter in sorted({Quarter.of(p) for p in periods}, reverse=True):
        try:
            quarter_snapshots(periods, quarter)
        except ValueError:
            continue
        found.append(str(quarter))
    return found


def quarter_overview(con: duckdb.DuckDBPyConnection, quarter: Quarter | str, scope: Scope) -> pd.DataFrame:
    """The headline figures of a quarter and of the quarter before it, for the whole scope as one unit.

    口径: customers, maintained and aum are stocks at the quarter's end snapshot (present customers, status not
    closed). The rates are the scorecard's, over the whole scope: 保 churn_rate = churned / maintained_start;
    争 upgrade_rate = upgraded / maintained_start; 挖 coverage_rate = covered_end / maintained_end;
    抢 growth = (maintained_end - maintained_start) / maintained_start; 培 aum_growth = (aum_end - aum_start) /
    aum_start over maintained customers. A rate over 0 is null. Returns columns: quarter, start, end, customers,
    maintained, aum, maintained_start, maintained_end, churned, churn_rate, upgraded, upgrade_rate, covered_end,
    coverage_rate, growth, aum_start, aum_end, aum_growth; one row per quarter (the previous one when loaded),
    newest first. Coverage is null when no unit's extract carries product counts.
    """
    periods = loaded_periods(con)
    totals = period_totals(con, scope).set_index("period")
    policy = current_policy(con)
    rows = []
    for q in (Quarter.parse(quarter), Quarter.parse(quarter).previous()):
        try:
            start, end = quarter_snapshots(periods, q)
        except ValueError:
            continue
        whole = unit_indicators(con, start, end, None, scope, policy).drop(columns=["unit", "with_products_end"])
        stock = totals.loc[pd.Timestamp(end)] if pd.Timestamp(end) in totals.index else None
        rows.append({"quarter": str(q), "start": start, "end": end,
                     "customers": int(stock["customers"]) if stock is not None else 0,
                     "maintained": int(stock["maintained"]) if stock is not None else 0,
                     "aum": float(stock["aum"]) if stock is not None else 0.0,
                     **(whole.iloc[0].to_dict() if len(whole) else {})})
    frame = pd.DataFrame(rows, columns=["quarter", "start", "end", "customers", "maintained", "aum",
                                        "maintained_start", "maintained_end", "churned", "upgraded", "covered_end",
                                        "aum_start", "aum_end", "churn_rate", "upgrade_rate", "coverage_rate",
                                        "growth", "aum_growth"])
    counts = ["maintained_start", "maintained_end", "churned", "upgraded", "covered_end"]
    frame[counts] = frame[counts].fillna(0).astype("int64")  # a scope with no maintained customer at either end
    frame[["aum_start", "aum_end"]] = frame[["aum_start", "aum_end"]].fillna(0.0)
    frame["covered_end"] = frame["covered_end"].astype("Int64").where(frame["coverage_rate"].notna())
    return frame[["quarter", "start", "end", "customers", "maintained", "aum", "maintained_start",
                  "maintained_end", "churned", "churn_rate", "upgraded", "upgrade_rate", "covered_end",
                  "coverage_rate", "growth", "aum_start", "aum_end", "aum_growth"]]


def narrow_scope(con: duckdb.DuckDBPyConnection, scope: Scope, level: Level | None, unit: str | None) -> Scope:
    """`scope` restricted to one unit: a branch or a manager directly, a region or sub-branch as its branches
    (every branch ever recorded under it within `scope`). The unassigned pseudo-units cannot be a scope."""
    if level is None or unit is None:
        return scope
    level = parse_level(level)

    def keep(allowed: frozenset[str] | None, wanted: set[str]) -> frozenset[str]:
        return frozenset(wanted if allowed is None else wanted & allowed)

    if level == "manager":
        return Scope(branches=scope.branches, managers=keep(scope.managers, {unit}))
    if level == "branch":
        return Scope(branches=keep(scope.branches, {unit}), managers=scope.managers)
    condition, params = scope.sql()
    params["unit"] = unit
    rows = fetch_rows(con, f"select distinct branch_id from unit_directory "
                           f"where {unit_key(level)} = $unit and {condition}", params)
    return Scope(branches=keep(scope.branches, {r[0] for r in rows}), managers=scope.managers)


@dataclass(frozen=True)
class CustomerFilter:
    """The explorer's filters; None means no condition. tiers are policy codes, change_* fractions (-0.2)."""

    tiers: tuple[str, ...] | None = None
    cards: tuple[str, ...] | None = None
    age_min: int | None = None
    age_max: int | None = None
    aum_min: float | None = None
    aum_max: float | None = None
    products_min: int | None = None
    products_max: int | None = None
    change_months: int | None = None
    change_min: float | None = None
    change_max: float | None = None


def find_customers(con: duckdb.DuckDBPyConnection, period: date, scope: Scope, where: CustomerFilter,
                   sort_by: str = "aum", descending: bool = True, limit: int | None = 50, offset: int = 0,
                   reveal: bool = False) -> pd.DataFrame:
    """Customers present at `period` (status not closed) matching every filter, with unit as at `period`.

    口径: tier from the policy in force; age and product count as on the period's row; AUM = period-end balance;
    with change_months = k: aum_before = AUM k month ends earlier (that period must be loaded), aum_change =
    AUM - aum_before, change_rate = aum_change / aum_before (null when aum_before <= 0); the change filters keep
    only customers with a row k months earlier. Returns columns: customer_id, customer_name, id_number, phone,
    branch_id, branch_name, manager_id, manager_name, card_level, tier, age, aum, product_count, aum_before,
    aum_change, change_rate.
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
        return page_of_customers(con, ctes, {"period": period}, CUSTOMER_COLUMNS, sort_by, descending, limit,
                                 offset, reveal, top.TOTAL_SQL)
    policy = current_policy(con)
    condition, params = scope.sql("c")
    params["period"] = period
    filters = ["c.period = $period", "c.status <> 'closed'", condition]
    if where.tiers is not None:
        params["tiers"] = [policy.rank_of(code) for code in where.tiers]
        filters.append("c.tier in (select unnest($tiers::int[]))")
    if where.cards is not None:
        params["cards"] = list(where.cards)
        filters.append("c.card_level in (select unnest($cards::varchar[]))")
    for value, sql, name in ((where.age_min, "c.age >= $age_min", "age_min"),
                             (where.age_max, "c.age <= $age_max", "age_max"),
                             (where.aum_min, "c.aum >= $aum_min", "aum_min"),
                             (where.aum_max, "c.aum <= $aum_max", "aum_max"),
                             (where.products_min, "c.product_count >= $products_min", "products_min"),
                             (where.products_max, "c.product_count <= $products_max", "products_max")):
        if value is not None:
            params[name] = value
            filters.append(sql)
    before_join, before = "", "null::decimal(18,2)"
    if where.change_months:
        params["before"] = require_period(periods, add_months(period, -where.change_months))
        before_join = ("left join customer_snapshot b on b.customer_id = c.customer_id and b.period = $before "
                       "and b.status <> 'closed'")
        before = "b.aum"
        for value, op, name in ((where.change_min, ">=", "change_min"), (where.change_max, "<=", "change_max")):
            if value is not None:
                params[name] = value
                filters.append(f"b.aum > 0 and (c.aum - b.aum) / b.aum {op} ${name}")
    person = ", ".join(f"c.{column}" for column in PERSON)
    ctes = f"""
        with final as (
            select {person}, d.code as tier, c.age, c.aum, c.product_count, {before} as aum_before,
                   c.aum - {before} as aum_change,
                   case when {before} > 0 then (c.aum - {before}) / {before} end as change_rate
            from customer_snapshot c
            join tier_def d on d.rank = c.tier
            {before_join}
            where {' and '.join(filters)}
        )"""
    return page_of_customers(con, ctes, params, CUSTOMER_COLUMNS, sort_by, descending, limit, offset, reveal)


def customer_history(con: duckdb.DuckDBPyConnection, customer_id: str, scope: Scope,
                     reveal: bool = False) -> pd.DataFrame:
    """One customer's rows over every loaded period within the scope: AUM, tier path, card level, maintainer.

    口径: one row per loaded month end where the customer has a row in a branch / with a manager the scope
    covers; tier is null on a closed row (a closed customer has no tier). Returns columns: period,
    customer_id, customer_name, id_number, phone, branch_id, branch_name, manager_id, manager_name, card_level,
    status, tier, tier_rank, aum, product_count.
    """
    condition, params = scope.sql("c")
    params["customer"] = str(customer_id)
    person = ", ".join(f"c.{column}" for column in PERSON)
    frame = fetch(con, f"""
        with final as (
            select c.period, {person}, c.status, d.code as tier, c.tier as tier_rank, c.aum, c.product_count
            from customer_snapshot c left join tier_def d on d.rank = c.tier
            where c.customer_id = $customer and {condition}
        )
        select * from final order by period
    """, params)
    return mask_personal(frame, reveal)


def migration_customers(con: duckdb.DuckDBPyConnection, start: date, end: date, scope: Scope,
                        from_tier: str | None = None, to_tier: str | None = None, move: str | None = None,
                        sort_by: str = "aum_from", descending: bool = True, limit: int | None = 50,
                        offset: int = 0, reveal: bool = False) -> pd.DataFrame:
    """The customers behind the migration matrix from `start` to `end`: one cell (from_tier x to_tier, with
    `new` / `exited`), or every customer of a move (up, down, stay, exited, new).

    口径: as migration_matrix: present = has a row that is not closed; a customer belongs to the unit of the
    start row (new customers: of the end row) and the scope filters on it. up / down = present at both ends in
    a higher / lower tier at the end; exited = present at the start, not at the end; new = the reverse.
    Returns columns: customer_id, customer_name, id_number, phone, branch_id, branch_name, manager_id,
    manager_name, card_level, from_tier, to_tier, aum_from, aum_to, aum_change.
    """
    periods = loaded_periods(con)
    start, end = require_period(periods, start), require_period(periods, end)
    policy = current_policy(con)
    ranks = {t.code: t.rank for t in policy.tiers} | {"new": NEW, "exited": EXITED}
    condition, params = scope.sql()
    params |= {"start": start, "end": end}
    filters = [condition]
    if from_tier is not None:
        params["from_rank"] = ranks[from_tier]
        filters.append("from_rank = $from_rank")
    if to_tier is not None:
        params["to_rank"] = ranks[to_tier]
        filters.append("to_rank = $to_rank")
    if move is not None:
        filters.append({"up": f"from_rank <> {NEW} and to_rank <> {EXITED} and to_rank > from_rank",
                        "down": f"from_rank <> {NEW} and to_rank <> {EXITED} and to_rank < from_rank",
                        "stay": f"from_rank <> {NEW} and to_rank = from_rank",
                        "exited": f"to_rank = {EXITED}", "new": f"from_rank = {NEW}"}[move])
    picked = ", ".join(f"case when s.customer_id is null then f.{c} else s.{c} end as {c}" for c in PERSON)
    ctes = f"""
        with start as (
            select * from customer_snapshot where period = $start and status <> 'closed'
        ),
        finish as (
            select * from customer_snapshot where period = $end and status <> 'closed'
        ),
        joined as (
            select {picked}, coalesce(s.tier, {NEW}) as from_rank, coalesce(f.tier, {EXITED}) as to_rank,
                   coalesce(s.aum, 0) as aum_from, coalesce(f.aum, 0) as aum_to
            from start s full outer join finish f on s.customer_id = f.customer_id
        ),
        final as (
            select {', '.join(PERSON)},
                   coalesce(a.code, 'new') as from_tier, coalesce(b.code, 'exited') as to_tier,
                   aum_from, aum_to, aum_to - aum_from as aum_change
            from joined
            left join tier_def a on a.rank = from_rank
            left join tier_def b on b.rank = to_rank
            where {' and '.join(filters)}
        )"""
    columns = (*PERSON, "from_tier", "to_tier", "aum_from", "aum_to", "aum_change")
    return page_of_customers(con, ctes, params, columns, sort_by, descending, limit, offset, reveal)


