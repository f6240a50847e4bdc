"""The quarter's headline figures for a scope taken as one unit, beside the quarter before."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics.core.periods import Quarter, quarter_snapshots
from analytics.core.scope import Scope
from analytics.metrics.scorecard import unit_indicators
from analytics.store.catalog import loaded_periods, period_totals

COLUMNS = [
    "quarter", "start", "end", "customers", "maintained", "aum", "maintained_start", "maintained_end", "churned",
    "churn_rate", "upgraded", "upgrade_rate", "covered_end", "coverage_rate", "growth", "aum_start", "aum_end",
    "aum_growth",
]  # fmt: skip


def quarter_overview(con: duckdb.DuckDBPyConnection, quarter: Quarter | str, scope: Scope) -> pd.DataFrame:
    """The headline figures of a quarter and of the quarter before it, for the whole scope as one unit.

    口径: customers, maintained and aum are stocks at the quarter's end snapshot (present customers, status not
    closed). The rates are the scorecard's, over the whole scope: 保 churn_rate = churned / maintained_start;
    争 upgrade_rate = upgraded / maintained_start; 挖 coverage_rate = covered_end / maintained_end;
    抢 growth = (maintained_end - maintained_start) / maintained_start; 培 aum_growth = (aum_end - aum_start) /
    aum_start over maintained customers. A rate over 0 is null. Returns columns: quarter, start, end, customers,
    maintained, aum, maintained_start, maintained_end, churned, churn_rate, upgraded, upgrade_rate, covered_end,
    coverage_rate, growth, aum_start, aum_end, aum_growth; one row per quarter (the previous one when loaded),
    newest first. Coverage is null when no unit's extract carries product counts.
    """
    periods = loaded_periods(con)
    totals = period_totals(con, scope).set_index("period")
    rows = []
    for q in (Quarter.parse(quarter), Quarter.parse(quarter).previous()):
        try:
            start, end = quarter_snapshots(periods, q)
        except ValueError:
            continue
        whole = unit_indicators(con, start, end, None, scope).drop(columns=["unit", "with_products_end"])
        stock = totals.loc[pd.Timestamp(end)] if pd.Timestamp(end) in totals.index else None
        rows.append(
            {
                "quarter": str(q),
                "start": start,
                "end": end,
                "customers": int(stock["customers"]) if stock is not None else 0,
                "maintained": int(stock["maintained"]) if stock is not None else 0,
                "aum": float(stock["aum"]) if stock is not None else 0.0,
                **(whole.iloc[0].to_dict() if len(whole) else {}),
            }
        )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    counts = ["maintained_start", "maintained_end", "churned", "upgraded", "covered_end"]
    frame[counts] = frame[counts].fillna(0).astype("int64")  # a scope with no maintained customer at either end
    frame[["aum_start", "aum_end"]] = frame[["aum_start", "aum_end"]].fillna(0.0)
    frame["covered_end"] = frame["covered_end"].astype("Int64").where(frame["coverage_rate"].notna())
    return frame
