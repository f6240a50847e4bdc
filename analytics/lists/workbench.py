"""The manager's workbench: this week's call list, one row per customer with every reason to call."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pandas as pd

from analytics.core.periods import add_months, require_period
from analytics.core.policy import basis_column
from analytics.core.scope import Scope
from analytics.core.sql import fetch
from analytics.lists.paging import page_of_customers
from analytics.store.catalog import loaded_periods
from analytics.store.policy_record import current_policy
from analytics.store.schema import PERSON

# the reasons, in the order a row lists them
REASONS = ("down", "up", "outflow", "churned", "birthday", "contact", "unassigned")
COLUMNS = (
    *PERSON,
    "reasons",
    "tier",
    "at_stake",
    "aum",
    "aum_before",
    "aum_change",
    "gap_down",
    "gap_up",
    "last_contact",
)


def week_start(day: date) -> date:
    """The Monday of `day`'s week: contacts on or after it count as followed up this week."""
    return day - timedelta(days=day.weekday())


def call_list(
    con: duckdb.DuckDBPyConnection,
    period: date,
    scope: Scope,
    contacts: pd.DataFrame | None = None,
    today: date | None = None,
    near: float = 0.1,
    outflow_min: Decimal | float | None = None,
    outflow_drop: Decimal | float | None = None,
    birthday_min: Decimal | float | None = None,
    sort_by: str = "at_stake",
    descending: bool = True,
    limit: int | None = 100,
    offset: int = 0,
    reveal: bool = False,
    reason: str | None = None,
    counted: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """This week's call list: customers with at least one reason to call, one row each, all reasons listed.

    口径: customers in scope at month end `period` (status not closed), plus those maintained at the month end
    before and closed or gone at `period` (listed under last month's branch and manager). `contacts` holds the
    follow-up log's latest contact per customer (customer_id, last_contact); customers contacted on or after the
    Monday of `today`'s week are followed up and left out (their number is in attrs["followed_up"]). Amounts on
    the policy's basis. Reasons (comma-separated, in this order): down = maintained, tier above the lowest, and
    strikes > 0 (held by the downgrade buffer) or basis below (1 + near) x the tier's minimum; up = basis at least
    (1 - near) x the next tier's minimum; outflow = AUM at the month end before >= outflow_min and fallen by
    >= outflow_drop (defaults: the policy's lists.outflow_min and lists.outflow_drop); churned = maintained at the month end before, not maintained (or gone) at `period`;
    birthday = born in the month after `today`'s and AUM >= birthday_min (default: lists.birthday_min); contact = maintained, the tier has a
    contact standard (policy contact_every_days) and no contact within that many days before `today`;
    unassigned = maintained with no manager. at_stake = the larger of AUM at `period` and at the month end
    before (what the bank can lose); gap_down = basis - the tier's minimum (null in the lowest tier);
    gap_up = the next tier's minimum - basis. With `reason`, only the rows listing that reason. A closed or gone customer has aum 0 and last month's tier.
    Returns columns: customer_id, customer_name, id_number, phone, branch_id, branch_name, manager_id,
    manager_name, card_level, reasons, tier, at_stake, aum, aum_before, aum_change, gap_down, gap_up,
    last_contact.
    """
    if reason not in (None, *REASONS):
        raise ValueError(f"unknown reason {reason!r}")
    policy = current_policy(con)
    period = require_period(loaded_periods(con), period)
    today = today or date.today()
    basis = basis_column(policy.basis)
    contacts = contacts if contacts is not None else pd.DataFrame(columns=["customer_id", "last_contact"])
    standard = [(t.rank, t.contact_every_days) for t in policy.tiers if t.contact_every_days]
    condition, params = scope.sql("c")
    params |= {
        "period": period,
        "near": near,
        "outflow_min": Decimal(str(policy.lists.outflow_min if outflow_min is None else outflow_min)),
        "outflow_drop": Decimal(str(policy.lists.outflow_drop if outflow_drop is None else outflow_drop)),
        "birthday_min": Decimal(str(policy.lists.birthday_min if birthday_min is None else birthday_min)),
        "birthday_month": add_months(today.replace(day=1), 1).month,
        "today": today,
        "week_start": week_start(today),
        "contact_ids": [str(c) for c in contacts["customer_id"]],
        "contact_dates": list(contacts["last_contact"]),
        "standard_ranks": [rank for rank, _ in standard],
        "standard_days": [days for _, days in standard],
        "reason": reason,
    }
    person = ", ".join(PERSON)
    # not followed up this week, and listing the reason asked for
    shown = (
        "(last_contact is null or last_contact < $week_start) "
        "and ($reason::varchar is null or list_contains(string_split(reasons, ','), $reason::varchar))"
    )
    ctes = f"""
        with contacts as (
            select unnest($contact_ids::varchar[]) as customer_id, unnest($contact_dates::date[]) as last_contact
        ),
        standard as (
            select unnest($standard_ranks::integer[]) as rank, unnest($standard_days::integer[]) as days
        ),
        now_rows as (
            select {", ".join(f"c.{p}" for p in PERSON)}, true as present, c.tier, c.strikes, c.maintained_rules,
                   c.aum, c.{basis} as amount, c.birth_date, c.aum_before, c.rules_before
            from customer_snapshot c
            where c.period = $period and c.status <> 'closed' and {condition}
        ),
        gone_rows as (
            select {", ".join(f"c.{p}" for p in PERSON)}, false as present, c.tier, 0 as strikes,
                   0 as maintained_rules, 0 as aum, null as amount, null as birth_date, c.aum_before, c.rules_before
            from month_leavers c
            where c.period = $period and {condition}
        ),
        candidates as (
            select r.*, d.code as tier_code, d.min_aum, n.min_aum as next_min, s.days as contact_days, k.last_contact
            from (select * from now_rows union all select * from gone_rows) r
            join tier_def d on d.rank = r.tier
            left join tier_def n on n.rank = r.tier + 1
            left join standard s on s.rank = r.tier
            left join contacts k on k.customer_id = r.customer_id
        ),
        flagged as (
            select *,
                   present and maintained_rules > 0 and min_aum > 0
                       and (strikes > 0 or amount < (1 + $near) * min_aum) as is_down,
                   present and next_min is not null and amount >= (1 - $near) * next_min as is_up,
                   present and aum_before >= $outflow_min and aum_before - aum >= $outflow_drop as is_outflow,
                   rules_before > 0 and (not present or maintained_rules = 0) as is_churned,
                   present and aum >= $birthday_min and month(birth_date) = $birthday_month as is_birthday,
                   present and maintained_rules > 0 and contact_days is not null
                       and (last_contact is null or last_contact <= $today - contact_days::integer) as is_contact,
                   present and maintained_rules > 0 and manager_id is null as is_unassigned
            from candidates
        ),
        listed as (
            select *,
                   concat_ws(',', {", ".join(f"case when is_{r} then '{r}' end" for r in REASONS)}) as reasons
            from flagged
            where is_down or is_up or is_outflow or is_churned or is_birthday or is_contact or is_unassigned
        ),
        final as (
            select {person}, reasons, tier_code as tier, greatest(aum, coalesce(aum_before, 0)) as at_stake, aum,
                   aum_before, aum - aum_before as aum_change,
                   case when min_aum > 0 then amount - min_aum end as gap_down, next_min - amount as gap_up,
                   last_contact
            from listed
            where {shown}
        )"""
    if counted is None:  # both counts in one pass over listed: the columns they do not read are never decoded
        counts = fetch(
            con,
            f"""{ctes}
            select count(*) filter (where {shown}) as n,
                   count(*) filter (where last_contact >= $week_start) as followed_up
            from listed
        """,
            params,
        )
        counted = (int(counts["n"].iloc[0]), int(counts["followed_up"].iloc[0]))
    total, followed_up = counted
    frame = page_of_customers(
        con,
        ctes,
        params | {"total_rows": total},
        COLUMNS,
        sort_by,
        descending,
        limit,
        offset,
        reveal,
        "select $total_rows::bigint as n",
    )
    frame.attrs["followed_up"] = followed_up
    return frame
