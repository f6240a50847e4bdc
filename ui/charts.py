"""Plotly figures of the analytics results; every text on them comes in translated."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from ui.figure_cache import shared

TIER_COLOURS = ("#9e9e9e", "#64b5f6", "#1e88e5", "#f9a825", "#c62828", "#6a1b9a", "#2e7d32")
LAYOUT = {
    "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
    # above the plot, right-aligned: never over an axis title or rotated tick labels
    "legend": {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 1, "xanchor": "right"},
    "font": {"family": "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, sans-serif"},
}
# a chart with a title (half a page wide, where a legend above would wrap into the title): the legend in a column
# right of the plot, from the top; stacked charts list it in the stack's order (the top layer first)
SIDE_LEGEND = {"orientation": "v", "y": 1.0, "yanchor": "top", "x": 1.02, "xanchor": "left"}


def layout(title: str | None, stacked: bool = False) -> dict:
    """LAYOUT with the legend placed so that nothing overlaps at 1440 px: beside the plot under a title, above it
    without one."""
    if not title:
        return LAYOUT
    return LAYOUT | {"legend": SIDE_LEGEND | ({"traceorder": "reversed"} if stacked else {})}


def _colours(names: list[str]) -> dict[str, str]:
    return {name: TIER_COLOURS[i % len(TIER_COLOURS)] for i, name in enumerate(names)}


@shared
def stacked_area(
    frame: pd.DataFrame, x: str, y: str, colour: str, order: list[str], title: str, y_title: str
) -> go.Figure:
    figure = px.area(
        frame, x=x, y=y, color=colour, category_orders={colour: order}, color_discrete_map=_colours(order), title=title
    )
    figure.update_layout(**layout(title, stacked=True), xaxis_title=None, yaxis_title=y_title, legend_title_text=None)
    figure.update_xaxes(dtick="M6", tickformat="%Y-%m")  # unrotated beside the legend
    return figure


@shared
def stacked_bar(
    frame: pd.DataFrame, x: str, y: str, colour: str, order: list[str], title: str, y_title: str,
    x_order: list[str] | None = None,
) -> go.Figure:  # fmt: skip
    """Bars of `y` per `x` stacked by `colour` (in `order`, the first at the bottom); `x_order` orders the bars
    (tiers from the lowest), else they come in the frame's order."""
    figure = px.bar(
        frame, x=x, y=y, color=colour, category_orders={colour: order, **({x: x_order} if x_order else {})},
        color_discrete_map=_colours(order), title=title,
    )  # fmt: skip
    figure.update_layout(**layout(title, stacked=True), xaxis_title=None, yaxis_title=y_title, legend_title_text=None)
    return figure


@shared
def grouped_bars(
    frame: pd.DataFrame,
    x: str,
    columns: dict[str, str],
    title: str,
    percent: bool = True,
    x_title: str | None = None,
    y_title: str | None = None,
) -> go.Figure:
    figure = go.Figure([go.Bar(x=frame[x], y=frame[c], name=name) for c, name in columns.items()])
    figure.update_layout(**layout(title), title=title, barmode="group", xaxis_title=x_title, yaxis_title=y_title)
    figure.update_xaxes(type="category")  # bands, card levels, months (2026-07, never "Jul 2026")
    if len(frame) > 12:  # e.g. two years of months: every third labelled, unrotated
        figure.update_xaxes(dtick=3, tickangle=0)
    if percent:
        figure.update_yaxes(tickformat=".0%")
    return figure


@shared
def lorenz(
    frame: pd.DataFrame, title: str, name: str, equality: str, x_title: str | None = None, y_title: str | None = None
) -> go.Figure:
    figure = go.Figure(
        [
            go.Scatter(x=frame["customer_share"], y=frame["aum_share"], name=name, fill="tozeroy", mode="lines"),
            go.Scatter(x=[0, 1], y=[0, 1], name=equality, mode="lines", line={"dash": "dot", "color": "#888"}),
        ]
    )
    figure.update_layout(**layout(title), title=title, xaxis_title=x_title, yaxis_title=y_title)
    figure.update_xaxes(tickformat=".0%")
    figure.update_yaxes(tickformat=".0%")
    return figure


@shared
def heatmap(matrix: pd.DataFrame, title: str, x_title: str, y_title: str, text_format: str) -> go.Figure:
    figure = px.imshow(matrix, text_auto=text_format, aspect="auto", color_continuous_scale="Blues", title=title)
    figure.update_layout(**LAYOUT, xaxis_title=x_title, yaxis_title=y_title, coloraxis_showscale=False)
    figure.update_xaxes(side="top", type="category")
    figure.update_yaxes(type="category")
    return figure


@shared
def sankey(cells: pd.DataFrame, sources: list[str], targets: list[str], title: str) -> go.Figure:
    """Flows from `sources` (start nodes) to `targets` (end nodes); labels carry the period, so no loops."""
    index = {label: i for i, label in enumerate([*sources, *targets])}
    colours = [*_colours(sources).values(), *_colours(targets).values()]
    shown = cells[cells["customers"] > 0]
    figure = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={"label": [*sources, *targets], "pad": 12, "thickness": 14, "color": colours},
            link={
                "source": [index[s] for s in shown["source"]],
                "target": [index[t] for t in shown["target"]],
                "value": shown["customers"].tolist(),
            },
        )
    )
    figure.update_layout(**LAYOUT, title=title, height=480)
    return figure


@shared
def lines(
    frame: pd.DataFrame,
    x: str,
    y: str,
    colour: str,
    title: str,
    y_title: str,
    percent: bool = False,
    order: list[str] | None = None,
    dash: str | None = None,
) -> go.Figure:
    figure = px.line(
        frame,
        x=x,
        y=y,
        color=colour,
        markers=True,
        title=title,
        line_dash=dash,
        category_orders={colour: order} if order else None,
        color_discrete_map=_colours(order) if order else None,
    )
    figure.update_layout(**layout(title), xaxis_title=None, yaxis_title=y_title, legend_title_text=None)
    if percent:
        figure.update_yaxes(tickformat=".0%")
    if pd.api.types.is_datetime64_any_dtype(frame[x]) or hasattr(frame[x].iloc[0], "isoformat"):
        figure.update_xaxes(tickformat="%Y-%m")
    return figure


@shared
def rate_bars(frame: pd.DataFrame, x: str, rates: dict[str, str], title: str) -> go.Figure:
    """Rates with their interval as error bars (columns <rate>, <rate>_low, <rate>_high)."""
    bars = [
        go.Bar(
            x=frame[x],
            y=frame[rate],
            name=name,
            error_y={
                "type": "data",
                "symmetric": False,
                "array": (frame[f"{rate}_high"] - frame[rate]).tolist(),
                "arrayminus": (frame[rate] - frame[f"{rate}_low"]).tolist(),
            },
        )
        for rate, name in rates.items()
    ]
    figure = go.Figure(bars)
    figure.update_layout(**layout(title), title=title, barmode="group")
    figure.update_yaxes(tickformat=".1%")
    return figure


@shared
def history(frame: pd.DataFrame, tier_order: list[str], title: str, aum_title: str, tier_title: str) -> go.Figure:
    """A customer's AUM (万元, bars) and tier (step line, right axis) over the periods."""
    figure = go.Figure(
        [
            go.Bar(x=frame["period"], y=frame["aum_wan"], name=aum_title, marker_color="#90caf9"),
            go.Scatter(
                x=frame["period"],
                y=frame["tier_name"],
                name=tier_title,
                yaxis="y2",
                mode="lines+markers",
                line={"shape": "hv", "color": "#c62828"},
            ),
        ]
    )
    figure.update_xaxes(tickformat="%Y-%m")
    figure.update_layout(
        **LAYOUT,
        title=title,
        yaxis={"title": aum_title},
        yaxis2={
            "title": tier_title,
            "overlaying": "y",
            "side": "right",
            "type": "category",
            "categoryorder": "array",
            "categoryarray": tier_order,
        },
    )
    return figure
