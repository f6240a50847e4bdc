"""总览 Overview: the quarter's headline cards against the previous quarter, and tiers over every period."""

from __future__ import annotations

import streamlit as st

from analytics.metrics.distribution import tier_distribution
from analytics.metrics.overview import quarter_overview
from ui import charts
from ui import format as fmt
from ui.columns import tier_names
from ui.data import query
from ui.exports import context
from ui.i18n import lang, t
from ui.kouji import meaning
from ui.page_start import start_page
from ui.tables import download, policy, table

view = start_page("ov.title")
if view.quarter is None:
    st.info(t("no_quarter"), icon=":material/info:")
    st.stop()
st.caption(t("ov.caption", quarter=view.quarter, start=view.start, end=view.end))
overview = query(quarter_overview, view.quarter, view.scope)
now = overview.iloc[0]
before = overview.iloc[1] if len(overview) > 1 else None


def change(column: str):
    return None if before is None else now[column] - before[column]


CARDS = (
    ("ov.customers", "customers", fmt.count, fmt.signed_whole, "normal"),
    ("ov.maintained", "maintained", fmt.count, fmt.signed_whole, "normal"),
    ("ov.aum_card", "aum", None, None, "normal"),  # fmt.card_amount: the unit in the label in English
    ("ov.churn", "churn_rate", fmt.percent, fmt.signed_pp, "inverse"),
    ("ov.upgrade", "upgrade_rate", fmt.percent, fmt.signed_pp, "normal"),
    ("ov.coverage", "coverage_rate", fmt.percent, fmt.signed_pp, "normal"),
    ("ov.growth", "growth", fmt.percent, fmt.signed_pp, "normal"),
    ("ov.aum_growth", "aum_growth", fmt.percent, fmt.signed_pp, "normal"),
)
for row in (CARDS[:4], CARDS[4:]):
    for box, (label, column, shown, delta, colour) in zip(st.columns(4), row):
        term = column if column.endswith(("rate", "growth")) else "stocks"
        if shown is None:
            value, moved, unit = fmt.card_amount(now[column], change(column), lang())
            title = f"{t(label)} ({unit})" if unit else t(label)
        else:
            value, moved, title = shown(now[column]), delta(change(column)), t(label)
        box.metric(
            title,
            value,
            moved,
            delta_color=colour,
            delta_arrow=fmt.arrow(moved),
            border=True,
            help=meaning(quarter_overview, term),
        )

tiers = query(tier_distribution, view.scope)
names = tier_names(policy(), lang())
order = [names[tier.code] for tier in policy().tiers]
divisor, unit = fmt.scale(tiers.groupby("period")["aum"].sum().astype(float).max(), lang())  # the axis's scale
tiers = tiers.assign(tier_name=tiers["tier"].map(names), aum_yi=tiers["aum"].astype(float) / divisor)
left, right = st.columns(2)
left.plotly_chart(
    charts.stacked_area(tiers, "period", "customers", "tier_name", order, t("ov.tiers_customers"), t("axis.customers")),
    key="chart_customers",
)
right.plotly_chart(
    charts.stacked_area(
        tiers, "period", "aum_yi", "tier_name", order, t("ov.tiers_aum_scaled"), t("axis.amount", unit=unit)
    ),
    key="chart_aum",
)
st.subheader(t("ov.tiers_customers"), help=meaning(tier_distribution))
table(tiers.drop(columns=["tier_name", "aum_yi"]), "overview_tiers", height=300)
name, about = context("ov.title", t("ov.tiers_customers"))
download(
    [(t("ov.title"), overview), (t("ov.tiers_customers"), tiers.drop(columns=["tier_name", "aum_yi"]))], name, about
)
