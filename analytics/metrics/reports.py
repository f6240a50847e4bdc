"""The reports of `python -m analytics report ...`: fixed columns (docs/metrics.md), one DataFrame per report."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pandas as pd

from analytics.core.indicators import INDICATORS
from analytics.core.periods import (
    Quarter,
    latest_complete_quarter,
    latest_quarter_snapshots,
    quarter_snapshots,
    require_period,
)
from analytics.core.scope import Scope
from analytics.core.units import parse_level
from analytics.metrics.accountability import accountability, year_snapshots
from analytics.metrics.churn import churn_by_unit
from analytics.metrics.distribution import tier_distribution
from analytics.metrics.migration import migration_matrix
from analytics.metrics.role_fit import role_mismatches
from analytics.metrics.scorecard import scorecard
from analytics.store.catalog import loaded_periods
from analytics.store.policy_record import current_policy

CENT = Decimal("0.01")
KINDS = ("tiers", "migration", "scorecard", "churn", "accountability", "roles")
COLUMNS: dict[str, list[str]] = {
    "tiers": ["period", "tier", "customers", "aum", "maintained"],
    "migration": ["from_tier", "to_tier", "customers", "aum_from", "aum_to"],
    "scorecard": [
        "unit",
        "maintained_start",
        "maintained_end",
        "churned",
        "churn_rate",
        "upgraded",
        "upgrade_rate",
        "coverage_rate",
        "growth",
        "aum_growth",
        "score",
        "rank",
    ],
    "churn": [
        "unit",
        "tier",
        "customers_start",
        "maintained_start",
        "churned",
        "churn_rate",
        "active_start",
        "attrited",
        "attrition_rate",
    ],
    "accountability": ["unit", "lost_customers", "lost_aum_start", "normal_customers"],
    "roles": ["unit", "role", "tier", "customers", "aum", "maintained", "mismatch_share", "expected_roles"],
}


def build_report(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    *,
    period: date | str | None = None,
    start: date | str | None = None,
    end: date | str | None = None,
    quarter: Quarter | str | None = None,
    by: str | None = None,
    scope: Scope = Scope(),
    year: int | None = None,
) -> pd.DataFrame:
    """One report with exactly its columns (rates as fractions, null where undefined).

    tiers: every loaded month end (or `period`), per tier (and per unit with `by`); migration: `start` to `end`,
    or a quarter's start and end, by default the latest quarter to date; scorecard and churn: a quarter (default
    the latest complete one), a business `year` or `start`/`end`, by branch unless `by` says otherwise (scorecard:
    + role at manager level with the policy's rank_within, + <indicator>_target and _attainment where a target
    applies); accountability: a business year (default the latest loaded) or `start`/`end`, by manager unless `by`
    says branch; roles: the maintained customers held by a role the policy does not assign to their tier, per
    manager x tier, at `period` (default the latest). Raises ValueError on
    arguments that do not fit the report or the loaded periods.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown report {kind!r} (use {', '.join(KINDS)})")
    periods = loaded_periods(con)
    if not periods:
        raise ValueError("no period loaded")
    level = None if by in (None, "tier") else parse_level(by)
    if kind == "tiers":
        chosen = [require_period(periods, period)] if period is not None else None
        frame = tier_distribution(con, scope, level, chosen)
        columns = COLUMNS["tiers"] if level is None else ["period", "unit", "tier", "customers", "aum", "maintained"]
        if level is None:
            frame = _all_tiers(con, frame, chosen or periods)
        frame["period"] = pd.to_datetime(frame["period"]).dt.strftime("%Y-%m-%d")
        return frame[columns].reset_index(drop=True)
    if kind == "roles":  # one month end: the latest unless `period`
        month_end = require_period(periods, period) if period is not None else periods[-1]
        return role_mismatches(con, month_end, scope)[COLUMNS["roles"]]
    a, b = _pair(periods, kind, start, end, quarter, year)
    if kind == "accountability":
        if by not in (None, "manager", "branch"):
            raise ValueError("accountability is by manager or branch")
        return accountability(con, a, b, level or "manager", scope)[COLUMNS["accountability"]]
    if kind == "migration":
        frame = migration_matrix(con, a, b, scope, level)
        columns = COLUMNS["migration"] if level is None else ["unit", *COLUMNS["migration"]]
        return frame[columns].reset_index(drop=True)
    if kind == "scorecard":
        if level is None:
            if by == "tier":
                raise ValueError("the scorecard compares units: use --by branch, manager, sub_branch or region")
            level = "branch"
        if quarter is None and start is None and year is None:
            quarter = latest_complete_quarter(periods)
        frame = scorecard(con, a, b, level, scope, str(Quarter.parse(quarter)) if quarter else None)
        extra = ["role"] if level == "manager" and current_policy(con).rank_within else []
        targets = [f"{i}_{part}" for i in INDICATORS for part in ("target", "attainment") if f"{i}_target" in frame]
        return frame[[*COLUMNS["scorecard"], *extra, *targets]]
    if level is None and by != "tier":
        level = "branch"
    return churn_by_unit(con, a, b, level, scope)[COLUMNS["churn"]]


def asked_periods(
    periods: list[date], kind: str, period=None, start=None, end=None, quarter=None, year=None
) -> tuple[list[date], list[tuple[date, date]]]:
    """The month ends and the pairs of them a report reads (the arguments as build_report takes them)."""
    if kind == "tiers":
        return ([require_period(periods, period)] if period is not None else list(periods)), []
    if kind == "roles":
        return [require_period(periods, period) if period is not None else periods[-1]], []
    a, b = _pair(periods, kind, start, end, quarter, year)
    if kind == "accountability":  # how a customer left (closed, its reason) is on the month ends in between
        return [p for p in periods if a <= p <= b], [(a, b)]
    return [a, b], [(a, b)]


def _pair(periods: list[date], kind: str, start, end, quarter, year=None) -> tuple[date, date]:
    if (start is None) != (end is None):
        raise ValueError("give both a start and an end period (--from and --to)")
    if sum(x is not None for x in (start, quarter, year)) > 1:
        raise ValueError("give one of a quarter, a year, or a start and end")
    if year is not None:
        return year_snapshots(periods, int(year))
    if kind == "accountability" and start is None:
        return year_snapshots(periods, periods[-1].year)
    if start is not None:
        return require_period(periods, start), require_period(periods, end)
    if quarter is not None:
        return quarter_snapshots(periods, quarter)
    if kind == "migration":
        return latest_quarter_snapshots(periods)
    return quarter_snapshots(periods, latest_complete_quarter(periods))


def _all_tiers(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, periods: list[date]) -> pd.DataFrame:
    """Every tier of every period, with 0 where the tier has no customers."""
    codes = [t.code for t in current_policy(con).tiers]
    grid = pd.DataFrame(
        [(pd.Timestamp(p), rank, code) for p in periods for rank, code in enumerate(codes)],
        columns=["period", "tier_rank", "tier"],
    )
    frame = frame.assign(period=pd.to_datetime(frame["period"]))
    counts = frame[["period", "tier_rank", "customers", "aum", "maintained"]]
    merged = grid.merge(counts, on=["period", "tier_rank"], how="left")
    merged["customers"] = merged["customers"].fillna(0).astype("int64")
    merged["maintained"] = merged["maintained"].fillna(0).astype("int64")
    merged["aum"] = merged["aum"].fillna(0.0)
    return merged


def report_json(frame: pd.DataFrame, money: Iterable[str] = ()) -> str:
    """`frame` as a JSON array of row objects: the `money` columns as exact decimal numbers with two places
    (cents: 2750000.00, never 2749999.9999999995), the rest as pandas writes them (rates to 10 digits, dates
    ISO, null where undefined)."""
    text = frame.to_json(orient="records", force_ascii=False, date_format="iso", double_precision=10)
    exact = [c for c in money if c in frame.columns]
    if not exact:
        return text
    rows = json.loads(text)
    cents = {c: [_cents(v) for v in frame[c].tolist()] for c in exact}
    parts = []
    for number, row in enumerate(rows):
        fields = [
            f"{json.dumps(key, ensure_ascii=False)}: "
            + (cents[key][number] if key in cents else json.dumps(value, ensure_ascii=False))
            for key, value in row.items()
        ]
        parts.append("{" + ", ".join(fields) + "}")
    return "[" + ", ".join(parts) + "]"


def _cents(value: object) -> str:
    """An amount as JSON: the decimal rounded half-up to the cent (a float via its shortest repr), or null."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "null"
    amount = value if isinstance(value, Decimal) else Decimal(repr(float(value)))  # type: ignore[arg-type]
    return format(amount.quantize(CENT, rounding=ROUND_HALF_UP), "f")
