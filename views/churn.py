"""流失与留存 Churn & retention: churn and attrition by unit and tier (intervals, small samples), the retention
triangle, survival by starting tier, at-risk customers and HQ's list of churned high-value customers."""

from __future__ import annotations

import streamlit as st

from analytics.lists.actions import at_risk_customers, churned_high_value
from analytics.metrics.churn import churn_by_unit
from analytics.metrics.retention import retention_triangle, survival_by_tier
from ui import charts, charts_matrix, charts_units
from ui import format as fmt
from ui.columns import tier_names
from ui.data import query
from ui.exports import context
from ui.i18n import column, lang, t
from ui.kouji import meaning
from ui.page_start import start_page
from ui.session import own_unit
from ui.tables import download, download_query, policy, table
from ui.widgets import PAGE_SIZE, labelled, level_picker, pager, ranked, ranked_labels, tabs

view = start_page("ch.title")
if view.quarter is None:
    st.info(t("no_quarter"), icon=":material/info:")
    st.stop()
names = tier_names(policy(), lang())
order = [names[tier.code] for tier in policy().tiers]
sections = tabs("tab", ["ch.units_tab", "ch.triangle_tab", "ch.survival_tab", "ch.at_risk_tab", "ch.high_value_tab"])


RATES = {"churn_rate": column("churn_rate"), "attrition_rate": column("attrition_rate")}

if sections["ch.units_tab"].open:
    with sections["ch.units_tab"]:
        level = level_picker("by")
        units = query(churn_by_unit, view.start, view.end, level, view.scope, False)
        st.subheader(t("ch.by_unit", quarter=view.quarter), help=meaning(churn_by_unit))
        mine = own_unit(level)
        worst = ranked(units, "churn_rate", "rank", mine=mine, flagged=units["churn_small_sample"])
        worst = worst.assign(bar=ranked_labels(worst))
        own = worst.loc[worst["unit"] == mine, "bar"]
        st.plotly_chart(
            charts_units.unit_rate_bars(worst, "bar", RATES, "", t("ch.axis_rate"), own.iloc[0] if len(own) else None),
            key="chart_units",
        )
        if units["churn_small_sample"].any():
            st.caption(t("small_sample"))
        table(units, "units_table", helps={c: meaning(churn_by_unit, c) for c in RATES}, height=320)
        tiers = query(churn_by_unit, view.start, view.end, None, view.scope, True)
        st.subheader(t("ch.by_tier", quarter=view.quarter), help=meaning(churn_by_unit))
        st.plotly_chart(
            charts_units.unit_rate_bars(
                tiers.assign(tier_name=tiers["tier"].map(names)), "tier_name", RATES, "", t("ch.axis_rate")
            ),
            key="chart_tiers",
        )
        table(tiers.drop(columns=["unit", "unit_name"], errors="ignore"), "tiers_table")  # the view: no unit column
        by_unit_and_tier = query(churn_by_unit, view.start, view.end, level, view.scope, True)
        name, about = context("ch.title", t("ch.units_tab"), {t("level.label"): t(f"level.{level}")})
        download(
            [
                (column("unit_name"), units),
                (column("tier"), tiers),
                (f"{column('unit_name')}×{column('tier')}", by_unit_and_tier),
            ],
            name,
            about,
        )

if sections["ch.triangle_tab"].open:
    with sections["ch.triangle_tab"]:
        triangle = query(retention_triangle, view.scope)
        grid = triangle.pivot(index="cohort", columns="quarters_after", values="retention_rate")
        st.subheader(t("ch.triangle"), help=meaning(retention_triangle))
        st.plotly_chart(
            charts_matrix.shaded_heatmap(
                grid, grid, "", t("ch.axis_quarters"), t("ch.cohort"), ".1%", column("retention_rate")
            ),
            key="chart_triangle",
        )
        table(triangle, "triangle_table", height=300)
        name, about = context("ch.title", t("ch.triangle_tab"), period=fmt.period(view.end))
        download([(t("ch.triangle_tab"), triangle)], name, about)

if sections["ch.survival_tab"].open:
    with sections["ch.survival_tab"]:
        survival = query(survival_by_tier, view.scope)
        st.subheader(t("ch.survival"), help=meaning(survival_by_tier))
        st.plotly_chart(
            charts.lines(
                survival.assign(tier_name=survival["tier"].map(names), period=survival["period"].map(fmt.period)),
                "period",
                "survival",
                "tier_name",
                "",
                t("ch.axis_survival"),
                percent=True,
                order=order,
            ),
            key="chart_survival",
        )
        table(survival, "survival_table", height=300)
        name, about = context("ch.title", t("ch.survival_tab"), period=fmt.period(view.end))
        download([(t("ch.survival_tab"), survival)], name, about)

if sections["ch.at_risk_tab"].open:
    with sections["ch.at_risk_tab"]:
        left, right = st.columns(2)
        months = left.selectbox(
            t("ch.months"), [1, 3, 6, 12], index=1, key="months", bind="query-params",
            format_func=labelled([1, 3, 6, 12], lambda n: t("ch.months_label", n=n)),
        )  # fmt: skip
        drop = right.slider(t("ch.drop"), 5, 90, 20, step=5, key="drop", bind="query-params")
        st.subheader(t("ch.at_risk", months=months, drop=drop), help=meaning(at_risk_customers))
        try:
            total = query(at_risk_customers, view.end, view.scope, months, drop / 100, limit=0).attrs["total_rows"]
        except ValueError:  # the period that many months earlier is not loaded
            st.info(t("months_not_loaded"), icon=":material/info:")
        else:
            offset = pager(total, "page")
            table(
                query(at_risk_customers, view.end, view.scope, months, drop / 100, limit=PAGE_SIZE, offset=offset),
                "at_risk_table",
            )
            name, about = context(
                "ch.title", t("ch.at_risk_tab"), {t("ch.months"): t("ch.months_label", n=months), t("ch.drop"): f"{drop}%"},
                fmt.period(view.end),
            )  # fmt: skip
            download_query(
                at_risk_customers,
                (view.end, view.scope, months, drop / 100),
                {"limit": None},
                t("ch.at_risk_tab"),
                name,
                about,
            )

if sections["ch.high_value_tab"].open:
    with sections["ch.high_value_tab"]:
        st.subheader(t("ch.high_value"), help=meaning(churned_high_value))
        total = query(churned_high_value, view.start, view.end, view.scope, limit=0).attrs["total_rows"]
        offset = pager(total, "hq_page")
        table(
            query(churned_high_value, view.start, view.end, view.scope, limit=PAGE_SIZE, offset=offset),
            "high_value_table",
        )
        name, about = context("ch.title", t("ch.high_value_tab"))
        download_query(
            churned_high_value,
            (view.start, view.end, view.scope),
            {"limit": None},
            t("ch.high_value_tab"),
            name,
            about,
        )
