"""客户分层 Tiers: tier x unit, the 二八 concentration and Lorenz curve, card levels and VIP growth, and the
customers just under the next tier."""

from __future__ import annotations

import streamlit as st

from analytics.lists.actions import upgrade_candidates
from analytics.metrics.distribution import (
    band_concentration,
    card_distribution,
    gini,
    lorenz_curve,
    tier_distribution,
    vip_growth,
)
from analytics.metrics.segments import card_tier_crosstab, relationship_types
from ui import charts, charts_matrix, charts_units
from ui import format as fmt
from ui.columns import tier_names
from ui.data import query
from ui.exports import context
from ui.i18n import TEXT, column, lang, t
from ui.kouji import meaning
from ui.page_start import start_page
from ui.session import own_unit
from ui.tables import download, download_query, policy, table
from ui.widgets import PAGE_SIZE, labelled, level_picker, pager, ranked, ranked_labels, tabs, translated, whole_number

MEASURES = ["customers", "aum"]
view = start_page("ti.title")
period = view.end
names = tier_names(policy(), lang())
order = [names[tier.code] for tier in policy().tiers]


sections = tabs("tab", ["ti.by_unit_tab", "ti.bands_tab", "ti.cards_tab", "ti.types_tab", "ti.candidates_tab"])

if sections["ti.by_unit_tab"].open:
    with sections["ti.by_unit_tab"]:
        level = level_picker("by")
        measure = (
            st.segmented_control(
                t("ti.measure"),
                MEASURES,
                default="customers",
                required=True,
                format_func=labelled(MEASURES, lambda m: t("ov.aum_card") if m == "aum" else column(m)),
                key=translated("measure"),
                bind="query-params",
            )
            or "customers"
        )  # an empty URL value clears it
        frame = query(tier_distribution, view.scope, level, [period])
        totals = frame.groupby(["unit", "unit_name"], as_index=False)[measure].sum()
        divisor, unit = fmt.scale(totals[measure].astype(float).abs().max(), lang()) if measure == "aum" else (1, "")
        mine = own_unit(level)
        st.subheader(t("ti.by_unit", period=fmt.period(period)), help=meaning(tier_distribution))
        chosen = ranked(totals, measure, "rank", mine=mine)
        labels = dict(zip(chosen["unit"], ranked_labels(chosen)))
        shown = frame[frame["unit"].isin(labels)].assign(
            tier_name=frame["tier"].map(names),
            bar=frame["unit"].map(labels),
            value=frame[measure].astype(float) / divisor,
        )
        shown = shown.set_index("unit").loc[list(labels)].reset_index()  # the ranked order
        st.plotly_chart(
            charts_units.unit_bars(
                shown, "bar", "value", "", t("axis.amount", unit=unit) if measure == "aum" else t("axis.customers"),
                colour="tier_name", order=order, mine=labels.get(mine),
            ),
            key="chart_by_unit",
        )  # fmt: skip
        table(frame, "table_by_unit", height=320)
        name, about = context(
            "ti.title", t("ti.by_unit_tab"), {t("level.label"): t(f"level.{level}")}, fmt.period(period)
        )
        download([(t("ti.by_unit_tab"), frame)], name, about)

if sections["ti.bands_tab"].open:
    with sections["ti.bands_tab"]:
        exclude = st.toggle(t("ti.exclude"), key="exclude", bind="query-params")
        bands = query(band_concentration, period, view.scope, exclude)
        labels = bands.assign(
            band_label=[
                t("band.below0") if floor is None else fmt.band_floor(floor, lang()) for floor in bands["floor"]
            ]
        )
        st.subheader(t("ti.bands"), help=meaning(band_concentration))
        left, right = st.columns(2)
        left.plotly_chart(
            charts.grouped_bars(
                labels,
                "band_label",
                {"customer_share": column("customer_share"), "aum_share": column("aum_share")},
                "",
                x_title=t("axis.band"),
                y_title=t("axis.share"),
            ),  # fmt: skip
            key="chart_bands",
        )
        curve = query(lorenz_curve, period, view.scope)
        coefficient = query(gini, period, view.scope)
        right.metric(
            t("ti.gini"), f"{coefficient['gini'].iloc[0]:.3f}" if len(coefficient) else "—", help=meaning(gini)
        )
        right.plotly_chart(
            charts.lorenz(curve, t("ti.lorenz"), t("ti.lorenz_curve"), t("equal"), t("ti.lorenz_x"), t("ti.lorenz_y")),
            key="chart_lorenz",
        )
        table(bands, "table_bands")
        excluded = {t("ti.exclude"): t("flag.yes")} if exclude else {}
        name, about = context("ti.title", t("ti.bands_tab"), excluded, fmt.period(period))
        download([(t("ti.bands_tab"), bands), (t("ti.lorenz"), curve)], name, about)

if sections["ti.cards_tab"].open:
    with sections["ti.cards_tab"]:
        if view.quarter is None:
            st.info(t("no_quarter"), icon=":material/info:")
        else:
            growth = query(vip_growth, view.start, view.end, view.scope)
            cards = query(card_distribution, period, view.scope)
            st.subheader(t("ti.cards", quarter=view.quarter), help=meaning(vip_growth))
            left, right = st.columns(2)
            with left:
                table(growth, "table_vip")
            right.plotly_chart(
                charts.grouped_bars(
                    cards.assign(card=[t(f"card.{c}") if f"card.{c}" in TEXT else "—" for c in cards["card_level"]]),
                    "card",
                    {"customers": column("customers")},
                    "",
                    percent=False,
                    x_title=t("axis.card"),
                    y_title=t("axis.customers"),
                ),
                key="chart_cards",
            )
            cross = query(card_tier_crosstab, period, view.scope)
            st.subheader(t("ti.crosstab", period=fmt.period(period)), help=meaning(card_tier_crosstab))
            vip_cards, top_rank = set(policy().relationship.vip_cards), len(policy().tiers) - 2
            below = cross[cross["card_level"].isin(vip_cards) & (cross["tier_rank"] < policy().maintained.from_rank)]
            top = cross[~cross["card_level"].isin(vip_cards) & (cross["tier_rank"] >= top_rank)]
            left, right = st.columns(2)
            left.metric(t("ti.vip_below"), fmt.count(below["customers"].sum()))
            right.metric(
                t("ti.top_without_vip", tier=names[policy().tiers[top_rank].code]), fmt.count(top["customers"].sum())
            )
            card_names = {c: t(f"card.{c}") for c in cross["card_level"].unique() if c != "none"} | {
                "none": t("card.none")
            }
            pivot = (
                cross.assign(tier_name=cross["tier"].map(names), card=cross["card_level"].map(card_names))
                .pivot(index="card", columns="tier_name", values="customers")[order]
                .reindex([card_names[c] for c in card_names])
            )
            shares = pivot.div(pivot.sum(axis=1).where(lambda total: total > 0), axis=0)
            st.plotly_chart(
                charts_matrix.shaded_heatmap(
                    pivot, shares, "", column("tier"), column("card_level"), ",.0f", t("ti.crosstab_colour")
                ),
                key="chart_crosstab",
            )
            name, about = context("ti.title", t("ti.cards_tab"))
            download(
                [(t("ti.cards_tab"), growth), (column("card_level"), cards), (t("ti.crosstab_sheet"), cross)],
                name,
                about,
            )

if sections["ti.types_tab"].open:
    with sections["ti.types_tab"]:
        types = query(relationship_types, period, view.scope)
        st.subheader(t("ti.types", period=fmt.period(period)), help=meaning(relationship_types))
        relationship_order = [t(f"rel.{code}") for code in ("vip", "to_win", "potential", "general")]
        shown = types.assign(
            tier_name=types["tier"].map(names),
            relationship_name=types["relationship"].map(lambda code: t(f"rel.{code}")),
            preference_name=types["preference"].map(lambda code: t(f"pref.{code}")),
        )
        left, right = st.columns(2)
        by_relationship = shown.groupby(["tier_name", "relationship_name"], as_index=False)["customers"].sum()
        left.plotly_chart(
            charts.stacked_bar(by_relationship, "tier_name", "customers", "relationship_name", relationship_order,
                               t("ti.by_relationship"), column("customers"), x_order=order),
            key="chart_relationship",
        )  # fmt: skip
        by_preference = shown.groupby(["tier_name", "preference_name"], as_index=False)["customers"].sum()
        preference_order = [t(f"pref.{code}") for code in ("deposit", "balanced", "fee", "unknown")]
        right.plotly_chart(
            charts.stacked_bar(by_preference, "tier_name", "customers", "preference_name", preference_order,
                               t("ti.by_preference"), column("customers"), x_order=order),
            key="chart_preference",
        )  # fmt: skip
        table(types, "table_types", height=320)
        name, about = context("ti.title", t("ti.types_tab"), period=fmt.period(period))
        download([(t("ti.types_tab"), types)], name, about)

if sections["ti.candidates_tab"].open:
    with sections["ti.candidates_tab"]:
        within = whole_number(t("ti.within"), 1, 30, 10, "within", width=320)
        first = query(upgrade_candidates, period, view.scope, within / 100, limit=0)
        offset = pager(first.attrs["total_rows"], "page")
        rows = query(upgrade_candidates, period, view.scope, within / 100, limit=PAGE_SIZE, offset=offset)
        st.subheader(t("ti.candidates", within=within), help=meaning(upgrade_candidates))
        table(rows, "table_candidates")
        name, about = context("ti.title", t("ti.candidates_tab"), {t("ti.within"): f"{within}%"}, fmt.period(period))
        download_query(
            upgrade_candidates, (period, view.scope, within / 100), {"limit": None}, t("ti.candidates_tab"), name, about
        )
