"""Unassigned maintained customers with a suggested maintainer (待分配客户及建议管户人).

The rule: among the managers of the customer's branch, those whose role fits the customer's tier best, and of
them the one with the smallest book. A role's fit for a tier is the share of that tier in the maintained book of
all managers of the role across the bank at the month end (a 理财经理's book is mostly wealth customers, a
大堂经理's mostly affluent): the data say which role serves which tier, so no role name is written into the
code. A manager's branch is the branch of most of their customers; their book is every customer present
whose maintainer they are. Ties go to the lower manager_id. A branch without managers gets no suggestion.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics.core.periods import require_period
from analytics.core.policy_rules import maintained_by_sql
from analytics.core.scope import Scope
from analytics.lists.paging import page_of_customers
from analytics.store.catalog import loaded_periods
from analytics.store.schema import PERSON

COLUMNS = (  # what the user acts on first: who should take the customer over
    "tier",
    "aum",
    "suggested_manager_name",
    "suggested_role",
    "suggested_book",
    "suggested_manager_id",
    "maintained_by",
    *PERSON,
)


def unassigned_with_suggestion(
    con: duckdb.DuckDBPyConnection,
    period: date,
    scope: Scope,
    sort_by: str = "aum",
    descending: bool = True,
    limit: int | None = 100,
    offset: int = 0,
    reveal: bool = False,
) -> pd.DataFrame:
    """Maintained customers with no manager at `period`, each with the manager the rule above suggests.

    口径: maintained at `period` and manager empty; suggested_* = the branch's manager whose role has the
    highest share of the customer's tier in its maintained book bank-wide, then the smallest book
    (suggested_book: customers present in their book), then the lower manager_id. Returns columns: tier, aum,
    suggested_manager_name, suggested_role, suggested_book, suggested_manager_id, maintained_by, customer_id,
    customer_name, id_number, phone, branch_id, branch_name, manager_id, manager_name, card_level.
    """
    period = require_period(loaded_periods(con), period)
    condition, params = scope.sql("c")
    params["period"] = period
    person = ", ".join(f"c.{column}" for column in PERSON)
    ctes = f"""
        with present as (
            select * from customer_snapshot where period = $period and status <> 'closed'
        ),
        per_branch as (
            select manager_id, branch_id, count(*) as customers, max(manager_name) as manager_name,
                   max(manager_role) as manager_role
            from present where manager_id is not null group by manager_id, branch_id
        ),
        managers as (
            select manager_id, arg_max(branch_id, customers) as branch_id, sum(customers) as book,
                   max(manager_name) as manager_name, max(manager_role) as manager_role
            from per_branch group by manager_id
        ),
        role_tiers as (
            select coalesce(manager_role, '') as role, tier, count(*) as customers
            from present where manager_id is not null and maintained_rules > 0 group by 1, 2
        ),
        role_fit as (
            select role, tier, customers / sum(customers) over (partition by role) as fit from role_tiers
        ),
        unassigned as (
            select {person}, c.tier as rank, {maintained_by_sql("c.maintained_rules")} as maintained_by, c.aum
            from present c
            where c.maintained_rules > 0 and c.manager_id is null and {condition}
        ),
        ranked as (
            select u.customer_id, m.manager_id, m.manager_name, m.manager_role, m.book,
                   row_number() over (partition by u.customer_id
                                      order by coalesce(f.fit, 0) desc, m.book, m.manager_id) as choice
            from unassigned u
            join managers m on m.branch_id = u.branch_id
            left join role_fit f on f.role = coalesce(m.manager_role, '') and f.tier = u.rank
        ),
        final as (
            select u.* exclude (rank), d.code as tier, r.manager_id as suggested_manager_id,
                   r.manager_name as suggested_manager_name, r.manager_role as suggested_role,
                   r.book as suggested_book
            from unassigned u
            join tier_def d on d.rank = u.rank
            left join ranked r on r.customer_id = u.customer_id and r.choice = 1
        )"""
    frame = page_of_customers(con, ctes, params, COLUMNS, sort_by, descending, limit, offset, reveal)
    frame["suggested_book"] = frame["suggested_book"].astype("Int64")  # a count; empty without a suggestion
    return frame
