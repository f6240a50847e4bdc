"""The customers of each pair of consecutive quarter ends, kept at load: one row per customer present at either end,
with the start and the end side by side, so that the lists comparing two month ends (moved down, at risk, churned
high-value, the explorer's AUM-change filter) read one table instead of joining two months of customer_snapshot.

At ten million customers a list joining two month ends costs 1-5 s (a hash join of two 10M-row months); the kept
rows make it a scan of one table. They are written in the order the join gives them (the end month's rows, which
customer_snapshot keeps by branch, then those who left), not sorted: a branch's rows sit together all the same, so
a branch's list reads few row groups (at 10M a branch's count 7.8 ms against 5.9 ms sorted), and the sort of 10M wide
rows (12 s of CPU) is saved at load. The names, ID numbers and phones are kept as on the start row, and as on the end
row only where they differ.

DuckDB only: the warehouse build (Spark) does not write this table; an attached build leaves it empty and the
lists compute their answers live, as they do for any pair not kept (the consecutive months, a custom pair).
Which pairs are kept: consecutive quarter ends (the quarter's start and end month ends the pages open on).
"""

from __future__ import annotations

from datetime import date

import duckdb

from analytics.core.periods import Quarter, quarter_ends
from analytics.core.sql import execute, fetch_rows
from analytics.store.derived.query import Query, insert
from analytics.store.schema import EXITED, NEW

TABLE = "pair_customers"


def kept_pairs(periods: list[date]) -> list[tuple[date, date]]:
    """The pairs kept: consecutive quarter ends, both loaded."""
    ends = quarter_ends(periods)
    return [(a, b) for a, b in zip(ends, ends[1:]) if Quarter.of(b) == Quarter.of(a).shift(1)]


# the personal columns of a listed customer (besides customer_id, branch_id, manager_id), kept as on the unit row;
# the end row's are kept beside them only where they differ (end_same false)
PERSON_KEPT = ("customer_name", "id_number", "phone", "branch_name", "manager_name", "card_level")
END_ONLY = ("relationship", "preference", "age", "product_count")  # the explorer's columns, as on the end row


def end_person(alias: str) -> dict[str, str]:
    """SQL of each PERSON_KEPT column as on the end row (rows present at the end)."""
    return {c: f"case when {alias}.end_same then {alias}.{c} else {alias}.to_{c} end" for c in PERSON_KEPT}


def query(a: date, b: date) -> Query:
    """The rows of the pair (a, b). The unit row is the start row, or the end row for a customer new at the end
    (as the migration matrix credits it): branch_id, manager_id and PERSON_KEPT are the unit row's; branch_to /
    manager_to the end row's (present). from_tier is NEW when not present at the start, to_tier EXITED when not
    present at the end (present = a row that is not closed); aum_* and rules_* are the present rows' (null when
    absent); end_status and end_aum are the end row's whatever its status (null: no row at the end); end_same:
    present at the end with PERSON_KEPT as on the unit row, else the end row's are in to_<column>."""
    person = ", ".join(f"s.{c} as s_{c}, f.{c} as f_{c}" for c in PERSON_KEPT)
    same = " and ".join(f"s.{c} is not distinct from f.{c}" for c in PERSON_KEPT)
    return Query(
        TABLE,
        f"""
        with start as (
            select customer_id, branch_id, manager_id, tier, aum, maintained_rules, {", ".join(PERSON_KEPT)}
            from customer_snapshot where period = $a and status <> 'closed'
        ),
        finish as (
            select customer_id, branch_id, manager_id, tier, aum, maintained_rules, status,
                   {", ".join(PERSON_KEPT)}, {", ".join(END_ONLY)}
            from customer_snapshot where period = $b
        ),
        joined as (
            select coalesce(s.customer_id, f.customer_id) as customer_id,
                   case when s.customer_id is null then f.branch_id else s.branch_id end as branch_id,
                   case when s.customer_id is null then f.manager_id else s.manager_id end as manager_id,
                   case when f.status <> 'closed' then f.branch_id end as branch_to,
                   case when f.status <> 'closed' then f.manager_id end as manager_to,
                   coalesce(s.tier, {NEW}) as from_tier,
                   case when f.status <> 'closed' then f.tier else {EXITED} end as to_tier,
                   s.aum as aum_from,
                   case when f.status <> 'closed' then f.aum end as aum_to,
                   s.maintained_rules as rules_from,
                   case when f.status <> 'closed' then f.maintained_rules end as rules_to,
                   f.status as end_status,
                   f.aum as end_aum,
                   s.customer_id is null as is_new,
                   f.status <> 'closed' and (s.customer_id is null or ({same})) as end_same,
                   f.status <> 'closed' as present_to,
                   {person},
                   {", ".join(f"case when f.status <> 'closed' then f.{c} end as {c}" for c in END_ONLY)}
            from start s full outer join finish f on s.customer_id = f.customer_id
            where s.customer_id is not null or f.status <> 'closed'
        ),
        final as (
            select $a as period_from, $b as period_to, customer_id, branch_id, manager_id, branch_to, manager_to,
                   from_tier, to_tier, aum_from, aum_to, rules_from, rules_to, end_status, end_aum,
                   {", ".join(f"case when is_new then f_{c} else s_{c} end as {c}" for c in PERSON_KEPT)},
                   coalesce(end_same, false) as end_same,
                   {", ".join(f"case when present_to and not end_same then f_{c} end as to_{c}" for c in PERSON_KEPT)},
                   {", ".join(END_ONLY)}
            from joined
        )
        select * from final
    """,
        {"a": a, "b": b},
    )


def refresh(con: duckdb.DuckDBPyConnection, periods: list[date], stale: set[date], rows_changed: bool = True) -> None:
    """Inside the load's transaction: drop the pairs that are no longer kept or touch a changed period, and build
    the kept pairs that are missing. rows_changed=False (a new policy: only the tiers, rules and types of the rows
    changed): a kept pair touching a changed period has those columns set again instead (retiered)."""
    wanted = kept_pairs(periods)
    built = {(a, b) for a, b in execute(con, f"select distinct period_from, period_to from {TABLE}")}
    keep = {(a, b) for a, b in wanted if a not in stale and b not in stale}
    retier = set() if rows_changed else (built & set(wanted)) - keep
    for a, b in built - keep - retier:
        con.execute(f"delete from {TABLE} where period_from = $a and period_to = $b", {"a": a, "b": b})
    for a, b in wanted:
        if (a, b) in retier:
            retiered(con, a, b)
        elif (a, b) not in keep or (a, b) not in built:
            insert(con, query(a, b))


# the kept columns a policy decides, and the snapshot columns they are read from
DECIDED_START = (("from_tier", "tier"), ("rules_from", "maintained_rules"))
DECIDED_END = (("to_tier", "tier"), ("rules_to", "maintained_rules"), ("relationship", "relationship"),
               ("preference", "preference"))  # fmt: skip


def retiered(con: duckdb.DuckDBPyConnection, a: date, b: date) -> None:
    """The pair's columns a policy decides (from_tier and rules_from of the rows present at the start; to_tier,
    rules_to and the END_ONLY types of those present at the end) set from the re-tiered month ends, on the rows
    where they differ. Everything else in a row reads amounts, statuses, units and persons, which no policy changes;
    tests/rulebook compares the result with a load under the new policy."""
    for side, period, columns in (("s", "$a", DECIDED_START), ("f", "$b", DECIDED_END)):
        assignments = ", ".join(f"{kept} = {side}.{source}" for kept, source in columns)
        differ = " or ".join(f"p.{kept} is distinct from {side}.{source}" for kept, source in columns)
        con.execute(
            f"""update {TABLE} p set {assignments} from customer_snapshot {side}
                where p.period_from = $a and p.period_to = $b and {side}.period = {period}
                  and {side}.customer_id = p.customer_id and {side}.status <> 'closed' and ({differ})""",
            {"a": a, "b": b},
        )


def kept(con: duckdb.DuckDBPyConnection, a: date, b: date) -> bool:
    """Whether the pair's rows are kept (a reader of an older file without the table: no)."""
    try:
        return bool(
            fetch_rows(
                con, f"select 1 from {TABLE} where period_from = $a and period_to = $b limit 1", {"a": a, "b": b}
            )
        )
    except duckdb.CatalogException:
        return False
