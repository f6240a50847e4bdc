"""Charts of movements between tiers: a matrix coloured by row shares with its diagonal set apart, and a Sankey
with one column per period and the tiers in their order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui.charts import LAYOUT, _colours
from ui.figure_cache import shared


@shared
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


MOVE_COLOURS = {
    "up": "rgba(46,125,50,0.45)",  # green: to a higher tier
    "down": "rgba(198,40,40,0.45)",  # red: to a lower tier
    "stay": "rgba(158,158,158,0.30)",
    "new": "rgba(141,110,99,0.40)",
    "exited": "rgba(66,66,66,0.35)",
}
SANKEY_HEIGHT, SANKEY_MARGIN = 560, {"l": 10, "r": 10, "t": 70, "b": 10}
LABEL_ROOM = 20  # px a node keeps for its label, however few customers it holds


@shared
def period_sankey(
    flows: list[pd.DataFrame], columns: list[str], tiers: list[str], names: dict[str, str], title: str,
    hide_stayers: bool = False,
) -> go.Figure:  # fmt: skip
    """Flows between consecutive periods, one node column per period (`columns` their labels), nodes in tier
    order (highest on top); the customers new in a step enter from a node under the step's first column, those
    who left in it go to a node under its last, so that no link crosses the columns between. A link's colour
    says the move: green up, red down, grey kept (or left), brown new.

    `flows[i]` has from_tier, to_tier, customers for columns i -> i+1 (codes; "new" / "exited" as the engine
    writes them); hide_stayers drops the flows of customers who kept their tier (the mass)."""
    last = len(columns) - 1
    rank = {code: r for r, code in enumerate(tiers)}
    nodes: list[tuple[int, str]] = [(i, code) for i in range(len(columns)) for code in reversed(tiers)]
    nodes += [node for i in range(last) for node in ((i, "new"), (i + 1, "exited"))]
    nodes.sort(key=lambda node: (node[0], {"exited": 1, "new": 2}.get(node[1], 0)))  # new and exited at the bottom
    index = {node: n for n, node in enumerate(nodes)}
    source, target, value, moves = [], [], [], []
    for i, cells in enumerate(flows):
        for row in cells.itertuples(index=False):
            if row.customers <= 0 or (hide_stayers and row.from_tier == row.to_tier):
                continue
            start, end = (i, row.from_tier), (i + 1, row.to_tier)
            if start in index and end in index:
                source.append(index[start])
                target.append(index[end])
                value.append(int(row.customers))
                moves.append(_move(row.from_tier, row.to_tier, rank))
    used = set(source) | set(target)  # a new or exited node with no customer is left out
    keep = [n for n in range(len(nodes)) if n in used or nodes[n][1] in rank]
    renumber = {n: k for k, n in enumerate(keep)}
    nodes = [nodes[n] for n in keep]
    source, target = [renumber[n] for n in source], [renumber[n] for n in target]
    colours = _colours(tiers) | {"new": "#8d6e63", "exited": "#424242"}
    plot_height = SANKEY_HEIGHT - SANKEY_MARGIN["t"] - SANKEY_MARGIN["b"]
    ys, pad = _stacked_y(nodes, source, target, value, plot_height)
    figure = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": [names[code] for _, code in nodes],
                "x": [0.001 + 0.998 * col / max(last, 1) for col, _ in nodes],
                "y": ys,
                "pad": pad,
                "thickness": 16,
                "color": [colours[code] for _, code in nodes],
            },
            link={"source": source, "target": target, "value": value, "color": [MOVE_COLOURS[m] for m in moves]},
            valueformat=",d",
        )
    )
    figure.update_layout(**LAYOUT, title=title, height=SANKEY_HEIGHT)
    figure.update_layout(margin=SANKEY_MARGIN)
    for col, text in enumerate(columns):
        figure.add_annotation(
            x=col / max(last, 1), y=1.0, yshift=28, xref="paper", yref="paper", text=f"<b>{text}</b>",
            showarrow=False, xanchor="left" if col == 0 else ("right" if col == last else "center"),
        )  # fmt: skip
    return figure


def _move(start: str, end: str, rank: dict[str, int]) -> str:
    if start == "new" or end == "exited":
        return "new" if start == "new" else "exited"
    return "up" if rank[end] > rank[start] else ("down" if rank[end] < rank[start] else "stay")


def _stacked_y(
    nodes: list[tuple[int, str]], source: list[int], target: list[int], value: list[int], height: int
) -> tuple[list[float], int]:
    """Each node's vertical centre (0 top, 1 bottom) and the node padding in px: a column's nodes stacked in
    their order (highest tier on top), each as tall as its customers but never less than its label, the column
    most in need of room filling the height, so that small tiers keep their place above the mass and no two
    labels overlap. The padding makes plotly draw the nodes no taller than the room given them."""
    inflow, outflow = [0.0] * len(nodes), [0.0] * len(nodes)
    for s, t, v in zip(source, target, value):
        outflow[s] += v
        inflow[t] += v
    size = [max(i, o) for i, o in zip(inflow, outflow)]
    columns = sorted({col for col, _ in nodes})
    members = {c: [n for n, (col, _) in enumerate(nodes) if col == c] for c in columns}
    gap, room = 10 / height, LABEL_ROOM / height
    scale = 1 / max(max(sum(size[n] for n in m) for m in members.values()), 1)
    for _ in range(200):  # shrink until every column fits with its labels' room
        if all(sum(max(scale * size[n], room) for n in m) + gap * (len(m) - 1) <= 1 for m in members.values()):
            break
        scale *= 0.97
    ys = [0.5] * len(nodes)
    for m in members.values():
        used = 0.0
        for n in m:
            slot = max(scale * size[n], room)
            ys[n] = used + slot / 2
            used += slot + gap
    # plotly scales the nodes itself, by the smallest over the columns of (height - (nodes - 1) x pad) / customers:
    # the pad at which the tightest column gives `scale` draws each node as tall as its slot allows
    need = [(1 - scale * sum(size[n] for n in m)) * height / (len(m) - 1) for m in members.values() if len(m) > 1]
    return ys, max(10, int(min(need))) if need else 10
