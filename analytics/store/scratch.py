"""What-if stores: the stored snapshots re-tiered under another policy in a database in memory, with the derived
tables the reports read, so that every report runs on it unchanged and nothing is written to the bank's database.

Only the columns the tiers, the maintained rules, the types and the summaries need are copied (names and numbers
stay in the bank's database), and only the month ends the question needs: with a downgrade buffer every month end
up to the last asked for (tiers are path-dependent), else just those asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb

from analytics.core.policy import Policy
from analytics.store.derived.pairs import build_pair
from analytics.store.derived.tiers import build_period
from analytics.store.policy_record import record_policy
from analytics.store.schema import SCHEMA
from analytics.store.tiering import (
    PATH_COLUMNS,
    STEP_STATE,
    path_sql,
    state_columns,
    state_of_step,
    step_params,
)

COPIED = (
    "period", "customer_id", "branch_id", "branch_name", "sub_branch", "region", "manager_id", "manager_name",
    "manager_role", "phone", "age", "card_level", "status", "aum", "aum_month_avg", "aum_year_avg",
    "deposit_balance", "wealth_balance", "fund_balance", "insurance_balance", "credit_card_spend_ytd",
    "loan_balance", "depository_margin", "product_count", "close_reason",
)  # fmt: skip
SCRATCH_MEMORY = "4GB"

Progress = Callable[[float, str], None]


def periods_needed(loaded: list[date], asked: list[date], policy: Policy) -> list[date]:
    """The month ends a what-if must re-tier to answer for `asked`."""
    if policy.tiering is None:
        return sorted(set(asked))
    return [p for p in loaded if p <= max(asked)]


def scratch_store(
    database: Path, policy: Policy, asked: list[date], pairs: list[tuple[date, date]], progress: Progress | None = None
) -> duckdb.DuckDBPyConnection:
    """An in-memory store of the month ends `asked` (and the pairs `pairs`) tiered under `policy`, with the tier and
    maintained rules in force beside them (table in_force); sealed (no file access) once filled.
    `progress(share, step)` hears of each step.

    The month ends before those asked (with a buffer) only carry the tier path forward: each is read from the bank's
    database and reduced to what the next month end's path reads (tiering.state_columns, table path_state), never
    copied whole."""
    progress = progress or (lambda _share, _step: None)
    con = duckdb.connect(":memory:")
    con.execute("set memory_limit = $limit", {"limit": SCRATCH_MEMORY})
    con.execute("set enable_progress_bar = false")
    con.execute(SCHEMA)
    con.execute("attach $path as source (read_only)", {"path": str(database)})
    loaded = [row[0] for row in con.execute("select period from source.period_source order by period").fetchall()]
    missing = sorted(set(asked) - set(loaded))
    if missing:
        raise ValueError(f"period {missing[0]} is not loaded")
    periods = periods_needed(loaded, asked, policy)
    record_policy(con, policy)
    columns = ", ".join(COPIED)
    state = state_columns(policy)
    con.execute(
        f"create table path_state as select period, {', '.join(state)} from source.customer_snapshot where false"
    )
    con.execute("create table in_force (period date, customer_id varchar, tier tinyint, maintained_rules utinyint)")
    for i, period in enumerate(periods):
        progress(0.05 + 0.6 * i / len(periods), "tiers")
        bound = step_params(period, periods[i - 1] if i else None)
        if period in asked:
            con.execute(
                f"insert into customer_snapshot ({columns}) select {columns} from source.customer_snapshot "
                "where period = $p",
                {"p": period},
            )
            con.execute(
                "insert into in_force select period, customer_id, tier, maintained_rules from source.customer_snapshot "
                "where period = $p and status <> 'closed'",
                {"p": period},
            )
        select, params = path_sql(policy, "source.customer_snapshot", "path_state")
        if period not in asked:  # only the path goes on: the rules and types of this month end are not read
            select = f"select {', '.join(STEP_STATE)} from ({select})"
        con.execute(f"create or replace temp table step as {select}", params | bound)
        if period in asked:
            assignments = ", ".join(f"{c} = x.{c}" for c in PATH_COLUMNS)
            con.execute(
                f"update customer_snapshot s set {assignments} from step x "
                "where s.period = $p and s.customer_id = x.customer_id",
                {"p": period},
            )
        con.execute("delete from path_state")
        con.execute(f"insert into path_state select $p, {state_of_step(policy)} from step", {"p": period})
    con.execute(
        "insert into period_source select * from source.period_source where period in (select unnest($p::date[]))",
        {"p": sorted(set(asked))},
    )
    con.execute("detach source")
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")
    progress(0.7, "summaries")
    for period in sorted(set(asked)):
        build_period(con, policy, period)
    for a, b in pairs:
        build_pair(con, policy, a, b)
        con.execute("insert into period_pair values ($a, $b, 'what-if')", {"a": a, "b": b})
    progress(1.0, "done")
    return con
