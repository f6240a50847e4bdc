"""The plain way, the bench's baseline: the pages' answers computed with pandas from the raw snapshot rows.

The rows are read once into one DataFrame (not timed): period, customer_id, branch_id, AUM in cents, product
count, present (status not closed) and a tier placed here from the AUM and the policy's bounds (not the stored
tier, so that the cross-check against DuckDB is a second implementation). Each computation then starts from
that frame, as an analyst with the data in memory would: filter, merge, group by.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tools.bench.process import GIB, peak_rss, say
from tools.bench.timing import repeated

BASELINE = {  # pandas computation -> the analytics call (page, name in tools.bench.calls) that gives the same answer
    "tier_distribution": ("overview", "tier_distribution (all periods)"),
    "migration_matrix": ("migration", "migration_matrix (quarter)"),
    "churn": ("churn", "churn_by_unit (branch x tier)"),
    "scorecard": ("crosscheck", "scorecard (branch, one quarter)"),
    "customer_list": ("lists", "find_customers (1 branch + tier + AUM range, count + page 1)"),
}
NEW = EXITED = -1


def read_snapshots(con: Any, policy: Any) -> pd.DataFrame:
    """Every snapshot row with its tier and maintained flag worked out in numpy from the policy (no downgrade
    buffer: the bench's policy has none)."""
    if policy.tiering is not None:
        raise SystemExit("bench: the pandas baseline follows the bounds only; bench a policy without [tiering]")
    basis = {"aum": "aum", "aum_month_avg": "aum_month_avg", "aum_year_avg": "aum_year_avg"}[policy.basis]
    frame = (
        con.sql(f"""
        select period, customer_id, branch_id, status <> 'closed' as present,
               ({basis} * 100)::bigint as aum_cents, product_count, age, card_level,
               (coalesce(credit_card_spend_ytd, 0) * 100)::bigint as spend_cents,
               (coalesce(loan_balance, 0) * 100)::bigint as loan_cents,
               (coalesce(depository_margin, 0) * 100)::bigint as margin_cents
        from customer_snapshot
    """)
        .to_arrow_table()
        .to_pandas()
    )
    bounds = np.array([int(t.min_aum * 100) for t in policy.tiers])
    frame["tier"] = np.clip(np.searchsorted(bounds, frame["aum_cents"].to_numpy(), side="right") - 1, 0, None)
    frame["tier"] = frame["tier"].astype("int8")
    rules = policy.maintained
    by_tier = frame["tier"] >= rules.from_rank
    for rank, below in rules.age_limits:
        by_tier &= ~((frame["tier"] == rank) & (frame["age"].fillna(-1) >= below))
    held = by_tier | frame["card_level"].isin(list(rules.card_levels))
    amounts = {"spend_cents": rules.credit_card_spend_ytd, "loan_cents": rules.loan_balance,
               "margin_cents": rules.depository_margin}  # fmt: skip
    for column, bound in amounts.items():
        if bound is not None:
            held |= frame[column] >= int(bound * 100)
    frame["maintained"] = held & frame["present"]
    frame = frame.drop(columns=["age", "card_level", *amounts])
    frame["period"] = pd.to_datetime(frame["period"]).astype("datetime64[ns]")
    return frame


def _at(snap: pd.DataFrame, period: date, columns: list[str]) -> pd.DataFrame:
    return snap.loc[(snap["period"] == pd.Timestamp(period)) & snap["present"], columns]


def tier_distribution(snap: pd.DataFrame) -> pd.DataFrame:
    present = snap[snap["present"]]
    frame = (
        present.groupby(["period", "tier"])
        .agg(customers=("customer_id", "size"), aum_cents=("aum_cents", "sum"))
        .reset_index()
    )
    frame["customer_share"] = frame["customers"] / frame.groupby("period")["customers"].transform("sum")
    frame["aum_share"] = frame["aum_cents"] / frame.groupby("period")["aum_cents"].transform("sum")
    return frame


def _pair(snap: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    a = _at(snap, start, ["customer_id", "branch_id", "tier", "aum_cents", "maintained"])
    b = _at(snap, end, ["customer_id", "tier", "aum_cents", "maintained"])
    return a.merge(b, on="customer_id", how="outer", suffixes=("_a", "_b"))


def migration_matrix(snap: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    pair = _pair(snap, start, end)
    pair["from_rank"] = pair["tier_a"].fillna(NEW).astype(int)
    pair["to_rank"] = pair["tier_b"].fillna(EXITED).astype(int)
    frame = (
        pair.groupby(["from_rank", "to_rank"])
        .agg(customers=("customer_id", "size"), aum_from=("aum_cents_a", "sum"), aum_to=("aum_cents_b", "sum"))
        .reset_index()
    )
    frame["row_share"] = frame["customers"] / frame.groupby("from_rank")["customers"].transform("sum")
    return frame


def churn_by_branch_and_tier(snap: pd.DataFrame, start: date, end: date, floor_cents: int) -> pd.DataFrame:
    pair = _pair(snap, start, end)
    started = pair[pair["tier_a"].notna()].astype({"tier_a": "int64"})
    started["maintained"] = started["maintained_a"].astype(bool)
    started["churned"] = started["maintained"] & ~started["maintained_b"].fillna(False).astype(bool)
    started["active"] = started["aum_cents_a"] >= floor_cents  # active at the start: at or above the floor
    started["attrited"] = started["active"] & (started["tier_b"].isna() | (started["aum_cents_b"] < floor_cents))
    frame = (
        started.groupby(["branch_id", "tier_a"])
        .agg(
            customers_start=("customer_id", "size"),
            maintained_start=("maintained", "sum"),
            churned=("churned", "sum"),
            active_start=("active", "sum"),
            attrited=("attrited", "sum"),
        )
        .reset_index()
    )
    frame["churn_rate"] = frame["churned"] / frame["maintained_start"].where(frame["maintained_start"] > 0)
    frame["attrition_rate"] = frame["attrited"] / frame["active_start"].where(frame["active_start"] > 0)
    return frame.rename(columns={"branch_id": "unit", "tier_a": "tier_rank"})


def scorecard_by_branch(
    snap: pd.DataFrame, start: date, end: date, min_products: int, weights: dict[str, float]
) -> pd.DataFrame:
    a = _at(snap, start, ["customer_id", "branch_id", "tier", "aum_cents", "maintained"])
    b = _at(snap, end, ["customer_id", "branch_id", "tier", "aum_cents", "product_count", "maintained"])
    kept = a[a["maintained"]]
    moved = kept.merge(b[["customer_id", "tier", "maintained"]], on="customer_id", how="left", suffixes=("", "_end"))
    to = moved["tier_end"].fillna(EXITED)
    flows = (
        moved.assign(churned=~moved["maintained_end"].fillna(False).astype(bool), upgraded=to > moved["tier"])
        .groupby("branch_id")[["churned", "upgraded"]]
        .sum()
    )
    stock_start = kept.groupby("branch_id").agg(
        maintained_start=("customer_id", "size"), aum_start=("aum_cents", "sum")
    )
    ended = b[b["maintained"]]
    stock_end = (
        ended.assign(covered=ended["product_count"] >= min_products, with_products=ended["product_count"].notna())
        .groupby("branch_id")
        .agg(
            maintained_end=("customer_id", "size"),
            covered_end=("covered", "sum"),
            with_products_end=("with_products", "sum"),
            aum_end=("aum_cents", "sum"),
        )
    )
    frame = stock_start.join(stock_end, how="outer").join(flows, how="left").fillna(0)
    frame = frame.astype("int64").rename_axis("unit").reset_index()
    start_n = frame["maintained_start"].where(frame["maintained_start"] > 0)
    frame["churn_rate"] = frame["churned"] / start_n
    frame["upgrade_rate"] = frame["upgraded"] / start_n
    frame["coverage_rate"] = (frame["covered_end"] / frame["maintained_end"].where(frame["maintained_end"] > 0)).where(
        frame["with_products_end"] > 0
    )
    frame["growth"] = (frame["maintained_end"] - frame["maintained_start"]) / start_n
    frame["aum_growth"] = (frame["aum_end"] - frame["aum_start"]) / frame["aum_start"].where(frame["aum_start"] != 0)
    points = pd.Series(0.0, index=frame.index)
    used = pd.Series(0.0, index=frame.index)
    for key, column, better in (
        ("churn", "churn_rate", False),
        ("upgrade", "upgrade_rate", True),
        ("coverage", "coverage_rate", True),
        ("growth", "growth", True),
        ("aum_growth", "aum_growth", True),
    ):
        pct = (frame[column] if better else -frame[column]).rank(method="max", pct=True)
        points += pct.fillna(0) * weights.get(key, 0.0)
        used += pct.notna() * weights.get(key, 0.0)
    frame["score"] = (100 * points / used.where(used > 0)).round(6)
    frame["rank"] = frame["score"].rank(ascending=False, method="min")
    return frame.sort_values("unit").reset_index(drop=True)


def customer_list(
    snap: pd.DataFrame, period: date, branch: str, tier: int, aum_min: float, aum_max: float, page_size: int
) -> tuple[int, pd.DataFrame]:
    """The filtered list as the explorer shows it: the count, and the first page by AUM."""
    rows = snap[
        (snap["period"] == pd.Timestamp(period))
        & snap["present"]
        & (snap["branch_id"] == branch)
        & (snap["tier"] == tier)
        & (snap["aum_cents"] >= round(aum_min * 100))
        & (snap["aum_cents"] <= round(aum_max * 100))
    ]
    first = rows.sort_values(["aum_cents", "customer_id"], ascending=[False, True]).head(page_size)
    return len(rows), first


# --- the cross-check: the same numbers from DuckDB's analytics and from pandas ------------------------------


def _cents(values: pd.Series) -> np.ndarray:
    return np.round(pd.to_numeric(values).astype(float).to_numpy() * 100).astype("int64")


def _same(
    name: str, ours: pd.DataFrame, theirs: pd.DataFrame, keys: list[str], counts: list[str], money: list[str] = ()
) -> str:
    """'ok', or what differs (rows joined on `keys`; counts compared exactly, money to the cent)."""
    merged = ours.merge(theirs, on=keys, how="outer", suffixes=("_duckdb", "_pandas"), indicator=True)
    if (merged["_merge"] != "both").any():
        return f"{name}: rows differ: {merged.loc[merged['_merge'] != 'both', keys].head(3).to_dict('records')}"
    for column in counts:
        left, right = merged[f"{column}_duckdb"].astype("int64"), merged[f"{column}_pandas"].astype("int64")
        if (left != right).any():
            return f"{name}: {column} differs on {int((left != right).sum())} rows"
    for column in money:
        if (merged[f"{column}_duckdb"] != merged[f"{column}_pandas"]).any():
            return f"{name}: {column} differs"
    return "ok"


def crosscheck(con: Any, d: dict, answers: dict[str, Any]) -> dict[str, str]:
    from analytics.core.scope import Scope
    from analytics.lists.explorer import CustomerFilter, find_customers
    from analytics.metrics.churn import churn_by_unit
    from analytics.metrics.distribution import tier_distribution as duck_tier_distribution
    from analytics.metrics.migration import migration_matrix as duck_migration_matrix
    from analytics.metrics.scorecard import scorecard
    from ui.widgets import PAGE_SIZE

    s, end = Scope(), date.fromisoformat(d["end"])
    checks = {}
    duck = duck_tier_distribution(con, s)
    duck = duck.assign(
        period=pd.to_datetime(duck["period"]).astype("datetime64[ns]"),
        tier=duck["tier_rank"],
        aum_cents=_cents(duck["aum"]),
    )
    checks["tier_distribution"] = _same(
        "tier distribution", duck, answers["tier_distribution"], ["period", "tier"], ["customers"], ["aum_cents"]
    )
    first, total = answers["customer_list"][1], answers["customer_list"][0]
    listed = find_customers(
        con,
        end,
        Scope(branches=frozenset({d["list_branch"]})),
        CustomerFilter(tiers=(d["list_tier"],), aum_min=d["list_aum_min"], aum_max=d["list_aum_max"]),
        "aum",
        True,
        PAGE_SIZE,
        0,
    )
    checks["customer_list"] = (
        "ok"
        if (listed.attrs["total_rows"] == total and list(listed["customer_id"]) == list(first["customer_id"]))
        else "customer list: rows differ"
    )
    if d["start"] is None:
        return checks
    start = date.fromisoformat(d["start"])
    duck = duck_migration_matrix(con, start, end, s)
    duck = duck[duck["customers"] > 0].assign(
        aum_from=lambda f: _cents(f["aum_from"]), aum_to=lambda f: _cents(f["aum_to"])
    )
    theirs = (
        answers["migration_matrix"]
        .fillna({"aum_from": 0, "aum_to": 0})
        .astype({"aum_from": "int64", "aum_to": "int64"})
    )
    checks["migration_matrix"] = _same(
        "migration matrix", duck, theirs, ["from_rank", "to_rank"], ["customers"], ["aum_from", "aum_to"]
    )
    duck = churn_by_unit(con, start, end, "branch", s, True)
    duck = duck[duck["customers_start"] > 0]
    checks["churn"] = _same(
        "churn",
        duck,
        answers["churn"],
        ["unit", "tier_rank"],
        ["customers_start", "maintained_start", "churned", "active_start", "attrited"],
    )
    duck = scorecard(con, start, end, "branch", s)
    duck = duck.assign(aum_start=_cents(duck["aum_start"]), aum_end=_cents(duck["aum_end"]))
    checks["scorecard"] = _same(
        "scorecard",
        duck,
        answers["scorecard"],
        ["unit"],
        ["maintained_start", "maintained_end", "churned", "upgraded", "covered_end", "rank"],
        ["aum_start", "aum_end"],
    )
    return checks


def baseline_phase(db: str, d: dict, runs: int) -> dict:
    """The pandas computations timed like the analytics (one warm-up, then `runs`), and checked against them."""
    from analytics.store.generations import open_current_reader
    from analytics.store.policy_record import current_policy
    from ui.widgets import PAGE_SIZE

    con = open_current_reader(Path(db))
    policy = current_policy(con)
    started = time.perf_counter()
    snap = read_snapshots(con, policy)
    read_s = time.perf_counter() - started
    say(f"pandas: {len(snap):,} rows in memory ({snap.memory_usage(deep=True).sum() / GIB:.2f} GiB) in {read_s:.1f} s")
    end = date.fromisoformat(d["end"])
    jobs: dict[str, Callable[[], Any]] = {
        "tier_distribution": lambda: tier_distribution(snap),
        "customer_list": lambda: customer_list(
            snap, end, d["list_branch"], policy.rank_of(d["list_tier"]), d["list_aum_min"], d["list_aum_max"], PAGE_SIZE
        ),
    }
    if d["start"] is not None:
        start = date.fromisoformat(d["start"])
        jobs |= {
            "migration_matrix": lambda: migration_matrix(snap, start, end),
            "churn": lambda: churn_by_branch_and_tier(snap, start, end, int(policy.attrition_floor * 100)),
            "scorecard": lambda: scorecard_by_branch(snap, start, end, policy.coverage_min_products, policy.weights),
        }
    timings, answers = {}, {}
    for name, job in jobs.items():
        answers[name], _, timings[name] = repeated(job, runs)
        say(f"pandas {name}: {timings[name]['median_ms']:.0f} ms")
    checks = crosscheck(con, d, answers)
    con.close()
    return {
        "rows": len(snap),
        "read_s": read_s,
        "memory_bytes": int(snap.memory_usage(deep=True).sum()),
        "timings": timings,
        "checks": checks,
        "peak_rss": peak_rss(),
    }
