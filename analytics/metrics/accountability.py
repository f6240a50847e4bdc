"""问责 Accountability: the high-value customers lost in a business year, and the tally per manager or branch."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics.core.periods import require_period
from analytics.core.scope import Scope
from analytics.core.sql import fetch
from analytics.core.units import NO_UNIT, UNASSIGNED_PREFIX, Level, parse_level
from analytics.metrics.labels import with_labels
from analytics.store.catalog import loaded_periods
from analytics.store.policy_record import current_policy

UNIT_COLUMNS = {"region": "region", "sub_branch": "sub_branch", "branch": "branch_id", "manager": "manager_id"}
DETAIL_COLUMNS = [
    "customer_id",
    "region",
    "sub_branch",
    "branch_id",
    "manager_id",
    "tier_start",
    "card_level",
    "aum_start",
    "outcome",
    "close_reason",
    "normal",
]


def year_snapshots(periods: list[date], year: int) -> tuple[date, date]:
    """A business year's (start, end): the last loaded period of the previous year and the year's last loaded
    period. Raises ValueError when either year has no loaded period."""
    before = [p for p in periods if p.year == year - 1]
    within = [p for p in periods if p.year == year]
    if not before or not within:
        raise ValueError(f"business year {year} needs a loaded period in {year - 1 if not before else year}")
    return before[-1], within[-1]


def business_years(periods: list[date]) -> list[int]:
    """The years that can be assessed as a business year (a loaded period in the year and in the year before),
    latest first."""
    years = {p.year for p in periods}
    return sorted((y for y in years if y - 1 in years), reverse=True)


def lost_high_value(con: duckdb.DuckDBPyConnection, start: date, end: date, scope: Scope) -> pd.DataFrame:
    """The high-value customers lost between two month ends (a business year: year_snapshots), one row each.

    口径: at `start` present and in one of the policy's accountability.high_value_tiers or holding one of its
    high_value_cards, and not maintained at `end` (a customer who left and came back maintained is not lost).
    Units are those at `start` (the maintainer and branch accountable). outcome: closed (a closed row after the
    start, none present at the end), left (no row at the end, never closed) or fell_below (present at the end,
    no maintained rule holds). close_reason: the reason on the latest closed row after the start; normal: it is
    one of the policy's normal_reasons (listed, not counted against anyone). Returns columns: customer_id,
    region, sub_branch, branch_id, manager_id, tier_start (tier code), card_level, aum_start, outcome,
    close_reason, normal; ordered by aum_start, largest first.
    """
    policy = current_policy(con)
    periods = loaded_periods(con)
    start, end = require_period(periods, start), require_period(periods, end)
    rule = policy.accountability
    ranks = [policy.rank_of(code) for code in rule.high_value_tiers]
    condition, params = scope.sql("c")
    params |= {
        "start": start,
        "end": end,
        "ranks": ranks,
        "cards": list(rule.high_value_cards),
        "normal": list(rule.normal_reasons),
    }
    return fetch(
        con,
        f"""
        with high_value as (
            select c.customer_id, c.region, c.sub_branch, c.branch_id, c.manager_id, c.tier, c.card_level, c.aum
            from customer_snapshot c
            where c.period = $start and c.status <> 'closed' and {condition}
              and (list_contains($ranks::integer[], c.tier::integer)
                   or list_contains($cards::varchar[], c.card_level))
        ),
        later as (
            select customer_id,
                   bool_or(period = $end and status <> 'closed') as present_end,
                   bool_or(period = $end and status <> 'closed' and maintained_rules > 0) as maintained_end,
                   bool_or(status = 'closed') as closed,
                   arg_max(close_reason, period) filter (where status = 'closed') as close_reason
            from customer_snapshot
            where period > $start and period <= $end and customer_id in (select customer_id from high_value)
            group by customer_id
        ),
        final as (
            select h.customer_id, h.region, h.sub_branch, h.branch_id, h.manager_id,
                   d.code as tier_start, h.card_level, h.aum as aum_start,
                   case when coalesce(l.present_end, false) then 'fell_below'
                        when coalesce(l.closed, false) then 'closed' else 'left' end as outcome,
                   case when not coalesce(l.present_end, false) then l.close_reason end as close_reason,
                   coalesce(not coalesce(l.present_end, false)
                            and list_contains($normal::varchar[], l.close_reason), false) as normal
            from high_value h join tier_def d on d.rank = h.tier left join later l using (customer_id)
            where not coalesce(l.maintained_end, false)
        )
        select * from final order by aum_start desc, customer_id
        """,
        params,
    )[DETAIL_COLUMNS]


def accountability(con: duckdb.DuckDBPyConnection, start: date, end: date, level: Level, scope: Scope) -> pd.DataFrame:
    """The tally of lost_high_value per unit at the start (manager: the maintainer, branch: the branch head's).

    口径: lost_customers and lost_aum_start count the lost high-value customers of the unit whose close reason
    is not a normal one; normal_customers counts the others, listed apart. Units with no lost customer of
    either kind are left out. Returns columns: unit, unit_name, lost_customers, lost_aum_start,
    normal_customers; ordered by lost_aum_start, largest first.
    """
    level = parse_level(level)
    lost = lost_high_value(con, start, end, scope)
    units = lost[UNIT_COLUMNS[level]]
    if level == "manager":
        units = units.fillna(UNASSIGNED_PREFIX + lost["branch_id"])
    elif level != "branch":
        units = units.fillna(NO_UNIT)
    counted = lost["aum_start"].astype(float).where(~lost["normal"].astype(bool), 0.0)
    grouped = (
        pd.DataFrame({"unit": units, "lost": ~lost["normal"].astype(bool), "aum": counted, "normal": lost["normal"]})
        .groupby("unit", as_index=False)
        .agg(lost_customers=("lost", "sum"), lost_aum_start=("aum", "sum"), normal_customers=("normal", "sum"))
    )
    grouped = grouped.astype({"lost_customers": "int64", "normal_customers": "int64", "lost_aum_start": float})
    grouped["lost_aum_start"] = grouped["lost_aum_start"].round(2)  # cents, as summed from the extract
    counted = grouped.sort_values(["lost_aum_start", "unit"], ascending=[False, True]).reset_index(drop=True)
    return with_labels(con, counted, level, scope, end)
