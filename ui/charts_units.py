"""Charts of units and tiers that stay readable at 1440 px: horizontal bars in a ranked order (the user's own unit
in bold) and one small line chart per tier."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from ui.charts import LAYOUT, _colours
from ui.figure_cache import shared

BAR_ROW = 22  # px per bar of a horizontal chart: labels stay readable at 1440 px


def _bar_height(rows: int, groups: int = 1) -> int:
    return max(280, 110 + rows * BAR_ROW * max(1, groups) // (1 if groups == 1 else 2))


@shared
def unit_bars(
    frame: pd.DataFrame,
    label: str,
    value: str,
    title: str,
    x_title: str,
    colour: str | None = None,
    order: list[str] | None = None,
    percent: bool = False,
    mine: str | None = None,
) -> go.Figure:
    """Horizontal bars of units in the frame's order (first on top), stacked by `colour` when given; the label
    of the user's own unit (`label` == mine) in bold; x axis titled with its unit."""
    units = list(dict.fromkeys(frame[label]))
    figure = px.bar(
        frame,
        x=value,
        y=label,
        color=colour,
        orientation="h",
        category_orders={label: units, **({colour: order} if colour and order else {})},
        color_discrete_map=_colours(order) if order else None,
        title=title,
    )
    figure.update_layout(
        **LAYOUT,
        height=_bar_height(len(units)),
        xaxis_title=x_title,
        yaxis_title=None,
        legend_title_text=None,
        bargap=0.25,
    )
    figure.update_yaxes(
        tickmode="array",
        tickvals=units,
        ticktext=[f"<b>{u}</b>" if u == mine else u for u in units],
        automargin=True,
    )
    if percent:
        figure.update_xaxes(tickformat=".0%")
    return figure


@shared
def unit_rate_bars(
    frame: pd.DataFrame, label: str, rates: dict[str, str], title: str, x_title: str, mine: str | None = None
) -> go.Figure:
    """Rates per unit as horizontal bars with their interval (columns <rate>, <rate>_low, <rate>_high), units in
    the frame's order (first on top)."""
    units = list(frame[label])
    bars = [
        go.Bar(
            y=frame[label],
            x=frame[rate],
            name=name,
            orientation="h",
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (frame[f"{rate}_high"] - frame[rate]).tolist(),
                "arrayminus": (frame[rate] - frame[f"{rate}_low"]).tolist(),
                "thickness": 1,
            },
        )
        for rate, name in rates.items()
    ]
    figure = go.Figure(bars)
    figure.update_layout(
        **LAYOUT,
        title=title,
        barmode="group",
        height=_bar_height(len(units), len(rates)),
        xaxis_title=x_title,
    )
    figure.update_xaxes(tickformat=".1%")
    figure.update_yaxes(
        autorange="reversed",
        type="category",
        tickmode="array",
        tickvals=units,
        ticktext=[f"<b>{u}</b>" if u == mine else u for u in units],
        automargin=True,
    )
    return figure


@shared
def small_multiples(
    frame: pd.DataFrame, x: str, y: str, facet: str, order: list[str], title: str, y_title: str
) -> go.Figure:
    """One small line chart per `facet` (a tier), each with its own y range, so that a small tier's change is
    seen beside the mass; `x` holds period labels (2026Q3), `y_title` (with its unit) heads the chart."""
    figure = px.line(
        frame, x=x, y=y, color=facet, facet_col=facet, facet_col_wrap=min(len(order), 3), markers=True,
        category_orders={facet: order}, color_discrete_map=_colours(order), title=title or y_title,
        facet_row_spacing=0.14, facet_col_spacing=0.07,
    )  # fmt: skip
    figure.update_yaxes(matches=None, showticklabels=True, tickformat=",.0f", title=None)
    figure.update_xaxes(type="category", title=None, showticklabels=True)
    figure.for_each_annotation(lambda note: note.update(text=f"<b>{note.text.split('=')[-1]}</b>"))
    rows = -(-len(order) // 3)
    figure.update_layout(**LAYOUT, showlegend=False, height=160 + 240 * rows)
    return figure
