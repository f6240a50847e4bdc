"""流失与留存 Churn & retention: churn and attrition by unit and tier (intervals, small samples), the retention
triangle, survival by starting tier, at-risk customers and HQ's list of churned high-value customers."""

from __future__ import annotations

import streamlit as st

from analytics.lists.actions import at_risk_customers, churned_high_value
from analytics.metrics.churn import churn_by_unit
from analytics.metrics.retention import retention_triangle, survival_by_tier
from ui import charts
from ui.columns import tier_names
from ui.data import query
from ui.i18n import column, lang, t
from ui.kouji import definition
from ui.page_start import start_page
from ui.tables import download, download_query, policy, table
from ui.widgets import PAGE_SIZE, level_picker, pager, tabs

view = start_page("ch.title")
if view.quarter is None:
    st.info(t("error.analytics", error="no quarter loaded"))
    st.stop()
names = tier_names(policy(), lang())
order = [names[tier.code] for tier in policy().tiers]
sections = tabs("tab", ["ch.units_tab", "ch.triangle_tab", "ch.survival_tab", "ch.at_risk_tab", "ch.high_value_tab"])
TOP = 40
RATES = {"churn_rate": column("churn_rate"), "attrition_rate": column("attrition_rate")}

if sections["ch.units_tab"].open:
    with sections["ch.units_tab"]:
        level = level_picker("by")
        units = query(churn_by_unit, view.start, view.end, level, view.scope, False)
        st.subheader(t("ch.by_unit", quarter=view.quarter), help=definition(churn_by_unit))
        worst = units.sort_values("churn_rate", ascending=False, na_position="last").head(TOP)
        st.plotly_chart(charts.rate_bars(worst, "unit_name", RATES, ""), key="chart_units")
        if len(units) > TOP:
            st.caption(t("ch.top", n=TOP))
        if units["churn_small_sample"].any():
            st.caption(t("small_sample"))
        table(units, "units_table", helps={c: definition(churn_by_unit, c) for c in RATES}, height=320)
        tiers = query(churn_by_unit, view.start, view.end, None, view.scope, True)
        st.subheader(t("ch.by_tier", quarter=view.quarter), help=definition(churn_by_unit))
        st.plotly_chart(
            charts.rate_bars(tiers.assign(tier_name=tiers["tier"].map(names)), "tier_name", RATES, ""),
            key="chart_tiers",
        )
        table(tiers, "tiers_table")
        by_unit_and_tier = query(churn_by_unit, view.start, view.end, level, view.scope, True)
        download(
            [
                (column("unit_name"), units),
                (column("tier"), tiers),
                (f"{column('unit_name')}×{column('tier')}", by_unit_and_tier),
            ],
            f"churn_{level}_{view.quarter}",
        )

if sections["ch.triangle_tab"].open:
    with sections["ch.triangle_tab"]:
        triangle = query(retention_triangle, view.scope)
        grid = triangle.pivot(index="cohort", columns="quarters_after", values="retention_rate")
        st.subheader(t("ch.triangle"), help=definition(retention_triangle))
        st.plotly_chart(charts.heatmap(grid, "", t("ch.quarters_after"), t("ch.cohort"), ".1%"), key="chart_triangle")
        table(triangle, "triangle_table", height=300)
        download([(t("ch.triangle_tab"), triangle)], "retention_triangle")

if sections["ch.survival_tab"].open:
    with sections["ch.survival_tab"]:
        survival = query(survival_by_tier, view.scope)
        st.subheader(t("ch.survival"), help=definition(survival_by_tier))
        st.plotly_chart(
            charts.lines(
                survival.assign(tier_name=survival["tier"].map(names)),
                "period",
                "survival",
                "tier_name",
                "",
                column("survival"),
                percent=True,
                order=order,
            ),
            key="chart_survival",
        )
        table(survival, "survival_table", height=300)
        download([(t("ch.survival_tab"), survival)], "survival_by_tier")

if sections["ch.at_risk_tab"].open:
    with sections["ch.at_risk_tab"]:
        left, right = st.columns(2)
        months = left.selectbox(t("ch.months"), [1, 3, 6, 12], index=1, key="months", bind="query-params")
        drop = right.slider(t("ch.drop"), 5, 90, 20, step=5, key="drop", bind="query-params")
        st.subheader(t("ch.at_risk", months=months, drop=drop), help=definition(at_risk_customers))
        try:
            total = query(at_risk_customers, view.end, view.scope, months, drop / 100, limit=0).attrs["total_rows"]
        except ValueError as error:
            st.info(t("error.analytics", error=error))
        else:
            offset = pager(total, "page")
            table(
                query(at_risk_customers, view.end, view.scope, months, drop / 100, limit=PAGE_SIZE, offset=offset),
                "at_risk_table",
            )
            download_query(
                at_risk_customers,
                (view.end, view.scope, months, drop / 100),
                {"limit": None},
                t("ch.at_risk_tab"),
                f"at_risk_{view.end}",
            )

if sections["ch.high_value_tab"].open:
    with sections["ch.high_value_tab"]:
        st.subheader(t("ch.high_value"), help=definition(churned_high_value))
        total = query(churned_high_value, view.start, view.end, view.scope, limit=0).attrs["total_rows"]
        offset = pager(total, "hq_page")
        table(
            query(churned_high_value, view.start, view.end, view.scope, limit=PAGE_SIZE, offset=offset),
            "high_value_table",
        )
        download_query(
            churned_high_value,
            (view.start, view.end, view.scope),
            {"limit": None},
            t("ch.high_value_tab"),
            f"churned_high_value_{view.quarter}",
        )
