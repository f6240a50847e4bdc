"""The embedded DuckDB store: where the database lives, its tables, and the policy recorded in it."""
from __future__ import annotations

import functools

from pathlib import Path

import duckdb

from analytics.policy import Policy, load_policy, parse_policy

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_ROOT / "data" / "bank.duckdb"

MONEY = "decimal(18,2)"
TOTAL = "decimal(38,2)"

SCHEMA = f"""
create table if not exists meta (key varchar primary key, value varchar not null);
create table if not exists customer_snapshot (
    period date not null,
    customer_id varchar not null,
    branch_id varchar not null,
    branch_name varchar,
    sub_branch varchar,
    region varchar,
    manager_id varchar,
    manager_name varchar,
    manager_role varchar,
    customer_name varchar,
    id_number varchar,
    phone varchar,
    birth_date date,
    age smallint,
    gender varchar,
    card_level varchar,
    status varchar not null,
    open_date date,
    aum {MONEY} not null,
    aum_month_avg {MONEY},
    deposit_balance {MONEY},
    wealth_balance {MONEY},
    fund_balance {MONEY},
    insurance_balance {MONEY},
    credit_card_spend_ytd {MONEY},
    loan_balance {MONEY},
    product_count smallint,
    products varchar[],
    tier tinyint
);
create table if not exists tier_def (
    rank tinyint primary key, code varchar not null, name_zh varchar not null, name_en varchar not null,
    min_aum {MONEY} not null
);
create table if not exists policy_in_force (
    sha256 varchar not null, source varchar, text varchar not null, applied_at timestamp not null
);
create sequence if not exists load_id_seq;
create table if not exists load_log (
    load_id bigint primary key, loaded_at timestamp not null, file_name varchar not null, sha256 varchar not null,
    periods varchar, rows bigint, aum_total {TOTAL}, policy_sha256 varchar, outcome varchar not null,
    problems bigint not null default 0, message varchar
);
create table if not exists period_source (
    period date primary key, load_id bigint not null, sha256 varchar not null, file_name varchar not null,
    rows bigint not null, aum_total {TOTAL} not null
);
create table if not exists tier_summary (
    period date not null, region varchar, sub_branch varchar, branch_id varchar not null, manager_id varchar,
    card_level varchar, tier tinyint not null, customers bigint not null, aum {TOTAL} not null,
    maintained bigint not null, covered bigint not null, with_products bigint not null, no_phone bigint not null, below_floor bigint not null
);
create table if not exists band_summary (
    period date not null, region varchar, sub_branch varchar, branch_id varchar not null, manager_id varchar,
    band tinyint not null, customers bigint not null, aum {TOTAL} not null
);
create table if not exists unit_directory (
    period date not null, region varchar, sub_branch varchar, branch_id varchar not null, branch_name varchar,
    manager_id varchar, manager_name varchar, manager_role varchar, customers bigint not null
);
create table if not exists period_pair (
    period_from date not null, period_to date not null, kind varchar not null
);
create table if not exists concentration_summary (  -- Lorenz and Gini of the whole bank per period
    period date not null, customers bigint not null, aum {TOTAL}, gini double,
    curve struct(customer_share double, aum_share double)[] not null
);
create table if not exists retention_summary (  -- the retention triangle's cells per unit of entry
    cohort integer not null, quarters_after integer not null, period date not null, branch_id varchar,
    manager_id varchar, cohort_size bigint not null, retained bigint not null
);
create table if not exists survival_summary (  -- first events of the default survival cohort per unit at the start
    start date not null, branch_id varchar, manager_id varchar, start_tier tinyint not null, k integer,
    event varchar, customers bigint not null
);
create table if not exists top_customers (  -- the bank's first customers by AUM: the explorer's opening list
    period date not null, position integer not null, customer_id varchar not null, customer_name varchar,
    id_number varchar, phone varchar, branch_id varchar not null, branch_name varchar, manager_id varchar,
    manager_name varchar, card_level varchar, tier varchar, age smallint, aum {MONEY} not null, product_count smallint
);
create table if not exists scorecard_summary (  -- the scorecard's counts per pair and finest unit (derived.py)
    period_from date not null, period_to date not null, region varchar, sub_branch varchar, branch_id varchar,
    manager_id varchar, maintained_start bigint not null, maintained_end bigint not null, churned bigint not null,
    upgraded bigint not null, covered_end bigint not null, with_products_end bigint not null, aum_start {TOTAL},
    aum_end {TOTAL}
);
create table if not exists migration_summary (
    period_from date not null, period_to date not null, region varchar, sub_branch varchar,
    branch_id varchar not null, manager_id varchar, from_tier tinyint not null, to_tier tinyint not null,
    customers bigint not null, aum_from {TOTAL}, aum_to {TOTAL}, attrited bigint not null
);
"""

# Derived tables are rebuilt from customer_snapshot whenever their layout changes: bump this with the layout.
DERIVED_VERSION = "7"
DERIVED_TABLES = ("tier_summary", "band_summary", "unit_directory", "period_pair", "migration_summary",
                  "concentration_summary", "retention_summary", "survival_summary",
                  "top_customers", "scorecard_summary")

NEW = -1  # from_tier of customers not present at the start
EXITED = -1  # to_tier of customers not present at the end


def connect(path: Path | str | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the database, creating its tables when writable."""
    path = Path(path) if path else DEFAULT_DB
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute("set enable_progress_bar = false")
    con.execute(SCHEMA)
    _upgrade_derived(con)
    return con


def is_current_layout(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the database's derived tables have this version's layout."""
    row = first_row(con, "select value from meta where key = 'derived_version'")
    return bool(row) and row[0] == DERIVED_VERSION


def _upgrade_derived(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the derived tables of a database written by an older layout (they hold nothing of their own)."""
    if is_current_layout(con):
        return
    from analytics import derived

    con.execute("begin transaction")
    try:
        for table in DERIVED_TABLES:
            con.execute(f"drop table if exists {table}")
        con.execute(SCHEMA)
        if first_row(con, "select count(*) from period_source")[0]:
            derived.refresh(con, current_policy(con), None)
        con.execute("insert or replace into meta values ('derived_version', ?)", [DERIVED_VERSION])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def first_row(con: duckdb.DuckDBPyConnection, sql: str, params: object = None) -> tuple | None:
    """The first row of a query, reading the result to its end (DuckDB 2.0 results hold the connection)."""
    rows = con.execute(sql, params).fetchall() if params is not None else con.execute(sql).fetchall()
    return rows[0] if rows else None


def policy_in_force(con: duckdb.DuckDBPyConnection) -> Policy | None:
    row = first_row(con, "select text, source from policy_in_force order by applied_at desc limit 1")
    return _parsed_policy(row[0], row[1] or "<recorded policy>") if row else None


@functools.lru_cache(maxsize=16)
def _parsed_policy(text: str, source: str) -> Policy:
    """Policies are immutable: every page asks for the one in force, parsed once per text."""
    return parse_policy(text, source)


def current_policy(con: duckdb.DuckDBPyConnection) -> Policy:
    """The policy recorded in the database, or the default policy file for a new database."""
    return policy_in_force(con) or load_policy()


def record_policy(con: duckdb.DuckDBPyConnection, policy: Policy) -> None:
    con.execute("delete from policy_in_force")
    con.execute("insert into policy_in_force values (?, ?, ?, current_timestamp)",
                [policy.sha256, policy.source, policy.text])
    con.execute("delete from tier_def")
    con.executemany("insert into tier_def values (?, ?, ?, ?, ?)",
                    [[t.rank, t.code, t.name_zh, t.name_en, t.min_aum] for t in policy.tiers])


def periods(con: duckdb.DuckDBPyConnection) -> list:
    return [row[0] for row in con.execute("select period from period_source order by period").fetchall()]
