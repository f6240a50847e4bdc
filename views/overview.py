"""总览 Overview: the quarter's headline cards against the previous quarter, and tiers over every period."""

from __future__ import annotations

import streamlit as st

from analytics.metrics.distribution import tier_distribution
from analytics.metrics.overview import quarter_overview
from ui import charts
from ui import format as fmt
from ui.columns import tier_names
from ui.data import query
from ui.i18n import lang, t
from ui.kouji import definition
from ui.page_start import start_page
from ui.tables import download, policy, table
from ui.widgets import analytics_error

view = start_page("ov.title")
if view.quarter is None:
    analytics_error(ValueError("no quarter with a loaded previous quarter"))
    st.stop()
st.caption(t("ov.caption", quarter=view.quarter, start=view.start, end=view.end))
overview = query(quarter_overview, view.quarter, view.scope)
now = overview.iloc[0]
before = overview.iloc[1] if len(overview) > 1 else None


def change(column: str):
    return None if before is None else now[column] - before[column]


CARDS = (
    ("ov.customers", "customers", fmt.count, fmt.signed_count, "normal"),
    ("ov.maintained", "maintained", fmt.count, fmt.signed_count, "normal"),
    ("ov.aum", "aum", fmt.yi, fmt.signed_yi, "normal"),
    ("ov.churn", "churn_rate", fmt.percent, fmt.signed_points, "inverse"),
    ("ov.upgrade", "upgrade_rate", fmt.percent, fmt.signed_points, "normal"),
    ("ov.coverage", "coverage_rate", fmt.percent, fmt.signed_points, "normal"),
    ("ov.growth", "growth", fmt.percent, fmt.signed_points, "normal"),
    ("ov.aum_growth", "aum_growth", fmt.percent, fmt.signed_points, "normal"),
)
for row in (CARDS[:4], CARDS[4:]):
    for box, (label, column, shown, delta, colour) in zip(st.columns(4), row):
        term = column if column.endswith(("rate", "growth")) else "stocks"
        box.metric(
            t(label),
            shown(now[column]),
            delta(change(column)),
            delta_color=colour,
            border=True,
            help=definition(quarter_overview, term),
        )

tiers = query(tier_distribution, view.scope)
names = tier_names(policy(), lang())
order = [names[tier.code] for tier in policy().tiers]
tiers = tiers.assign(tier_name=tiers["tier"].map(names), aum_yi=tiers["aum"].astype(float) / fmt.YI)
left, right = st.columns(2)
left.plotly_chart(
    charts.stacked_area(tiers, "period", "customers", "tier_name", order, t("ov.tiers_customers"), t("ov.customers")),
    key="chart_customers",
)
right.plotly_chart(
    charts.stacked_area(tiers, "period", "aum_yi", "tier_name", order, t("ov.tiers_aum"), t("yi")), key="chart_aum"
)
st.subheader(t("ov.tiers_customers"), help=definition(tier_distribution))
table(tiers.drop(columns=["tier_name", "aum_yi"]), "overview_tiers", height=300)
download(
    [(t("ov.title"), overview), (t("ov.tiers_customers"), tiers.drop(columns=["tier_name", "aum_yi"]))],
    f"overview_{view.quarter}",
)
