"""Contact coverage (联系覆盖率): the share of maintained customers contacted within their tier's standard."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics.core.periods import require_period
from analytics.core.scope import Scope
from analytics.core.sql import fetch
from analytics.lists.books import unit_columns
from analytics.lists.contacted import contacts_cte
from analytics.store.catalog import loaded_periods
from analytics.store.policy_record import current_policy


def _covered(
    con: duckdb.DuckDBPyConnection,
    period: date,
    level: str,
    scope: Scope,
    contacts: pd.DataFrame | None,
    as_of: date,
    by_tier: bool,
) -> pd.DataFrame:
    policy = current_policy(con)
    period = require_period(loaded_periods(con), period)
    select, group = unit_columns(level, "c")
    condition, params = scope.sql("c")
    contacts_sql, contact_params = contacts_cte(contacts)
    standard = [(t.rank, t.contact_every_days) for t in policy.tiers if t.contact_every_days]
    params |= contact_params | {
        "period": period,
        "as_of": as_of,
        "ranks": [rank for rank, _ in standard],
        "days": [days for _, days in standard],
    }
    tier_select = ", d.code as tier, s.days as contact_every_days" if by_tier else ""
    tier_group = ", d.code, s.days, c.tier" if by_tier else ""
    return fetch(
        con,
        f"""
        with {contacts_sql},
        standard as (select unnest($ranks::integer[]) as rank, unnest($days::integer[]) as days),
        counts as (
            select {select}{tier_select}, count(*) as maintained,
                   count(*) filter (where k.last_contact > $as_of - s.days and k.last_contact <= $as_of)
                       as contacted{", c.tier as rank" if by_tier else ""}
            from customer_snapshot c
            join standard s on s.rank = c.tier
            join tier_def d on d.rank = c.tier
            left join contacts k on k.customer_id = c.customer_id
            where c.period = $period and c.status <> 'closed' and c.maintained_rules > 0 and {condition}
            group by {group}{tier_group}
        ),
        final as (select *, contacted / maintained as contact_coverage_rate from counts)
        select * {"exclude (rank)" if by_tier else ""} from final order by unit{", rank" if by_tier else ""}
    """,
        params,
    )


def contact_coverage(
    con: duckdb.DuckDBPyConnection,
    period: date,
    level: str,
    scope: Scope,
    contacts: pd.DataFrame | None,
    as_of: date,
) -> pd.DataFrame:
    """Contact coverage per unit x tier: maintained customers contacted within the tier's contact standard.

    口径: maintained customers at `period` in a tier with a contact standard (policy contact_every_days), by unit
    and tier at `period`; contacted = the latest contact in the follow-up log (`contacts`: customer_id,
    last_contact, as of `as_of`) is after `as_of` - contact_every_days and not after `as_of`. contact_coverage_rate
    = contacted / maintained. Tiers without a standard are not listed. Returns columns: unit, branch_id,
    branch_name (+ manager_id, manager_name by manager), tier, contact_every_days, maintained, contacted,
    contact_coverage_rate.
    """
    return _covered(con, period, level, scope, contacts, as_of, by_tier=True)


def unit_contact_coverage(
    con: duckdb.DuckDBPyConnection,
    period: date,
    level: str,
    scope: Scope,
    contacts: pd.DataFrame | None,
    as_of: date,
) -> pd.DataFrame:
    """Contact coverage per unit over every tier with a standard (a scorecard column, not weighted).

    口径: as contact_coverage, the tiers with a standard taken together. `unit` is the scorecard's unit key
    (manager level: unassigned@<branch_id> for a branch's customers without a manager), one row per unit: a
    manager whose book spans branches is counted over all of them, branch_id being the branch with most of
    those customers (then the lowest id). Returns columns: unit, branch_id, branch_name (+ manager_id,
    manager_name by manager), maintained, contacted, contact_coverage_rate.
    """
    rows = _covered(con, period, level, scope, contacts, as_of, by_tier=False)
    if level != "manager":
        return rows
    home = rows.sort_values(["unit", "maintained", "branch_id"], ascending=[True, False, True])
    home = home.drop_duplicates("unit").drop(columns=["maintained", "contacted", "contact_coverage_rate"])
    counts = rows.groupby("unit", as_index=False)[["maintained", "contacted"]].sum()
    frame = home.merge(counts, on="unit").sort_values("unit", ignore_index=True)
    return frame.assign(contact_coverage_rate=frame["contacted"] / frame["maintained"])
