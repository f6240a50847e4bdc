"""层级迁移 Migration: the matrix between two periods as a heatmap, its customers cell by cell, the flows as a
Sankey, and the projection of the coming quarters."""

from __future__ import annotations

import streamlit as st

from analytics.lists.migration_cell import migration_customers
from analytics.metrics.migration import migration_matrix, project_distribution
from ui import charts
from ui import format as fmt
from ui.columns import tier_names
from ui.data import query
from ui.i18n import column, lang, t
from ui.kouji import definition
from ui.page_start import start_page
from ui.tables import download, download_query, policy, selected_row, table
from ui.widgets import PAGE_SIZE, analytics_error, choice, labelled, pager, tabs, translated

MOVES = ["down", "exited", "up", "new"]
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
        values = cells.assign(value=cells[measure].astype(float) / (fmt.WAN if measure == "aum_to" else 1))
        matrix = values.pivot(index="from_tier", columns="to_tier", values="value")
        matrix = matrix.reindex(index=[*codes, "new"], columns=[*codes, "exited"])
        matrix.index, matrix.columns = [names[c] for c in matrix.index], [names[c] for c in matrix.columns]
        st.subheader(f"{t('mi.matrix')} · {fmt.period(start)} → {fmt.period(end)}", help=definition(migration_matrix))
        st.plotly_chart(
            charts.heatmap(matrix, "", t("mi.col_to"), t("mi.row_from"), ".1%" if measure == "row_share" else ",.0f"),
            key="chart_matrix",
        )
        listed = cells[cells["customers"] > 0].reset_index(drop=True)
        st.markdown(f"**{t('mi.cells')}**")
        picked = selected_row(table(listed, "cells_table", select=True, height=260), len(listed))
        move = st.pills(
            t("mi.move"),
            MOVES,
            format_func=labelled(MOVES, lambda m: t(f"move.{m}")),
            key=translated("move"),
            bind="query-params",
        )
        download([(t("mi.matrix"), cells)], f"migration_{start}_{end}")
        if picked is not None:
            cell = listed.iloc[picked]
            what = {"from_tier": cell["from_tier"], "to_tier": cell["to_tier"]}
            title = f"{names[cell['from_tier']]} → {names[cell['to_tier']]}"
        elif move is not None:
            what, title = {"move": move}, t(f"move.{move}")
        else:
            what = None
        if what is not None:
            st.subheader(t("mi.customers", what=fmt.plain(title)), help=definition(migration_customers))
            total = query(migration_customers, start, end, view.scope, limit=0, **what).attrs["total_rows"]
            offset = pager(total, "page")
            table(
                query(migration_customers, start, end, view.scope, limit=PAGE_SIZE, offset=offset, **what),
                "customers_table",
            )
            download_query(
                migration_customers,
                (start, end, view.scope),
                what | {"limit": None},
                t("mi.customers", what=title)[:31],
                f"migration_customers_{start}_{end}",
            )

if sections["mi.sankey"].open:
    with sections["mi.sankey"]:
        sources = [f"{names[c]} {fmt.period(start)}" for c in codes] + [names["new"]]
        targets = [f"{names[c]} {fmt.period(end)}" for c in codes] + [names["exited"]]
        flows = cells.assign(
            source=[names["new"] if c == "new" else f"{names[c]} {fmt.period(start)}" for c in cells["from_tier"]],
            target=[names["exited"] if c == "exited" else f"{names[c]} {fmt.period(end)}" for c in cells["to_tier"]],
        )
        st.subheader(t("mi.sankey"), help=definition(migration_matrix))
        st.plotly_chart(charts.sankey(flows, sources, targets, ""), key="chart_sankey")

if sections["mi.projection"].open:
    with sections["mi.projection"]:
        try:
            projection = query(project_distribution, view.periods[0], end, 4, view.scope, "quarter")
        except ValueError:
            projection = query(project_distribution, view.periods[0], end, 3, view.scope, "period")
        shown = projection.assign(tier_name=projection["tier"].map(names))
        st.subheader(t("mi.projection"), help=definition(project_distribution))
        st.plotly_chart(
            charts.lines(
                shown, "period", "customers", "tier_name", "", column("customers"), order=[names[c] for c in codes]
            ),
            key="chart_projection",
        )
        table(projection, "projection_table", height=300)
        download([(t("mi.projection"), projection)], f"projection_{end}")
