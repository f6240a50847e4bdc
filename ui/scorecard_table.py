"""The scorecard as the page and HQ's workbook show it: its columns in order, one sheet per level."""

from __future__ import annotations

import duckdb
import pandas as pd
import plotly.graph_objects as go

from analytics.core.indicators import INDICATORS
from analytics.core.policy import Policy
from analytics.core.scope import Scope
from analytics.core.units import LEVELS
from analytics.metrics.scorecard import quarter_scorecard
from ui import i18n
from ui.charts import LAYOUT
from ui.xlsx import workbook

UNASSIGNED_ZH = "未分配 · "
SCORECARD_COLUMNS = (
    "unit",
    "unit_name",
    "role",
    "branch_id",
    "rank",
    "bank_rank",
    "score",
    "churn_rate",
    "upgrade_rate",
    "coverage_rate",
    "growth",
    "aum_growth",
    "small_sample",
    "churn_points",
    "upgrade_points",
    "coverage_points",
    "growth_points",
    "aum_growth_points",
    "churn_target",
    "upgrade_target",
    "coverage_target",
    "growth_target",
    "aum_growth_target",
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


def scorecard_columns(frame: pd.DataFrame, lang: str = "zh", mine: str | None = None) -> pd.DataFrame:
    """The scorecard columns shown on the page and in the workbook, ordered by rank; the unit `mine` first,
    its name marked ★; unassigned books named in `lang` (未分配 · 网点 / Unassigned · branch)."""
    frame = frame.sort_values(["rank", "unit"], na_position="last").reset_index(drop=True)
    frame = frame.assign(unit_name=frame["unit_name"].map(lambda name: unit_label(name, lang)))
    if "role" in frame:
        frame["role"] = frame["role"].fillna("—")  # an unassigned book, or a manager without a role
    if mine is not None and (frame["unit"] == mine).any():
        first = frame["unit"] == mine
        frame.loc[first, "unit_name"] = "★ " + frame.loc[first, "unit_name"]
        frame = pd.concat([frame[first], frame[~first]]).reset_index(drop=True)
    return frame[[c for c in SCORECARD_COLUMNS if c in frame.columns]]


def unit_label(name: object, lang: str) -> str:
    """A unit's display name in `lang` (the engine names unassigned books 未分配 · <branch>)."""
    text = str(name)
    if lang != "zh" and text.startswith(UNASSIGNED_ZH):
        return i18n.TEXT["unassigned"][1] + " · " + text.removeprefix(UNASSIGNED_ZH)
    return text


def explanation(row: pd.Series) -> pd.DataFrame:
    """One unit's score, indicator by indicator: actual value, percentile, weight, points (adding up to the
    score), target, attainment, change against last quarter of the value and of the points."""
    parts = []
    for indicator, (value, _) in INDICATORS.items():
        parts.append(
            {
                "indicator": indicator,
                "actual": row.get(value),
                "percentile": row.get(f"{indicator}_percentile"),
                "weight_share": row.get(f"{indicator}_weight"),
                "points": row.get(f"{indicator}_points"),
                "target": row.get(f"{indicator}_target"),
                "attainment": row.get(f"{indicator}_attainment"),
                "change": row.get(f"{value}_change"),
                "points_change": row.get(f"{indicator}_points_change"),
            }
        )
    return pd.DataFrame(parts)


def points_chart(parts: pd.DataFrame, names: dict[str, str], title: str, got: str, full: str) -> go.Figure:
    """Horizontal bars: the points each indicator contributed, against its full points (weight x 100)."""
    labels = [names[i] for i in parts["indicator"]]
    figure = go.Figure(
        [
            go.Bar(y=labels, x=100 * parts["weight_share"], name=full, orientation="h", marker_color="#e0e0e0"),
            go.Bar(
                y=labels,
                x=parts["points"],
                name=got,
                orientation="h",
                marker_color="#1e88e5",
                text=[f"{p:.1f}" if pd.notna(p) else "" for p in parts["points"]],
                textposition="outside",
            ),
        ]
    )
    figure.update_layout(
        **(LAYOUT | {"margin": {"l": 10, "r": 30, "t": 10, "b": 10}}),
        title=title or None,
        barmode="overlay",
        height=240,
    )
    figure.update_yaxes(autorange="reversed")
    return figure


def scorecard_workbook(con: duckdb.DuckDBPyConnection, quarter: str, scope: Scope, policy: Policy) -> bytes:
    """HQ's workbook of a quarter: one sheet per level (分行, 支行, 网点, 客户经理), Chinese headers."""
    sheets = [
        (i18n.TEXT[f"level.{level}"][0], scorecard_columns(quarter_scorecard(con, quarter, level, scope)))
        for level in LEVELS
    ]
    return workbook(sheets, policy, "zh")
