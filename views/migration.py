"""层级迁移 Migration: the matrix between two periods as a heatmap, its customers cell by cell, the flows as a
Sankey, and the projection of the coming quarters."""

from __future__ import annotations

from itertools import pairwise

import streamlit as st

from analytics.lists.migration_cell import migration_customers
from analytics.metrics.migration import migration_matrix, project_distribution
from ui import charts_matrix, charts_units
from ui import format as fmt
from ui.columns import tier_names
from ui.data import query
from ui.exports import context
from ui.i18n import lang, t
from ui.kouji import meaning
from ui.page_start import start_page
from ui.tables import download, download_query, policy, selected_row, table
from ui.widgets import PAGE_SIZE, analytics_error, choice, labelled, pager, tabs, translated

MOVES = ["down", "exited", "up", "new"]
SANKEY_STEPS = 6  # quarter ends between the two periods drawn as columns of their own (more: start and end only)
MEASURES = {"customers": "mi.value.customers", "row_share": "mi.value.row_share", "aum_to": "mi.value.aum"}
view = start_page("mi.title")
periods = list(reversed(view.periods))
default_start = view.start or (view.periods[-2] if len(view.periods) > 1 else view.periods[-1])
st.caption(t("mi.periods", quarter=view.quarter or fmt.period(view.end)))
left, right = st.columns(2)
start = (
    choice(t("from"), periods, "from", fmt.month, index=None, placeholder=fmt.month(default_start), where=left)
    or default_start
)
end = choice(t("to"), periods, "to", fmt.month, index=None, placeholder=fmt.month(view.end), where=right) or view.end
if not start < end:
    analytics_error(ValueError(f"{start} → {end}"))
    st.stop()

names = tier_names(policy(), lang())
codes = [tier.code for tier in policy().tiers]
cells = query(migration_matrix, start, end, view.scope)
sections = tabs("tab", ["mi.matrix", "mi.sankey", "mi.projection"])


def _grid(frame, values: str):
    """The matrix of `values`: start tiers (and new) down, end tiers (and exited) across, tier names as labels."""
    grid = frame.pivot(index="from_tier", columns="to_tier", values=values)
    grid = grid.reindex(index=[*codes, "new"], columns=[*codes, "exited"])
    grid.index, grid.columns = [names[c] for c in grid.index], [names[c] for c in grid.columns]
    return grid


def _cell_label(code: str) -> str:
    source, _, target = code.partition(">")
    return f"{names.get(source, source)} → {names.get(target, target)}"


if sections["mi.matrix"].open:
    with sections["mi.matrix"]:
        measure = (
            st.segmented_control(
                t("mi.value"),
                list(MEASURES),
                default="customers",
                required=True,
                format_func=labelled(MEASURES, lambda m: t(MEASURES[m])),
                key=translated("cells"),
                bind="query-params",
            )
            or "customers"
        )
        divisor, unit = fmt.scale(cells["aum_to"].astype(float).abs().max(), lang()) if measure == "aum_to" else (1, "")
        values = cells.assign(value=cells[measure].astype(float) / divisor)
        matrix = _grid(values, "value")
        shares = _grid(cells.assign(share=cells["row_share"].astype(float)), "share")
        st.subheader(f"{t('mi.matrix')} · {fmt.period(start)} → {fmt.period(end)}", help=meaning(migration_matrix))
        st.caption(t("mi.diagonal"))
        text_format = ".1%" if measure == "row_share" else (",.2f" if measure == "aum_to" and divisor > 1 else ",.0f")
        st.plotly_chart(
            charts_matrix.shaded_heatmap(
                matrix, shares, t("axis.amount", unit=unit) if measure == "aum_to" else "", t("mi.col_to"),
                t("mi.row_from"), text_format, t("mi.colour"), diagonal=True,
            ),
            key="chart_matrix",
        )  # fmt: skip
        listed = cells[cells["customers"] > 0].reset_index(drop=True)
        cell_codes = [f"{a}>{b}" for a, b in zip(listed["from_tier"], listed["to_tier"])]
        st.markdown(f"**{t('mi.cells')}**")
        picked = selected_row(table(listed, "cells_table", select=True, height=260), len(listed))
        if picked is not None and st.session_state.get("_cell_picked") != cell_codes[picked]:
            st.session_state["cell"] = cell_codes[picked]  # a newly picked row becomes the URL's cell
        st.session_state["_cell_picked"] = None if picked is None else cell_codes[picked]
        left, right = st.columns(2)
        code = choice(
            t("mi.cell"), cell_codes, "cell", _cell_label, index=None, placeholder=t("mi.cell_pick"), where=left,
            on_change=lambda: st.session_state.update(move=None),
        )  # fmt: skip
        with right:
            move = st.pills(
                t("mi.move"),
                MOVES,
                format_func=labelled(MOVES, lambda m: t(f"move.{m}")),
                key=translated("move"),
                bind="query-params",
                on_change=lambda: st.session_state.update(cell=None),  # the last choice lists its customers
            )
        name, about = context("mi.title", t("mi.matrix"), period=f"{fmt.period(start)}-{fmt.period(end)}")
        download([(t("mi.matrix"), cells)], name, about)
        if code in cell_codes:
            source, target = code.split(">")
            what, title = {"from_tier": source, "to_tier": target}, _cell_label(code)
        elif move is not None:
            what, title = {"move": move}, t(f"move.{move}")
        else:
            what = None
        if what is not None:
            st.subheader(t("mi.customers", what=fmt.plain(title)), help=meaning(migration_customers))
            total = query(migration_customers, start, end, view.scope, limit=0, **what).attrs["total_rows"]
            offset = pager(total, "page")
            table(
                query(migration_customers, start, end, view.scope, limit=PAGE_SIZE, offset=offset, **what),
                "customers_table",
            )
            name, about = context(
                "mi.title", t("mi.customers", what=title), {t("mi.cell"): title},
                f"{fmt.period(start)}-{fmt.period(end)}",
            )  # fmt: skip
            download_query(
                migration_customers,
                (start, end, view.scope),
                what | {"limit": None},
                t("mi.customers", what=title)[:31],
                name,
                about,
            )

if sections["mi.sankey"].open:
    with sections["mi.sankey"]:
        hide = st.toggle(t("mi.hide_mass"), value=True, key="hide", bind="query-params")
        ends = [p for p in view.periods if start < p < end and fmt.is_quarter_end(p)][:SANKEY_STEPS]
        columns = [start, *ends, end]
        flows = (
            [cells] if len(columns) == 2 else [query(migration_matrix, a, b, view.scope) for a, b in pairwise(columns)]
        )
        st.subheader(t("mi.sankey"), help=meaning(migration_matrix))
        st.caption(t("mi.sankey_periods"))
        st.plotly_chart(
            charts_matrix.period_sankey(flows, [fmt.period(p) for p in columns], codes, names, "", hide_stayers=hide),
            key="chart_sankey",
        )

if sections["mi.projection"].open:
    with sections["mi.projection"]:
        try:
            projection = query(project_distribution, view.periods[0], end, 4, view.scope, "quarter")
        except ValueError:
            projection = query(project_distribution, view.periods[0], end, 3, view.scope, "period")
        shown = projection.assign(tier_name=projection["tier"].map(names), label=projection["period"].map(fmt.period))
        st.subheader(t("mi.projection"), help=meaning(project_distribution))
        st.plotly_chart(
            charts_units.small_multiples(
                shown, "label", "customers", "tier_name", [names[c] for c in codes], "", t("axis.customers")
            ),
            key="chart_projection",
        )
        table(projection, "projection_table", height=300)
        name, about = context("mi.title", t("mi.projection"), period=fmt.period(end))
        download([(t("mi.projection"), projection)], name, about)
