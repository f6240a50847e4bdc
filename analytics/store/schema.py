"""The store's tables: customer snapshots, the policy and load records, and the derived (summary) tables."""

from __future__ import annotations

MONEY = "decimal(18,2)"
TOTAL = "decimal(38,2)"

# customer_snapshot's columns added after its first layout: a database written before them gets them (empty) when it
# is next opened for writing
ADDED_COLUMNS: dict[str, str] = {
    "aum_year_avg": MONEY,
    "depository_margin": MONEY,
    "close_reason": "varchar",
    "address": "varchar",
    "employer": "varchar",
    # the tier path and who is maintained (store.tiering): the tier by the bounds alone, month ends in a row below
    # the buffer, the maintained rules that hold (bits of core.policy_rules.RULE_BITS), the relationship and
    # product-preference types (codes into core.policy_rules.RELATIONSHIPS / PREFERENCES)
    "raw_tier": "tinyint",
    "strikes": "tinyint",
    "maintained_rules": "utinyint",
    "relationship": "tinyint",
    "preference": "tinyint",
    # the customer's AUM and maintained rules at the month end before (null and 0 when not present there, or when
    # that month end is not loaded), for the lists comparing a month with the one before
    "aum_before": MONEY,
    "rules_before": "utinyint",
}


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
    tier tinyint,
    {", ".join(f"{column} {kind}" for column, kind in ADDED_COLUMNS.items())}
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
create table if not exists period_source (  -- per period: its rows and AUM, the files they came from, the last load
    period date primary key, load_id bigint not null, sha256 varchar not null, file_name varchar not null,
    rows bigint not null, aum_total {TOTAL} not null
);
create table if not exists branch_source (  -- per period x branch: the load its rows came from (store.branches)
    period date not null, branch_id varchar not null, load_id bigint not null, sha256 varchar not null,
    file_name varchar not null, rows bigint not null, aum_total {TOTAL} not null, primary key (period, branch_id)
);
create table if not exists tier_summary (
    period date not null, region varchar, sub_branch varchar, branch_id varchar not null, manager_id varchar,
    card_level varchar, tier tinyint not null, customers bigint not null, aum {TOTAL} not null,
    maintained bigint not null, covered bigint not null, with_products bigint not null, no_phone bigint not null,
    below_floor bigint not null, maintained_aum {TOTAL} not null, maintained_beyond_tier bigint not null
);
create table if not exists segment_summary (  -- relationship x product-preference types per unit x tier
    period date not null, branch_id varchar not null, manager_id varchar, tier tinyint not null,
    relationship tinyint not null, preference tinyint not null, customers bigint not null, aum {TOTAL} not null
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
    manager_name varchar, card_level varchar, tier varchar, maintained_by varchar, relationship tinyint,
    preference tinyint, age smallint, aum {MONEY} not null, product_count smallint
);
create table if not exists scorecard_summary (  -- the scorecard's counts per pair and finest unit (store.derived.pairs)
    period_from date not null, period_to date not null, region varchar, sub_branch varchar, branch_id varchar,
    manager_id varchar, maintained_start bigint not null, maintained_end bigint not null, churned bigint not null,
    upgraded bigint not null, covered_end bigint not null, with_products_end bigint not null, aum_start {TOTAL},
    aum_end {TOTAL}
);
create table if not exists migration_summary (
    period_from date not null, period_to date not null, region varchar, sub_branch varchar,
    branch_id varchar not null, manager_id varchar, from_tier tinyint not null, to_tier tinyint not null,
    customers bigint not null, aum_from {TOTAL}, aum_to {TOTAL}, active_from bigint not null,
    attrited bigint not null, maintained_from boolean not null, maintained_to boolean not null
);
create table if not exists pair_customers (  -- each customer of a kept quarter pair, start and end (store.derived)
    period_from date not null, period_to date not null, customer_id varchar not null, branch_id varchar not null,
    manager_id varchar, branch_to varchar, manager_to varchar, from_tier tinyint not null, to_tier tinyint not null,
    aum_from {MONEY}, aum_to {MONEY}, rules_from utinyint, rules_to utinyint, end_status varchar,
    end_aum {MONEY}, customer_name varchar, id_number varchar, phone varchar, branch_name varchar,
    manager_name varchar, card_level varchar, end_same boolean not null, to_customer_name varchar,
    to_id_number varchar, to_phone varchar, to_branch_name varchar, to_manager_name varchar, to_card_level varchar,
    relationship tinyint, preference tinyint, age smallint, product_count smallint
);
create table if not exists month_leavers (  -- maintained at the month end before, gone at `period` (store.derived)
    period date not null, customer_id varchar not null, customer_name varchar, id_number varchar, phone varchar,
    branch_id varchar not null, branch_name varchar, manager_id varchar, manager_name varchar, card_level varchar,
    tier tinyint not null, aum_before {MONEY} not null, rules_before utinyint not null
);
"""

# Derived tables are rebuilt from customer_snapshot whenever their layout changes: bump this with the layout.
DERIVED_VERSION = "10"


DERIVED_TABLES = (
    "tier_summary",
    "segment_summary",
    "band_summary",
    "unit_directory",
    "period_pair",
    "migration_summary",
    "concentration_summary",
    "retention_summary",
    "survival_summary",
    "top_customers",
    "scorecard_summary",
    "pair_customers",
    "month_leavers",
)

# the snapshot columns that say who a listed customer is and who maintains them, first in every customer list
PERSON = (
    "customer_id",
    "customer_name",
    "id_number",
    "phone",
    "branch_id",
    "branch_name",
    "manager_id",
    "manager_name",
    "card_level",
)

NEW = -1  # from_tier of customers not present at the start


EXITED = -1  # to_tier of customers not present at the end
