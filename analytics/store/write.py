"""The load's writes, each inside the load's transaction: the rows a file replaces (its branches of its periods, or
whole periods: store.branches) written in customer_snapshot with their tiers, checked against the file, recorded in
load_log, branch_source and period_source, the derived tables refreshed; and a new policy re-tiering the whole
history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb

from analytics.core.policy import Policy
from analytics.core.sql import execute, first_row, one_row, transaction
from analytics.ingest.validate import STAGED
from analytics.store import branches
from analytics.store.derived.refresh import refresh
from analytics.store.derived.tiers import tier_expression
from analytics.store.load_result import LoadResult
from analytics.store.policy_record import record_policy
from analytics.store.tiering import retier

SNAPSHOT_COLUMNS = (  # the columns a load writes, in the order of the staged select
    "period", "customer_id", "branch_id", "branch_name", "sub_branch", "region", "manager_id", "manager_name",
    "manager_role", "customer_name", "id_number", "phone", "birth_date", "age", "gender", "card_level", "status",
    "open_date", "aum", "aum_month_avg", "deposit_balance", "wealth_balance", "fund_balance", "insurance_balance",
    "credit_card_spend_ytd", "loan_balance", "product_count", "products", "aum_year_avg", "depository_margin",
    "close_reason", "address", "employer",
)  # fmt: skip


def apply_policy(con: duckdb.DuckDBPyConnection, policy: Policy) -> bool:
    """Record `policy` and re-tier the whole history if it differs from the one in force; True if it did."""
    recorded = first_row(con, "select sha256 from policy_in_force")
    if recorded and recorded[0] == policy.sha256:
        return False
    with transaction(con):
        record_policy(con, policy)
        basis = policy.basis
        if basis != "aum":
            missing = one_row(con, f"select count(*) from customer_snapshot where {basis} is null")[0]
            if missing:
                raise ValueError(
                    f"{policy.source}: basis {basis} is empty on {missing} loaded rows; "
                    f"load extracts that carry it first"
                )
        retier(con, policy, None)
        retiered = one_row(con, "select count(*) from customer_snapshot")[0]
        refresh(con, policy, None, rows_changed=False)  # amounts and units are as they were
        log_load(
            con,
            policy.source or "<policy>",
            policy.sha256,
            [],
            retiered,
            Decimal(0),
            policy,
            "policy",
            0,
            f"policy in force; {retiered} rows re-tiered",
        )
    return True


AGE_AT_PERIOD = (
    "date_diff('year', birth_date, period) - "
    "case when strftime(period, '%m%d') < strftime(birth_date, '%m%d') then 1 else 0 end"
)


def _snapshot_select(staged_columns: set[str], has_flags: bool) -> str:
    """Staged columns as snapshot columns; absent ones null, age and product count derived where possible."""
    exprs = {c: c if c in staged_columns else "null" for c in SNAPSHOT_COLUMNS}
    if "status" not in staged_columns:
        exprs["status"] = "'active'"
    if "age" not in staged_columns and "birth_date" in staged_columns:
        exprs["age"] = AGE_AT_PERIOD
    if "product_count" not in staged_columns and has_flags:
        exprs["product_count"] = "len(products)"
    return ", ".join(f"{expr} as {column}" for column, expr in exprs.items())


def write_extract(
    con: duckdb.DuckDBPyConnection,
    result: LoadResult,
    sha: str,
    policy: Policy,
    data_rows: int,
    has_flags: bool,
    replace_period: bool = False,
) -> None:
    """Write the staged file (its period x branch in `branches.FILE_BRANCHES`): in each of its periods the rows of
    the branches it holds are replaced, the other branches kept; with `replace_period` the whole periods."""
    staged_columns = {r[0] for r in con.execute(f"select column_name from (describe {STAGED})").fetchall()}
    case, params = tier_expression(policy, policy.basis)
    result.replace_period = replace_period
    others = branches.other_branches(con)
    if replace_period:
        result.removed_branches, kept = others, 0
    else:
        result.kept_branches, kept = others, branches.kept_rows(con)
    with transaction(con):
        branches.delete_replaced(con, result.periods, replace_period)
        execute(
            con,
            f"""
            insert into customer_snapshot ({", ".join(SNAPSHOT_COLUMNS)}, tier)
            with typed as (select {_snapshot_select(staged_columns, has_flags)} from {STAGED})
            select *, {case} as tier from typed order by period, branch_id, customer_id
        """,
            params,
        )
        written, total, in_periods = branches.written_rows(con, result.periods)
        if written != data_rows or total != result.aum_total or in_periods != data_rows + kept:
            raise RuntimeError(
                f"{result.file}: check failed: wrote {written} rows / AUM {total} ({in_periods} in its periods), "
                f"file has {data_rows} rows / AUM {result.aum_total} ({kept} kept)"
            )
        load_id = log_load(
            con,
            result.file,
            sha,
            result.periods,
            result.rows,
            result.aum_total,
            policy,
            "loaded",
            0,
            "; ".join([*result.warnings, *filter(None, [result.branch_note()])]) or None,
        )
        branches.record_sources(con, load_id, sha, result.file, result.periods, replace_period)
        refresh(con, policy, set(result.periods) | retier(con, policy, set(result.periods)))


def log_load(
    con: duckdb.DuckDBPyConnection,
    file: str,
    sha: str,
    periods: list[date],
    rows: int,
    aum: Decimal,
    policy: Policy,
    outcome: str,
    problems: int,
    message: str | None,
) -> int:
    return one_row(
        con,
        """
        insert into load_log values (nextval('load_id_seq'), current_timestamp, $file, $sha256, $periods, $rows,
                                     $aum, $policy_sha256, $outcome, $problems, $message)
        returning load_id
    """,
        {
            "file": file,
            "sha256": sha,
            "periods": ",".join(p.isoformat() for p in periods),
            "rows": rows,
            "aum": aum,
            "policy_sha256": policy.sha256,
            "outcome": outcome,
            "problems": problems,
            "message": message,
        },
    )[0]
