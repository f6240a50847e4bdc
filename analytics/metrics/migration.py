"""Tier migration between two month ends, pooled one-period transition matrices, and projections from them."""

from __future__ import annotations

from datetime import date
from itertools import product
from typing import Any, Literal

import duckdb
import numpy as np
import pandas as pd

from analytics.core.periods import Quarter, add_months, months_between, require_period
from analytics.core.scope import Scope
from analytics.core.sql import fetch, fetch_rows
from analytics.core.stats import add_rate
from analytics.core.units import Level, unit_key
from analytics.metrics.labels import with_labels
from analytics.store.catalog import loaded_periods
from analytics.store.derived.pairs import pair_summary_sql
from analytics.store.policy_record import current_policy
from analytics.store.schema import EXITED, NEW

Step = Literal["period", "quarter"]


def pair_rows_sql(
    con: duckdb.DuckDBPyConnection, pairs: list[tuple[date, date]], precomputed: bool = True
) -> tuple[str, dict]:
    """A select giving migration_summary rows for `pairs`: the precomputed rows of pairs built at load, and the
    same aggregate computed live from customer_snapshot for any other pair (or all, with precomputed=False)."""
    periods = loaded_periods(con)
    for a, b in pairs:
        require_period(periods, a), require_period(periods, b)
        if not a < b:
            raise ValueError(f"start {a} must be before end {b}")
    built = set(fetch_rows(con, "select period_from, period_to from period_pair")) if precomputed else set()
    stored = [p for p in pairs if p in built]
    parts: list[str] = []
    params: dict[str, Any] = {"floor": current_policy(con).attrition_floor}
    if stored:
        parts.append("""select m.* from migration_summary m
                        join (select unnest($stored_from::date[]) as f, unnest($stored_to::date[]) as t) p
                          on m.period_from = p.f and m.period_to = p.t""")
        params.update(stored_from=[a for a, _ in stored], stored_to=[b for _, b in stored])
    for i, (a, b) in enumerate(p for p in pairs if p not in stored):
        parts.append(pair_summary_sql(f"$live_from_{i}::date", f"$live_to_{i}::date"))
        params.update({f"live_from_{i}": a, f"live_to_{i}": b})
    return " union all ".join(f"select * from ({part})" for part in parts), params


def _label(ranks: pd.Series, codes: list[str], missing: str) -> list[str]:
    return [missing if r < 0 else codes[r] for r in ranks]


def migration_matrix(
    con: duckdb.DuckDBPyConnection,
    start: date,
    end: date,
    scope: Scope,
    level: Level | None = None,
    precomputed: bool = True,
) -> pd.DataFrame:
    """Customers moving from their tier at `start` to their tier at `end` (any two loaded month ends).

    口径: rows are the tier at the start plus `new` (not present at the start), columns the tier at the end plus
    `exited` (not present at the end: left, or closed). A customer belongs to the unit of the start row (new
    customers: of the end row), and the scope filters on that unit. aum_from / aum_to: the cell's AUM at the
    start and at the end (0 for new at the start and for exited at the end). row_share = customers / customers
    of the row. Every cell is listed, zeros included. Returns columns: [unit, unit_name], from_tier, to_tier,
    from_rank, to_rank (-1 for new / exited), customers, row_share, aum_from, aum_to.
    """
    source, params = pair_rows_sql(con, [(start, end)], precomputed)
    condition, scope_params = scope.sql()
    cells = fetch(
        con,
        f"""
        with pair as ({source}),
        final as (
            select {unit_key(level)} as unit, from_tier as from_rank, to_tier as to_rank,
                   sum(customers)::bigint as customers, coalesce(sum(aum_from), 0) as aum_from,
                   coalesce(sum(aum_to), 0) as aum_to
            from pair where {condition}
            group by all
        )
        select * from final
    """,
        params | scope_params,
    )
    ranks = list(range(len(current_policy(con).tiers)))
    grid = pd.DataFrame(
        [
            (u, f, t)
            for u in sorted(set(cells["unit"])) or (["all"] if level is None else [])
            for f, t in product([*ranks, NEW], [*ranks, EXITED])
            if (f, t) != (NEW, EXITED)
        ],
        columns=["unit", "from_rank", "to_rank"],
    )
    frame = grid.merge(cells, on=["unit", "from_rank", "to_rank"], how="left")
    frame[["customers", "aum_from", "aum_to"]] = frame[["customers", "aum_from", "aum_to"]].fillna(0)
    frame["customers"] = frame["customers"].astype("int64")
    row_total = frame.groupby(["unit", "from_rank"])["customers"].transform("sum")
    frame["row_share"] = frame["customers"] / row_total.where(row_total != 0)
    codes = [t.code for t in current_policy(con).tiers]
    frame.insert(1, "from_tier", _label(frame["from_rank"], codes, "new"))
    frame.insert(2, "to_tier", _label(frame["to_rank"], codes, "exited"))
    frame = frame[
        ["unit", "from_tier", "to_tier", "from_rank", "to_rank", "customers", "row_share", "aum_from", "aum_to"]
    ]
    if level is None:
        return frame.drop(columns="unit")
    return with_labels(con, frame, level, scope)


def migration_rates(
    con: duckdb.DuckDBPyConnection, start: date, end: date, scope: Scope, level: Level | None = None
) -> pd.DataFrame:
    """Upgrade, stay, downgrade and exit rates per tier at the start, between two month ends.

    口径: of the customers in a tier at the start (by unit at the start), the share in a higher tier at the end
    (upgrade), the same tier (stay), a lower tier (downgrade, the lowest tier included) and not present at the
    end (exit: left or closed); the four rates add up to 1. Returns columns: [unit, unit_name], tier, tier_rank,
    customers_start, upgraded, stayed, downgraded, exited, upgrade_rate, stay_rate, downgrade_rate, exit_rate.
    """
    cells = migration_matrix(con, start, end, scope, level)
    cells = cells[cells["from_rank"] >= 0].copy()
    keys = ["unit", "unit_name"] if level is not None else []
    cells["move"] = np.select(
        [cells["to_rank"] == EXITED, cells["to_rank"] > cells["from_rank"], cells["to_rank"] == cells["from_rank"]],
        ["exited", "upgraded", "stayed"],
        "downgraded",
    )
    table = (
        cells.pivot_table(
            index=[*keys, "from_tier", "from_rank"], columns="move", values="customers", aggfunc="sum", fill_value=0
        )
        .reset_index()
        .rename_axis(columns=None)
    )
    for move in ("upgraded", "stayed", "downgraded", "exited"):
        if move not in table:
            table[move] = 0
    table = table.rename(columns={"from_tier": "tier", "from_rank": "tier_rank"})
    table["customers_start"] = table[["upgraded", "stayed", "downgraded", "exited"]].sum(axis=1)
    for move, name in (("upgraded", "upgrade"), ("stayed", "stay"), ("downgraded", "downgrade"), ("exited", "exit")):
        table[f"{name}_rate"] = table[move] / table["customers_start"].where(table["customers_start"] != 0)
    columns = [
        *keys,
        "tier",
        "tier_rank",
        "customers_start",
        "upgraded",
        "stayed",
        "downgraded",
        "exited",
        "upgrade_rate",
        "stay_rate",
        "downgrade_rate",
        "exit_rate",
    ]
    return table.sort_values([*keys, "tier_rank"])[columns].reset_index(drop=True)


def pooled_pairs(periods: list[date], start: date, end: date, step: Step = "period") -> list[tuple[date, date]]:
    """Consecutive loaded periods in [start, end], or (step='quarter') consecutive quarter-end month ends."""
    inside = [p for p in periods if start <= p <= end]
    if step == "quarter":
        inside = [p for p in inside if p == Quarter.of(p).end()]
        return [(a, b) for a, b in zip(inside, inside[1:]) if months_between(a, b) == 3]
    return list(zip(inside, inside[1:]))


def _pooled_cells(
    con: duckdb.DuckDBPyConnection, start: date, end: date, scope: Scope, step: Step
) -> tuple[pd.DataFrame, list[tuple[date, date]]]:
    pairs = pooled_pairs(loaded_periods(con), start, end, step)
    if not pairs:
        raise ValueError(f"no consecutive {step} pair between {start} and {end}")
    source, params = pair_rows_sql(con, pairs)
    condition, scope_params = scope.sql()
    cells = fetch(
        con,
        f"""
        with pairs as ({source}),
        final as (
            select from_tier as from_rank, to_tier as to_rank, sum(customers)::bigint as customers
            from pairs where {condition} group by all
        )
        select * from final
    """,
        params | scope_params,
    )
    return cells, pairs


def pooled_matrix(
    con: duckdb.DuckDBPyConnection,
    start: date,
    end: date,
    scope: Scope,
    step: Step = "period",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """One-period transition matrix pooled over the consecutive pairs of periods from `start` to `end`.

    口径 (cohort method): for every consecutive pair of loaded month ends (step='quarter': of quarter ends) in
    the range, count customers by tier at the pair's start x tier (or `exited`) at its end; sum the counts over
    the pairs, then divide by the row total. rate_low / rate_high: Wilson interval of each rate. The unit (and
    scope) is the unit at each pair's start. Returns columns: from_tier, to_tier, from_rank, to_rank, customers,
    customers_from, rate, rate_low, rate_high, pairs.
    """
    cells, pairs = _pooled_cells(con, start, end, scope, step)
    cells = cells[cells["from_rank"] >= 0]
    codes = [t.code for t in current_policy(con).tiers]
    ranks = list(range(len(codes)))
    grid = pd.DataFrame(list(product(ranks, [*ranks, EXITED])), columns=["from_rank", "to_rank"])
    frame = grid.merge(cells, on=["from_rank", "to_rank"], how="left").fillna({"customers": 0})
    frame["customers"] = frame["customers"].astype("int64")
    frame["customers_from"] = frame.groupby("from_rank")["customers"].transform("sum")
    add_rate(frame, "rate", "customers", "customers_from", confidence)
    frame.insert(0, "from_tier", _label(frame["from_rank"], codes, "new"))
    frame.insert(1, "to_tier", _label(frame["to_rank"], codes, "exited"))
    frame["pairs"] = len(pairs)
    return frame


def project_distribution(
    con: duckdb.DuckDBPyConnection, start: date, end: date, steps: int, scope: Scope, step: Step = "period"
) -> pd.DataFrame:
    """Expected customers per tier `steps` periods after `end`, from the pooled matrix of start..end.

    口径: the tier distribution at the last loaded period up to `end` is multiplied by the pooled one-period
    matrix (exits leave the book); each period, new customers enter each tier at the average number of new
    customers per pair over the pooled range. A tier never seen at a pair's start is assumed to stay put.
    Returns columns: step, period, tier, tier_rank, customers (expected, fractional), customer_share.
    """
    cells, pairs = _pooled_cells(con, start, end, scope, step)
    base = pairs[-1][1]  # the last loaded period of the range
    codes = [t.code for t in current_policy(con).tiers]
    n = len(codes)
    counts = np.zeros((n, n + 1))
    entrants = np.zeros(n)
    for f, t, c in cells[["from_rank", "to_rank", "customers"]].itertuples(index=False):
        if f >= 0:
            counts[f, t if t >= 0 else n] += c
        elif t >= 0:
            entrants[t] += c / len(pairs)
    totals = counts.sum(axis=1, keepdims=True)
    matrix = np.where(totals > 0, counts / np.where(totals > 0, totals, 1), np.eye(n, n + 1))[:, :n]
    condition, params = scope.sql()
    params["base"] = base
    stock = fetch(
        con,
        f"select tier, sum(customers) as customers from tier_summary "
        f"where period = $base and {condition} group by tier",
        params,
    )
    state = np.zeros(n)
    for tier, customers in stock.itertuples(index=False):
        state[tier] = customers
    months = 3 if step == "quarter" else max(1, round(months_between(pairs[0][0], base) / len(pairs)))
    rows = []
    for k in range(steps + 1):
        total = state.sum()
        rows += [
            (k, add_months(base, k * months), codes[r], r, state[r], state[r] / total if total else np.nan)
            for r in range(n)
        ]
        state = state @ matrix + entrants
    return pd.DataFrame(rows, columns=["step", "period", "tier", "tier_rank", "customers", "customer_share"])
