"""季度考核 Scorecard: the five indicators (保争挖抢培), score, rank, attainment and change of every unit of a
level; the user's own unit highlighted; a row drills down to its units; the quarter's workbook for HQ."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.access.narrow import narrow_scope
from analytics.core.indicators import INDICATOR_COLUMNS
from analytics.core.units import LEVELS
from analytics.metrics.scorecard import quarter_scorecard, scorecard
from ui import format as fmt
from ui.connection import get_connection
from ui.data import query
from ui.i18n import column, t
from ui.kouji import definition
from ui.page_start import start_page
from ui.scorecard_table import scorecard_columns, scorecard_workbook
from ui.tables import download, download_bytes, policy, selected_row, table
from ui.widgets import level_picker

view = start_page("sc.title")
if view.quarter is None:
    st.info(t("error.analytics", error="no quarter loaded"))
    st.stop()
helps = {c: definition(scorecard, c) for c in ("score", "rank", *INDICATOR_COLUMNS)}  # scorecard's docstring: 口径
level = level_picker("level")
frame = scorecard_columns(query(quarter_scorecard, view.quarter, level, view.user_scope))
st.caption(f"{view.quarter}: {view.start} → {view.end}")

mine = frame[frame["unit"] == view.unit] if view.level == level else frame.iloc[0:0]
if len(mine):
    row = mine.iloc[0]
    ranked = int(frame["rank"].notna().sum())
    st.success(
        t(
            "sc.mine",
            unit=fmt.plain(view.unit_label or view.unit),
            rank=row["rank"],
            units=ranked,
            level=t(f"level.{level}"),
        ),
        icon=":material/flag:",
    )
    boxes = st.columns(6)
    boxes[0].metric(
        column("score"),
        f"{row['score']:.1f}",
        None if pd.isna(row["score_change"]) else f"{row['score_change']:+.1f}",
        help=helps["score"],
        border=True,
    )
    for box, indicator in zip(boxes[1:], INDICATOR_COLUMNS):
        box.metric(
            column(indicator),
            fmt.percent(row[indicator]),
            fmt.signed_points(row[f"{indicator}_change"]),
            delta_color="inverse" if indicator == "churn_rate" else "normal",
            help=helps[indicator],
            border=True,
        )
elif view.unit is not None:
    st.info(t("sc.not_ranked", unit=fmt.plain(view.unit_label or view.unit)))

child = LEVELS[LEVELS.index(level) + 1] if level != "manager" else None
if child:
    st.markdown(f"**{t('sc.drill', child=t(f'level.{child}'))}**")
picked = selected_row(table(frame, "scorecard_table", helps=helps, select=child is not None, height=420), len(frame))
download([(t(f"level.{level}"), frame)], f"scorecard_{level}_{view.quarter}")
con, current_policy = get_connection(), policy()
download_bytes(
    lambda: scorecard_workbook(con, view.quarter, view.user_scope, current_policy),
    f"考核_{view.quarter}",
    label=t("sc.workbook"),
)

if picked is not None and child:
    parent = frame.iloc[picked]
    scope = query(narrow_scope, view.user_scope, level, parent["unit"])
    children = query(quarter_scorecard, view.quarter, child, scope)
    bank = query(quarter_scorecard, view.quarter, child, view.user_scope)[["unit", "rank"]]
    children = children.merge(bank.rename(columns={"rank": "bank_rank"}), on="unit", how="left")
    st.subheader(t("sc.drilled", unit=fmt.plain(parent["unit_name"]), child=t(f"level.{child}")))
    shown = scorecard_columns(children)
    table(shown, "drill_table", helps=helps)
    download([(t(f"level.{child}"), shown)], f"scorecard_{child}_of_{parent['unit']}_{view.quarter}")
