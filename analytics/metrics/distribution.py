"""Distribution and concentration: customers and AUM by tier, AUM band (二八), card level; Lorenz and Gini."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics.core.policy_rules import CARD_LEVELS
from analytics.core.scope import Scope
from analytics.core.sql import fetch
from analytics.core.units import Level, unit_key
from analytics.metrics.concentration import summary as concentration_summary
from analytics.metrics.labels import with_labels
from analytics.store.derived.concentration import POINTS, summary_sql
from analytics.store.derived.tiers import BAND_FLOORS, band_expression
from analytics.store.policy_record import current_policy

VIP_LEVELS = CARD_LEVELS[1:]  # gold and above
VIP_TOTAL = "金卡及以上"


def _finish(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, level: Level | None, scope: Scope) -> pd.DataFrame:
    if level is None:
        return frame.drop(columns="unit").reset_index(drop=True)
    return with_labels(con, frame, level, scope).reset_index(drop=True)


def tier_distribution(
    con: duckdb.DuckDBPyConnection, scope: Scope, level: Level | None = None, periods: list[date] | None = None
) -> pd.DataFrame:
    """Customers and AUM by tier at each month end (all loaded periods, or `periods`), per unit when a level is given.

    口径: customers present at the month end (status not closed), placed in a tier by the policy in force;
    AUM is the period-end balance (万元 on the page). customer_share / aum_share are shares of the period's
    (and unit's) total; maintained = of them, the customers a maintained rule holds for (in a tier below the
    maintained range: by card, spend, loan or margin). Returns columns: period, [unit, unit_name], tier,
    tier_rank, customers, aum, maintained, customer_share, aum_share.
    """
    condition, params = scope.sql()
    params["periods"] = periods
    only = "and period in (select unnest($periods::date[]))" if periods is not None else ""
    frame = fetch(
        con,
        f"""
        with rows_in_scope as (
            select period, {unit_key(level)} as unit, tier, customers, aum, maintained
            from tier_summary where {condition} {only}
        ),
        grouped as (
            select period, unit, tier as tier_rank, sum(customers)::bigint as customers, sum(aum) as aum,
                   sum(maintained)::bigint as maintained
            from rows_in_scope group by period, unit, tier
        ),
        final as (
            select period, unit, tier_rank, customers, aum, maintained,
                   customers / sum(customers) over (partition by period, unit) as customer_share,
                   aum / nullif(sum(aum) over (partition by period, unit), 0) as aum_share
            from grouped
        )
        select * from final order by period, unit, tier_rank
    """,
        params,
    )
    codes = [t.code for t in current_policy(con).tiers]
    frame.insert(2, "tier", [codes[r] for r in frame["tier_rank"]])
    return _finish(con, frame, level, scope)


def band_concentration(
    con: duckdb.DuckDBPyConnection, period: date, scope: Scope, exclude_below_floor: bool = False
) -> pd.DataFrame:
    """Count share against AUM share per AUM band at one month end (the 二八 analysis).

    口径: customers present at the month end, by period-end AUM in bands [floor, ceiling) of CNY 0, 100, 1千,
    1万, 5万, 10万, 20万, 50万, 100万, 200万, 500万, 1000万 (band -∞..0 holds negative balances).
    With exclude_below_floor, accounts under the policy's attrition floor (the "invalid" accounts) are left out
    of counts and totals. *_share_at_or_above: share of customers / AUM in this band and all higher bands
    ("accounts of 1万 and more are 4% of accounts and 84% of balances"). Returns columns: band, floor, ceiling,
    customers, aum, customer_share, aum_share, customer_share_at_or_above, aum_share_at_or_above.
    """
    condition, params = scope.sql()
    params["period"] = period
    floor = current_policy(con).attrition_floor
    if not exclude_below_floor or floor in BAND_FLOORS:
        first_band = BAND_FLOORS.index(floor) + 1 if exclude_below_floor else 0
        source = f"""select band, customers, aum from band_summary
                     where period = $period and band >= {first_band} and {condition}"""
    else:  # a floor that is not a band bound: the summary cannot answer, count live
        params["floor"] = floor
        source = f"""select {band_expression()} as band, 1 as customers, aum from customer_snapshot
                     where period = $period and status <> 'closed' and aum >= $floor and {condition}"""
    frame = fetch(
        con,
        f"""
        with rows_in_scope as ({source}),
        grouped as (
            select band, sum(customers)::bigint as customers, sum(aum) as aum from rows_in_scope group by band
        ),
        final as (
            select band, customers, aum,
                   customers / sum(customers) over () as customer_share,
                   aum / nullif(sum(aum) over (), 0) as aum_share,
                   sum(customers) over (order by band desc) / sum(customers) over () as customer_share_at_or_above,
                   sum(aum) over (order by band desc) / nullif(sum(aum) over (), 0) as aum_share_at_or_above
            from grouped
        )
        select * from final order by band
    """,
        params,
    )
    floors = (None, *BAND_FLOORS)
    frame.insert(1, "floor", [floors[b] for b in frame["band"]])
    frame.insert(2, "ceiling", [BAND_FLOORS[b] if b < len(BAND_FLOORS) else None for b in frame["band"]])
    return frame


def lorenz_curve(con: duckdb.DuckDBPyConnection, period: date, scope: Scope, points: int = POINTS) -> pd.DataFrame:
    """Lorenz curve of AUM at one month end: the poorest customer_share of customers hold aum_share of AUM.

    口径: customers present at the month end, ordered by period-end AUM (negative balances count as 0);
    about `points` points plus (0, 0). Returns columns: customer_share, aum_share.
    """
    found = concentration_summary(con, period, scope, points)
    curve = list(found["curve"].iloc[0]) if len(found) else []
    frame = pd.DataFrame([{"customer_share": 0.0, "aum_share": 0.0}, *curve], columns=["customer_share", "aum_share"])
    return frame.astype(float)


def gini(con: duckdb.DuckDBPyConnection, period: date, scope: Scope, level: Level | None = None) -> pd.DataFrame:
    """Gini coefficient of AUM at one month end, per unit when a level is given (0 = equal, 1 = one holds all).

    口径: customers present at the month end, negative balances counted as 0; exact over all customers:
    G = 1 - (2·Σ cumulative AUM - total) / (n · total), cumulative over customers ordered by AUM.
    Returns columns: [unit, unit_name], customers, aum, gini.
    """
    if level is None:
        frame = concentration_summary(con, period, scope, curve=False).assign(unit="all")
    else:
        condition, params = scope.sql()
        frame = fetch(
            con,
            f"select * from ({summary_sql(unit_key(level), condition)}) order by unit",
            params | {"period": period, "points": 1},
        )
    return _finish(con, frame[["unit", "customers", "aum", "gini"]], level, scope)


def _card_order(frame: pd.DataFrame) -> pd.DataFrame:
    order = {level: i for i, level in enumerate((*CARD_LEVELS, VIP_TOTAL))}
    frame["_order"] = frame["card_level"].map(lambda c: order.get(c, len(order)) if c is not None else len(order) + 1)
    sort = ["unit", "_order", "card_level"] if "unit" in frame else ["_order", "card_level"]
    return frame.sort_values(sort, na_position="last").drop(columns="_order")


def card_distribution(
    con: duckdb.DuckDBPyConnection, period: date, scope: Scope, level: Level | None = None
) -> pd.DataFrame:
    """Customers and AUM by card level (普卡, 金卡, 白金卡, 钻石卡; none = no card recorded) at one month end.

    口径: customers present at the month end; share of the unit's customers. Returns columns:
    [unit, unit_name], card_level, customers, aum, customer_share.
    """
    condition, params = scope.sql()
    params["period"] = period
    frame = fetch(
        con,
        f"""
        with rows_in_scope as (
            select {unit_key(level)} as unit, card_level, customers, aum
            from tier_summary where period = $period and {condition}
        ),
        final as (
            select unit, card_level, sum(customers)::bigint as customers, sum(aum) as aum,
                   sum(customers) / sum(sum(customers)) over (partition by unit) as customer_share
            from rows_in_scope group by unit, card_level
        )
        select * from final
    """,
        params,
    )
    return _finish(con, _card_order(frame), level, scope)


def vip_growth(
    con: duckdb.DuckDBPyConnection, start: date, end: date, scope: Scope, level: Level | None = None
) -> pd.DataFrame:
    """Card-level customers at two month ends and their growth (+N and %), with a gold-and-above total row.

    口径: stocks, each counted on the unit of its own month end: customers present with that card level.
    change = customers_end - customers_start; change_rate = change / customers_start (null when 0).
    The row 金卡及以上 sums 金卡, 白金卡 and 钻石卡 (the VIP base). Returns columns: [unit, unit_name],
    card_level, customers_start, customers_end, change, change_rate.
    """
    condition, params = scope.sql()
    params.update(start=start, end=end, vip=list(VIP_LEVELS))
    frame = fetch(
        con,
        f"""
        with rows_in_scope as (
            select {unit_key(level)} as unit, period, card_level, customers
            from tier_summary where period in ($start, $end) and {condition}
        ),
        with_total as (
            select unit, period, card_level, customers from rows_in_scope
            union all
            select unit, period, '{VIP_TOTAL}', customers from rows_in_scope
            where card_level in (select unnest($vip::varchar[]))
        ),
        final as (
            select unit, card_level,
                   sum(case when period = $start then customers else 0 end)::bigint as customers_start,
                   sum(case when period = $end then customers else 0 end)::bigint as customers_end
            from with_total group by unit, card_level
        )
        select * from final
    """,
        params,
    )
    frame["change"] = frame["customers_end"] - frame["customers_start"]
    frame["change_rate"] = frame["change"] / frame["customers_start"].where(frame["customers_start"] != 0)
    return _finish(con, _card_order(frame), level, scope)
