"""Charts of movements between tiers: a matrix coloured by row shares with its diagonal set apart, and a Sankey
with one column per period and the tiers in their order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui.charts import LAYOUT, _colours


def shaded_heatmap(
    values: pd.DataFrame, colour: pd.DataFrame, title: str, x_title: str, y_title: str, text_format: str,
    colour_title: str, diagonal: bool = False,
) -> go.Figure:  # fmt: skip
    """A matrix whose cells show `values` (text) and are coloured by `colour` (e.g. row shares), so that small
    off-diagonal cells are seen; with diagonal=True the cells whose row and column are the same (the customers
    who stayed) are grey and annotated, and the colour scale spans the others only."""
    rows, columns = [str(r) for r in values.index], [str(c) for c in values.columns]
    shade = colour.to_numpy(dtype=float, na_value=float("nan")).copy()
    same = [[r == c for c in columns] for r in rows]
    texts = [[_cell(v, text_format) for v in row] for row in values.to_numpy(dtype=float, na_value=float("nan"))]
    if diagonal:
        for i, row in enumerate(same):
            for j, stays in enumerate(row):
                if stays:
                    shade[i][j] = float("nan")
    top = np.nanquantile(shade, 0.95) if np.isfinite(shade).any() else 1.0  # a few large cells do not wash out the rest
    traces = [
        go.Heatmap(
            z=shade, x=columns, y=rows, text=texts, texttemplate="%{text}", colorscale="Blues", zmin=0,
            zmax=max(float(top), 0.01),
            colorbar={"title": {"text": colour_title}, "tickformat": ".0%"}, hoverongaps=False,
            hovertemplate="%{y} → %{x}: %{text}<extra></extra>",
        )
    ]  # fmt: skip
    if diagonal:
        grey = [[1.0 if stays else float("nan") for stays in row] for row in same]
        kept = [[text if stays else "" for text, stays in zip(line, row)] for line, row in zip(texts, same)]
        traces.append(
            go.Heatmap(
                z=grey, x=columns, y=rows, text=kept, texttemplate="<b>%{text}</b>", showscale=False,
                colorscale=[[0, "#e0e0e0"], [1, "#e0e0e0"]], hoverinfo="skip",
            )
        )  # fmt: skip
    figure = go.Figure(traces)
    figure.update_layout(**LAYOUT, title=title, xaxis_title=x_title, yaxis_title=y_title, height=120 + 44 * len(rows))
    figure.update_xaxes(side="top", type="category")
    figure.update_yaxes(type="category", autorange="reversed")
    return figure


def _cell(value: float, text_format: str) -> str:
    if value != value:
        return ""
    return f"{value:{text_format}}"


def period_sankey(
    flows: list[pd.DataFrame], columns: list[str], tiers: list[str], names: dict[str, str], title: str,
    hide_stayers: bool = False,
) -> go.Figure:  # fmt: skip
    """Flows between consecutive periods, one node column per period (`columns` their labels), nodes in tier
    order (highest on top), new customers entering at the first column and exited ones leaving at the last.

    `flows[i]` has from_tier, to_tier, customers for columns i -> i+1 (codes; "new" / "exited" as the engine
    writes them); hide_stayers drops the flows of customers who kept their tier (the mass)."""
    last = len(columns) - 1
    nodes: list[tuple[int, str]] = [(i, code) for i in range(len(columns)) for code in reversed(tiers)]
    nodes += [(0, "new"), (last, "exited")]
    index = {node: n for n, node in enumerate(nodes)}
    source, target, value = [], [], []
    for i, cells in enumerate(flows):
        for row in cells.itertuples(index=False):
            if row.customers <= 0 or (hide_stayers and row.from_tier == row.to_tier):
                continue
            start = (0, "new") if row.from_tier == "new" else (i, row.from_tier)
            end = (last, "exited") if row.to_tier == "exited" else (i + 1, row.to_tier)
            if start in index and end in index:
                source.append(index[start])
                target.append(index[end])
                value.append(int(row.customers))
    colours = _colours(tiers) | {"new": "#8d6e63", "exited": "#424242"}
    ys = _stacked_y(nodes, source, target, value)
    figure = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": [names[code] for _, code in nodes],
                "x": [0.001 + 0.998 * col / max(last, 1) for col, _ in nodes],
                "y": ys,
                "pad": 18,
                "thickness": 16,
                "color": [colours[code] for _, code in nodes],
            },
            link={
                "source": source,
                "target": target,
                "value": value,
                "color": [_faded(colours[nodes[n][1]]) for n in source],
            },
            valueformat=",d",
        )
    )
    figure.update_layout(**LAYOUT, title=title, height=560)
    for col, text in enumerate(columns):
        figure.add_annotation(
            x=col / max(last, 1), y=1.06, xref="paper", yref="paper", text=f"<b>{text}</b>", showarrow=False
        )
    return figure


def _faded(colour: str) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},0.35)"


def _stacked_y(nodes: list[tuple[int, str]], source: list[int], target: list[int], value: list[int]) -> list[float]:
    """Each node's vertical centre: a column's nodes stacked in their order (highest tier on top) by their size,
    the tallest column filling the height, so that small tiers keep their place above the mass."""
    size = [0.0] * len(nodes)
    inflow, outflow = [0.0] * len(nodes), [0.0] * len(nodes)
    for s, t, v in zip(source, target, value):
        outflow[s] += v
        inflow[t] += v
    size = [max(i, o) for i, o in zip(inflow, outflow)]
    columns = sorted({col for col, _ in nodes})
    totals = {c: sum(size[n] for n, (col, _) in enumerate(nodes) if col == c) for c in columns}
    counts = {c: sum(1 for col, _ in nodes if col == c) for c in columns}
    gap = 0.03
    scale = (1 - gap * (max(counts.values()) - 1)) / max(max(totals.values()), 1)
    ys, used = [0.5] * len(nodes), {c: 0.0 for c in columns}
    for n, (col, _) in enumerate(nodes):
        ys[n] = min(0.999, max(0.001, used[col] + scale * size[n] / 2))
        used[col] += scale * size[n] + gap
    return ys
