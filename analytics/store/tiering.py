"""Each customer's tier path, and who is maintained: the columns a load computes on every snapshot row after
writing it (raw_tier, tier, strikes, maintained_rules, relationship, preference, and aum_before / rules_before: the
customer's AUM and maintained rules at the month end before, kept so that the lists comparing a month with the one
before read one month's rows), period by period in order, because with a downgrade buffer a customer's tier depends
on their tier at the loaded period before (design.md §4).

Loading or replacing a period re-tiers it and the later periods, stopping at the first later period that does not
change; a new policy re-tiers the whole history. Everything runs on the load's own connection, inside its
transaction.
"""

from __future__ import annotations

from datetime import date

import duckdb

from analytics.core.periods import add_months
from analytics.core.policy import Policy
from analytics.core.policy_rules import RULE_BITS
from analytics.core.sql import execute, one_row
from analytics.store.derived.query import Query
from analytics.store.derived.tiers import tier_expression

PATH_COLUMNS = (
    "raw_tier", "tier", "strikes", "maintained_rules", "relationship", "preference", "aum_before", "rules_before",
)  # fmt: skip
# retier's work tables: the rows to write (one per period), the path of the period just computed, that period's select
_CHANGES, _STATE, _STEP = "retier_changes", "retier_state", "retier_step"
_STORED = {"row_id": "rowid", **{f"stored_{c}": c for c in PATH_COLUMNS}}  # carried through path_sql to compare


def _min_of(policy: Policy, rank: str) -> str:
    """The minimum basis of the tier `rank` (an SQL expression), from the $tier_min_<rank> parameters."""
    whens = " ".join(f"when {t.rank} then $tier_min_{t.rank}" for t in policy.tiers[1:])
    return f"(case {rank} {whens} else 0 end)"


def maintained_sql(policy: Policy) -> tuple[str, dict]:
    """The maintained_rules bit mask (RULE_BITS) of a row with columns tier, age, card_level and the amounts."""
    rules = policy.maintained
    tier_rule = "tier >= $m_from"
    params: dict = {"m_from": rules.from_rank}
    for i, (rank, below) in enumerate(rules.age_limits):
        tier_rule += f" and not (tier = $age_tier_{i} and coalesce(age >= $age_below_{i}, false))"
        params |= {f"age_tier_{i}": rank, f"age_below_{i}": below}
    terms = [f"case when {tier_rule} then {RULE_BITS['tier']} else 0 end"]
    if rules.card_levels:
        terms.append(f"case when list_contains($m_cards, card_level) then {RULE_BITS['card']} else 0 end")
        params["m_cards"] = list(rules.card_levels)
    for key, column in (("spend", "credit_card_spend_ytd"), ("loan", "loan_balance"), ("margin", "depository_margin")):
        bound = getattr(rules, column)
        if bound is not None:
            terms.append(f"case when {column} >= $m_{key} then {RULE_BITS[key]} else 0 end")
            params[f"m_{key}"] = bound
    return " + ".join(terms), params


# the columns of a path step that the next period's step reads (as `previous`, under customer_snapshot's names)
STEP_STATE = ("customer_id", "tier", "strikes", "amount", "aum", "maintained_rules")


def _state_names(policy: Policy) -> list[tuple[str, str]]:
    """(step column, customer_snapshot name) of STEP_STATE: a step's `amount` is the basis column (aum itself when
    the basis is aum)."""
    named = [(c, policy.basis if c == "amount" else c) for c in STEP_STATE]
    return [(c, name) for c, name in named if not (c == "aum" and policy.basis == "aum")]


def state_columns(policy: Policy) -> list[str]:
    """The customer_snapshot columns a period's path is read from by the next period's step (besides period)."""
    return [name for _, name in _state_names(policy)]


def state_of_step(policy: Policy) -> str:
    """The select list turning a path step's rows into state_columns."""
    return ", ".join(c if c == name else f"{c} as {name}" for c, name in _state_names(policy))


def step_params(p: date, q: date | None) -> dict:
    """The parameters of one step of path_sql: the period, the loaded period before, and whether that is the
    calendar month before (only then are aum_before and rules_before filled)."""
    return {"p": p, "q": q, "month_before": q is not None and q == add_months(p, -1)}


def path_sql(
    policy: Policy,
    current: str = "customer_snapshot",
    previous: str = "customer_snapshot",
    carry: dict[str, str] | None = None,
) -> tuple[str, dict]:
    """The path columns of every row of period $p of `current`, from its row and the customer's row at the period
    before ($q) in `previous` (its period and state_columns; tier is null on closed rows), as a select of
    customer_id, PATH_COLUMNS, the row's basis amount and aum; then the `carry` columns (name: expression on the
    row of `current`), passed through unchanged. Parameters of a step: step_params."""
    carried = "".join(f", {expr} as {name}" for name, expr in (carry or {}).items())
    carried_names = "".join(f", {name}" for name in carry or {})
    raw, params = tier_expression(policy, policy.basis)
    buffer = policy.tiering
    params |= {
        "keep_share": 1 - (buffer.downgrade_margin if buffer else 0),
        "after": buffer.downgrade_after if buffer else 1,
        "near_share": policy.relationship.near_share,
        "growth": 1 + policy.relationship.growth_rate,
        "vip_cards": list(policy.relationship.vip_cards),
        "deposit_share": policy.preference.deposit_share,
        "fee_share": policy.preference.fee_share,
        "maintained_min": policy.tiers[policy.maintained.from_rank].min_aum,
    }
    rules, rule_params = maintained_sql(policy)
    held = f"c.amount >= $keep_share * {_min_of(policy, 'q.tier')}"
    return (
        f"""
        with current_rows as (
            select customer_id, status, {policy.basis} as amount, aum, age, card_level, credit_card_spend_ytd,
                   loan_balance, depository_margin, deposit_balance, wealth_balance, fund_balance, insurance_balance,
                   {raw} as raw_tier{carried}
            from {current} where period = $p
        ),
        previous_rows as (
            select customer_id, tier, strikes, {policy.basis} as amount, aum, maintained_rules
            from {previous} where period = $q and tier is not null
        ),
        stepped as (
            select c.*, q.amount as previous_amount,
                   case when $month_before then q.aum end as aum_before,
                   case when $month_before then coalesce(q.maintained_rules, 0) else 0 end as rules_before,
                   case when c.status = 'closed' then null
                        when q.tier is null or c.raw_tier >= q.tier then c.raw_tier
                        when {held} then q.tier
                        when q.strikes + 1 < $after then q.tier
                        else c.raw_tier end as tier,
                   case when c.status = 'closed' or q.tier is null or c.raw_tier >= q.tier or {held} then 0
                        when q.strikes + 1 < $after then q.strikes + 1
                        else 0 end as strikes
            from current_rows c left join previous_rows q using (customer_id)
        ),
        ruled as (
            select *, case when status = 'closed' then 0 else {rules} end as maintained_rules,
                   coalesce(deposit_balance, 0) + coalesce(wealth_balance, 0) + coalesce(fund_balance, 0)
                       + coalesce(insurance_balance, 0) as balances
            from stepped
        ),
        final as (
            select customer_id, raw_tier, tier, strikes::tinyint as strikes, maintained_rules::utinyint as maintained_rules,
                   case when status = 'closed' then null
                        when maintained_rules > 0 and list_contains($vip_cards, card_level) then 3
                        when maintained_rules > 0 then 2
                        when amount >= $near_share * $maintained_min
                             or (previous_amount > 0 and amount >= $growth * previous_amount) then 1
                        else 0 end::tinyint as relationship,
                   case when status = 'closed' then null
                        when balances <= 0 then 0
                        when coalesce(deposit_balance, 0) >= $deposit_share * balances then 1
                        when balances - coalesce(deposit_balance, 0) >= $fee_share * balances then 3
                        else 2 end::tinyint as preference,
                   aum_before, rules_before::utinyint as rules_before, amount, aum{carried_names}
            from ruled
        )
        select * from final
    """,
        params | rule_params,
    )


def path_query(
    policy: Policy,
    p: date,
    q: date | None,
    current: str = "customer_snapshot",
    previous: str = "customer_snapshot",
) -> Query:
    """path_sql for period `p` after the loaded period `q` (None for the first), as a query of its own: the
    warehouse computes each period's path columns with it, in order."""
    select, params = path_sql(policy, current, previous)
    return Query("customer_snapshot", select, params | step_params(p, q))


def _stored_previous(policy: Policy) -> str:
    """customer_snapshot with each row's tier by the bounds and maintained rules worked out from its row (without a
    buffer the tier is the tier by the bounds); path_sql's parameters hold theirs."""
    raw, _ = tier_expression(policy, policy.basis)
    rules, _ = maintained_sql(policy)
    worked_out = {"strikes": "0 as strikes", "maintained_rules": f"{rules} as maintained_rules"}
    picked = ", ".join(worked_out.get(c, c) for c in state_columns(policy))
    return f"(select period, {picked} from (select * replace ({raw} as tier) from customer_snapshot))"


def retier(con: duckdb.DuckDBPyConnection, policy: Policy, written: set[date] | None) -> set[date]:
    """Compute the path columns of the periods `written` (all when None) and of the later periods, in order; after
    the last written period, later periods are followed while they change. Returns the periods whose rows changed.

    Each period's path is computed from its rows and the path just computed for the period before (kept in a small
    table of state_columns); only the rows whose path columns change are collected, and written in one update at the
    end. Without a buffer a customer's tier does not depend on the tier before, only on whether they were present
    there (and the relationship on the basis there), so each period reads the stored period before it instead, its
    maintained rules worked out again from its row (the stored ones are not yet updated while the whole history is
    re-tiered under a new policy)."""
    periods = [row[0] for row in con.execute("select distinct period from period_source order by period").fetchall()]
    if not periods or (written is not None and not written):
        return set()
    first = 0 if written is None else next((i for i, p in enumerate(periods) if p >= min(written)), len(periods))
    last_written = periods[-1] if written is None else max(written)
    buffered = policy.tiering is not None
    select, params = path_sql(policy, previous=_STATE if buffered else _stored_previous(policy), carry=_STORED)
    differs = " or ".join(f"{c} is distinct from stored_{c}" for c in PATH_COLUMNS)
    columns = ", ".join(PATH_COLUMNS)
    # every work table is made by one `create table ... as`: in DuckDB 2.0 rows inserted into a temporary table of
    # the transaction after an insert that added none can be lost to its scans
    if buffered:
        execute(
            con,
            f"create or replace temp table {_STATE} as select period, {', '.join(state_columns(policy))} "
            "from customer_snapshot where period = $q and tier is not null",
            {"q": periods[first - 1] if first else None},
        )
    changed: set[date] = set()
    changes: list[str] = []
    for i in range(first, len(periods)):
        p, q = periods[i], periods[i - 1] if i else None
        bound = params | step_params(p, q)
        step = _STEP if buffered else f"({select})"
        if buffered:
            execute(con, f"create or replace temp table {_STEP} as {select}", bound)
        changes.append(f"{_CHANGES}_{i}")
        execute(
            con,
            f"create or replace temp table {changes[-1]} as select row_id, {columns} from {step} where {differs}",
            bound,
        )
        if buffered:
            execute(
                con,
                f"create or replace temp table {_STATE} as select $p as period, {state_of_step(policy)} "
                f"from {_STEP} where tier is not null",
                {"p": p},
            )
        if one_row(con, f"select count(*) from {changes[-1]}")[0]:
            changed.add(p)
        elif p > last_written:
            break  # nothing changed here, so nothing after it can
    if changed:
        assignments = ", ".join(f"{c} = x.{c}" for c in PATH_COLUMNS)
        rows = " union all ".join(f"select * from {table}" for table in changes)
        execute(con, f"update customer_snapshot s set {assignments} from ({rows}) x where s.rowid = x.row_id")
    for table in (*changes, _STATE, _STEP):  # a failed step leaves them to the rollback
        execute(con, f"drop table if exists {table}")
    return changed
