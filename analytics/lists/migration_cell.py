"""The customers behind the migration matrix: one cell, or every customer of a move (up, down, stay, exited, new)."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics.core.periods import require_period
from analytics.core.scope import Scope
from analytics.lists.paging import page_of_customers
from analytics.store.catalog import loaded_periods
from analytics.store.derived import pair_customers
from analytics.store.policy_record import current_policy
from analytics.store.schema import EXITED, NEW, PERSON

# a move -> its condition on the start and end ranks (NEW: not present at the start, EXITED: not at the end)
MOVE_CONDITIONS: dict[str, str] = {
    "up": f"from_rank <> {NEW} and to_rank <> {EXITED} and to_rank > from_rank",
    "down": f"from_rank <> {NEW} and to_rank <> {EXITED} and to_rank < from_rank",
    "stay": f"from_rank <> {NEW} and to_rank = from_rank",
    "exited": f"to_rank = {EXITED}",
    "new": f"from_rank = {NEW}",
}
MOVES = tuple(MOVE_CONDITIONS)


def migration_customers(
    con: duckdb.DuckDBPyConnection,
    start: date,
    end: date,
    scope: Scope,
    from_tier: str | None = None,
    to_tier: str | None = None,
    move: str | None = None,
    sort_by: str = "aum_from",
    descending: bool = True,
    limit: int | None = 50,
    offset: int = 0,
    reveal: bool = False,
    precomputed: bool = True,
) -> pd.DataFrame:
    """The customers behind the migration matrix from `start` to `end`: one cell (from_tier x to_tier, with
    `new` / `exited`), or every customer of a move (up, down, stay, exited, new).

    口径: as migration_matrix: present = has a row that is not closed; a customer belongs to the unit of the
    start row (new customers: of the end row) and the scope filters on it. up / down = present at both ends in
    a higher / lower tier at the end; exited = present at the start, not at the end; new = the reverse.
    Returns columns: customer_id, customer_name, id_number, phone, branch_id, branch_name, manager_id,
    manager_name, card_level, from_tier, to_tier, aum_from, aum_to, aum_change.
    A kept quarter pair is read from pair_customers (precomputed=False: always live; the same answer).
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
        filters.append(MOVE_CONDITIONS[move])
    columns = (*PERSON, "from_tier", "to_tier", "aum_from", "aum_to", "aum_change")
    if precomputed and pair_customers.kept(con, start, end):
        ctes = f"""
        with final as (
            select {", ".join(f"p.{c}" for c in PERSON)},
                   coalesce(a.code, 'new') as from_tier, coalesce(b.code, 'exited') as to_tier,
                   coalesce(p.aum_from, 0) as aum_from, coalesce(p.aum_to, 0) as aum_to,
                   coalesce(p.aum_to, 0) - coalesce(p.aum_from, 0) as aum_change
            from (select *, from_tier as from_rank, to_tier as to_rank from pair_customers
                  where period_from = $start and period_to = $end) p
            left join tier_def a on a.rank = p.from_rank
            left join tier_def b on b.rank = p.to_rank
            where {" and ".join(filters)}
        )"""
        return page_of_customers(con, ctes, params, columns, sort_by, descending, limit, offset, reveal)
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
            select {", ".join(PERSON)},
                   coalesce(a.code, 'new') as from_tier, coalesce(b.code, 'exited') as to_tier,
                   aum_from, aum_to, aum_to - aum_from as aum_change
            from joined
            left join tier_def a on a.rank = from_rank
            left join tier_def b on b.rank = to_rank
            where {" and ".join(filters)}
        )"""
    return page_of_customers(con, ctes, params, columns, sort_by, descending, limit, offset, reveal)
