"""The daily watch lists the rules require: large outflows, birthdays next month, and handovers between managers.

Every list takes sort_by (one of its columns), descending, limit and offset; the number of rows before paging is
in `frame.attrs["total_rows"]`. Names, ID numbers and phones come back masked unless reveal=True. `contacts` is
the follow-up log's latest contact per customer (customer_id, last_contact), shown as last_contact.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pandas as pd

from analytics.core.periods import add_months, require_period
from analytics.core.scope import Scope
from analytics.lists.contacted import contacts_cte
from analytics.lists.paging import page_of_customers
from analytics.store.catalog import loaded_periods
from analytics.store.policy_record import current_policy
from analytics.store.schema import PERSON

_PERSON_SQL = ", ".join(f"c.{column}" for column in PERSON)
# each list leads with what the user acts on, the personal columns last
OUTFLOW_COLUMNS = ("tier", "aum_before", "aum", "aum_change", "change_rate", "last_contact", *PERSON)
BIRTHDAY_COLUMNS = ("birthday", "tier", "aum", "last_contact", *PERSON)
HANDOVER_COLUMNS = (
    "outcome",
    "tier_start",
    "tier",
    "aum_before",
    "aum",
    "aum_change",
    "manager_before_name",
    "manager_before_id",
    "last_contact",
    *PERSON,
)


def outflow_watch(
    con: duckdb.DuckDBPyConnection,
    period: date,
    scope: Scope,
    contacts: pd.DataFrame | None = None,
    outflow_min: Decimal | float | None = None,
    outflow_drop: Decimal | float | None = None,
    sort_by: str = "aum_change",
    descending: bool = False,
    limit: int | None = 100,
    offset: int = 0,
    reveal: bool = False,
) -> pd.DataFrame:
    """The outflow watch (大额资金变动): customers whose AUM fell sharply since the month end before.

    口径: present at `period` and at the month end before, AUM before >= outflow_min and AUM before - AUM now >=
    outflow_drop (defaults: the policy's lists.outflow_min and lists.outflow_drop, 10万 and 5万); unit and
    maintainer as at `period`. change_rate = aum_change / aum_before. Returns columns: tier, aum_before, aum,
    aum_change, change_rate, last_contact, customer_id, customer_name, id_number, phone, branch_id, branch_name,
    manager_id, manager_name, card_level.
    """
    rules = current_policy(con).lists
    period = require_period(loaded_periods(con), period)
    condition, params = scope.sql("c")
    contacts_sql, contact_params = contacts_cte(contacts)
    params |= contact_params | {
        "period": period,
        "prev": add_months(period, -1),
        "min": Decimal(str(rules.outflow_min if outflow_min is None else outflow_min)),
        "drop": Decimal(str(rules.outflow_drop if outflow_drop is None else outflow_drop)),
    }
    ctes = f"""
        with {contacts_sql},
        final as (
            select {_PERSON_SQL}, d.code as tier, p.aum as aum_before, c.aum, c.aum - p.aum as aum_change,
                   (c.aum - p.aum) / p.aum as change_rate, k.last_contact
            from customer_snapshot c
            join customer_snapshot p on p.customer_id = c.customer_id and p.period = $prev and p.status <> 'closed'
            join tier_def d on d.rank = c.tier
            left join contacts k on k.customer_id = c.customer_id
            where c.period = $period and c.status <> 'closed' and p.aum >= $min and p.aum - c.aum >= $drop
              and {condition}
        )"""
    return page_of_customers(con, ctes, params, OUTFLOW_COLUMNS, sort_by, descending, limit, offset, reveal)


def birthday_list(
    con: duckdb.DuckDBPyConnection,
    period: date,
    scope: Scope,
    today: date,
    contacts: pd.DataFrame | None = None,
    birthday_min: Decimal | float | None = None,
    sort_by: str = "birthday",
    descending: bool = False,
    limit: int | None = 100,
    offset: int = 0,
    reveal: bool = False,
) -> pd.DataFrame:
    """Birthdays next month (生日客户): customers of birthday_min and more born in the month after `today`'s.

    口径: present at `period`, AUM >= birthday_min (default: the policy's lists.birthday_min, 100万) and birth
    month = the month after today's; birthday is month-day (MM-DD), never the year. Returns columns: birthday,
    tier, aum, last_contact, customer_id, customer_name, id_number, phone, branch_id, branch_name, manager_id,
    manager_name, card_level.
    """
    rules = current_policy(con).lists
    period = require_period(loaded_periods(con), period)
    condition, params = scope.sql("c")
    contacts_sql, contact_params = contacts_cte(contacts)
    params |= contact_params | {
        "period": period,
        "min": Decimal(str(rules.birthday_min if birthday_min is None else birthday_min)),
        "month": add_months(today.replace(day=1), 1).month,
    }
    ctes = f"""
        with {contacts_sql},
        final as (
            select {_PERSON_SQL}, d.code as tier, c.aum, strftime(c.birth_date, '%m-%d') as birthday, k.last_contact
            from customer_snapshot c
            join tier_def d on d.rank = c.tier
            left join contacts k on k.customer_id = c.customer_id
            where c.period = $period and c.status <> 'closed' and c.aum >= $min and month(c.birth_date) = $month
              and {condition}
        )"""
    return page_of_customers(con, ctes, params, BIRTHDAY_COLUMNS, sort_by, descending, limit, offset, reveal)


def handover_list(
    con: duckdb.DuckDBPyConnection,
    start: date,
    end: date,
    scope: Scope,
    contacts: pd.DataFrame | None = None,
    sort_by: str = "aum_before",
    descending: bool = True,
    limit: int | None = 100,
    offset: int = 0,
    reveal: bool = False,
) -> pd.DataFrame:
    """Handovers (交接): maintained customers whose manager changed between two month ends.

    口径: maintained at `start`, present at `end` with another manager_id (or none: the manager left the book
    unassigned). Listed to the unit that took the customer over (the row at `end` in the scope): the book a
    manager handed over is no longer theirs to see (handover_churn counts it). outcome: kept (maintained at
    `end`) or churned. Branch and manager are those at `end`; manager_before_* those at `start`. Returns columns:
    outcome, tier_start, tier, aum_before, aum, aum_change, manager_before_name, manager_before_id, last_contact,
    customer_id, customer_name, id_number, phone, branch_id, branch_name, manager_id, manager_name, card_level.
    """
    periods = loaded_periods(con)
    start, end = require_period(periods, start), require_period(periods, end)
    condition, params = scope.sql("c")
    contacts_sql, contact_params = contacts_cte(contacts)
    params |= contact_params | {"start": start, "end": end}
    ctes = f"""
        with {contacts_sql},
        final as (
            select {_PERSON_SQL}, s.manager_id as manager_before_id, s.manager_name as manager_before_name,
                   case when c.maintained_rules > 0 then 'kept' else 'churned' end as outcome,
                   ds.code as tier_start, d.code as tier, s.aum as aum_before, c.aum, c.aum - s.aum as aum_change,
                   k.last_contact
            from customer_snapshot s
            join customer_snapshot c on c.customer_id = s.customer_id and c.period = $end and c.status <> 'closed'
            join tier_def ds on ds.rank = s.tier
            join tier_def d on d.rank = c.tier
            left join contacts k on k.customer_id = c.customer_id
            where s.period = $start and s.status <> 'closed' and s.maintained_rules > 0
              and c.manager_id is distinct from s.manager_id and {condition}
        )"""
    return page_of_customers(con, ctes, params, HANDOVER_COLUMNS, sort_by, descending, limit, offset, reveal)
