"""Lorenz curve and Gini coefficient of a scope: the row the load kept for the whole bank, else computed live."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics.core.scope import Scope
from analytics.core.sql import fetch
from analytics.store.derived.concentration import POINTS, WHOLE, summary_sql


def summary(
    con: duckdb.DuckDBPyConnection, period: date, scope: Scope, points: int = POINTS, curve: bool = True
) -> pd.DataFrame:
    """One row for `scope` as a whole (columns customers, aum, gini and, when asked, curve): the row the load
    kept for the whole bank (with the stored number of points), else computed live; no row when the scope has
    no present customer."""
    columns = "customers, aum, gini" + (", curve" if curve else "")
    if scope == Scope() and points == POINTS:
        frame = fetch(con, f"select {columns} from concentration_summary where period = $period", {"period": period})
        if len(frame):
            return frame
    condition, params = scope.sql()
    return fetch(
        con,
        f"select {columns} from ({summary_sql(WHOLE, condition)})",
        params | {"period": period, "points": points, "whole": "all"},
    )
