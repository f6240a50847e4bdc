"""The scorecard as the page and HQ's workbook show it: its columns in order, one sheet per level."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics.core.policy import Policy
from analytics.core.scope import Scope
from analytics.core.units import LEVELS
from analytics.metrics.scorecard import quarter_scorecard
from ui import i18n
from ui.xlsx import workbook

SCORECARD_COLUMNS = (
    "unit",
    "unit_name",
    "rank",
    "bank_rank",
    "score",
    "churn_rate",
    "upgrade_rate",
    "coverage_rate",
    "growth",
    "aum_growth",
    "churn_attainment",
    "upgrade_attainment",
    "coverage_attainment",
    "growth_attainment",
    "aum_growth_attainment",
    "rank_prev",
    "rank_change",
    "churn_rate_change",
    "upgrade_rate_change",
    "coverage_rate_change",
    "growth_change",
    "aum_growth_change",
    "score_change",
    "maintained_start",
    "maintained_end",
    "churned",
    "upgraded",
    "covered_end",
    "aum_start",
    "aum_end",
)


def scorecard_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The scorecard columns shown on the page and in the workbook, ordered by rank."""
    frame = frame.sort_values(["rank", "unit"], na_position="last").reset_index(drop=True)
    return frame[[c for c in SCORECARD_COLUMNS if c in frame.columns]]


def scorecard_workbook(con: duckdb.DuckDBPyConnection, quarter: str, scope: Scope, policy: Policy) -> bytes:
    """HQ's workbook of a quarter: one sheet per level (分行, 支行, 网点, 客户经理), Chinese headers."""
    sheets = [
        (i18n.TEXT[f"level.{level}"][0], scorecard_columns(quarter_scorecard(con, quarter, level, scope)))
        for level in LEVELS
    ]
    return workbook(sheets, policy, "zh")
