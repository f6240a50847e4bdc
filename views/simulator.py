"""政策模拟 Policy simulator (HQ): edit the tier bounds, the maintained rules and the downgrade buffer, or upload a
policy file, and see the quarter side by side under the policy in force and under the edited one — tiers,
maintained customers per manager, churn, the branches' ranks and the customers who would change tier. Nothing is
stored: the policy in force changes only by a deliberate `python -m analytics load --policy FILE`."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import streamlit as st

from analytics.core.config import database_path
from analytics.core.policy import PolicyError, parse_policy
from analytics.core.policy_rules import CARD_LEVELS, Tiering
from analytics.core.policy_text import policy_toml
from analytics.metrics.churn import churn_by_unit
from analytics.metrics.whatif import compare_policies, tier_changes, what_if_store
from ui import charts
from ui import format as fmt
from ui.columns import tier_names
from ui.connection import get_connection
from ui.data import query
from ui.exports import context
from ui.i18n import column, lang, t
from ui.page_start import start_page
from ui.tables import download, download_bytes, policy, table
from ui.widgets import labelled

RESULT_KEY = "_simulation"
view = start_page("sim.title")
if view.quarter is None:
    st.info(t("no_quarter"), icon=":material/info:")
    st.stop()
st.caption(t("sim.intro"))
current = policy()
names = tier_names(current, lang())


CENT_OF_WAN = Decimal("0.000001")  # the form's 万元 figures, to the cent


def _wan(key: str) -> Decimal:
    """A 万元 number input of the form as CNY, to the cent (the widget returns a float)."""
    return Decimal(str(st.session_state[key])).quantize(CENT_OF_WAN) * 10_000


def _edited_policy():
    """The policy of the form (or of the uploaded file); None with an error shown when it cannot be used."""
    upload = st.session_state.get("sim_upload")
    try:
        if upload is not None:
            return parse_policy(upload.getvalue().decode("utf-8"), upload.name)
        tiers = tuple(
            replace(tier, min_aum=_wan(f"sim_min_{tier.code}")) if tier.rank else tier for tier in current.tiers
        )
        amounts = {
            key: (_wan(f"sim_{key}") or None) for key in ("credit_card_spend_ytd", "loan_balance", "depository_margin")
        }
        age = int(st.session_state["sim_age"])
        from_rank = next(t.rank for t in current.tiers if t.code == st.session_state["sim_from"])
        maintained = replace(
            current.maintained,
            from_rank=from_rank,
            card_levels=tuple(st.session_state["sim_cards"]),
            age_limits=((from_rank, age),) if age else (),
            **amounts,
        )
        buffer = None
        if st.session_state["sim_buffer"]:
            buffer = Tiering(Decimal(str(st.session_state["sim_margin"])) / 100, int(st.session_state["sim_after"]))
        edited = replace(current, tiers=tiers, maintained=maintained, tiering=buffer)
        return parse_policy(policy_toml(edited), "simulated.toml")  # the same checks as a policy file
    except (PolicyError, UnicodeDecodeError) as exc:
        st.error(t("sim.invalid", error=fmt.plain(exc)))
        return None


with st.form("sim_form"):
    st.markdown(f"**{t('sim.bounds')}**")
    cells = st.columns(len(current.tiers) - 1)
    for cell, tier in zip(cells, current.tiers[1:]):
        cell.number_input(names[tier.code], 0.0, 1e6, float(tier.min_aum) / 10_000, 0.5, key=f"sim_min_{tier.code}")
    st.markdown(f"**{t('sim.maintained')}**")
    rules = current.maintained
    left, middle, right = st.columns(3)
    codes = [tier.code for tier in current.tiers]
    left.selectbox(t("sim.from"), codes, index=rules.from_rank, format_func=names.get, key="sim_from")
    left.number_input(t("sim.age"), 0, 120, next((a for _, a in rules.age_limits), 0), key="sim_age")
    middle.multiselect(t("sim.cards"), list(CARD_LEVELS), list(rules.card_levels), key="sim_cards",
                       format_func=labelled(CARD_LEVELS, lambda c: t(f"card.{c}")), placeholder=t("sim.none"))  # fmt: skip
    for where, key in ((middle, "credit_card_spend_ytd"), (right, "loan_balance"), (right, "depository_margin")):
        bound = getattr(rules, key)
        where.number_input(t(f"sim.{key}"), 0.0, 1e5, float(bound or 0) / 10_000, 0.5, key=f"sim_{key}")
    st.markdown(f"**{t('sim.buffer')}**")
    left, middle, right = st.columns(3)
    buffer = current.tiering
    left.toggle(t("sim.buffer_on"), buffer is not None, key="sim_buffer")
    middle.number_input(t("sim.margin"), 0, 50, int((buffer.downgrade_margin if buffer else Decimal("0.1")) * 100),
                        key="sim_margin")  # fmt: skip
    right.number_input(t("sim.after"), 1, 12, buffer.downgrade_after if buffer else 2, key="sim_after")
    st.file_uploader(t("sim.upload"), type=["toml"], key="sim_upload")
    submitted = st.form_submit_button(t("sim.run"), type="primary", icon=":material/science:")

if submitted:
    edited = _edited_policy()
    if edited is not None:
        bar = st.progress(0.0, text=t("sim.running"))
        scratch = what_if_store(
            get_connection(), database_path(), edited, "scorecard", start=view.start, end=view.end,
            progress=lambda share, step: bar.progress(share, text=t("sim.running")),
        )  # fmt: skip
        try:
            results = compare_policies(get_connection(), scratch, view.start, view.end, view.scope)
            changes = tier_changes(scratch, view.end, view.scope)
        finally:
            scratch.close()
        bar.empty()
        st.session_state[RESULT_KEY] = (view.quarter, edited, results, changes)

if st.session_state.get(RESULT_KEY) is None or st.session_state[RESULT_KEY][0] != view.quarter:
    in_force = query(churn_by_unit, view.start, view.end, None, view.scope, False).iloc[0]
    left, right = st.columns(2)
    left.metric(t("sim.maintained_now", quarter=view.quarter), fmt.count(in_force["maintained_start"]))
    right.metric(t("sim.churn_now", quarter=view.quarter), fmt.percent(in_force["churn_rate"]))
    st.info(t("sim.hint"))
    st.stop()
_, edited, results, changes = st.session_state[RESULT_KEY]
codes = [tier.code for tier in current.tiers]

tiers = results["tiers"]
st.subheader(t("sim.tiers", period=fmt.period(view.end)))
bars = {"customers_now": t("sim.now"), "customers_what_if": t("sim.what_if")}
shown = tiers.assign(tier_name=tiers["tier"].map(names))
st.plotly_chart(
    charts.grouped_bars(
        shown, "tier_name", bars, "", percent=False, x_title=t("sim.axis_tier"), y_title=t("axis.customers")
    ),
    key="chart_tiers",
)
table(tiers, "sim_tiers")

left, right = st.columns(2)
churn = results["churn"].iloc[0]
left.subheader(t("sim.churn", quarter=view.quarter))
left.metric(t("sim.now"), fmt.percent(churn["churn_rate_now"]))
change = churn["churn_rate_what_if"] - churn["churn_rate_now"]
moved = fmt.signed_pp(change)
left.metric(t("sim.what_if"), fmt.percent(churn["churn_rate_what_if"]), moved, delta_color="inverse",
            delta_arrow=fmt.arrow(moved))  # fmt: skip
right.subheader(t("sim.managers"))
managers = results["managers"].assign(load=lambda f: f["load"].map(lambda code: t(f"load.{code}")))
right.dataframe(managers.rename(columns={"load": column("load"), "managers_now": t("sim.now"),
                                         "managers_what_if": t("sim.what_if")}), hide_index=True)  # fmt: skip

st.subheader(t("sim.ranks", quarter=view.quarter))
table(results["ranks"], "sim_ranks", height=320)

moved = changes.assign(
    tier_now=changes["tier_now"].map(lambda r: codes[int(r)]),
    tier_what_if=changes["tier_what_if"].map(lambda r: codes[int(r)]),
)
st.subheader(t("sim.changes", n=fmt.count(len(moved)), period=fmt.period(view.end)))
table(moved.head(500), "sim_changes", height=320)
name, about = context("sim.title", t("sim.tiers_sheet"), {t("policy_fingerprint"): edited.sha256[:12]})
download(
    [(t("sim.tiers_sheet"), tiers), (t("sim.ranks_sheet"), results["ranks"]), (t("sim.changes_sheet"), moved)],
    name,
    about,
)
download_bytes(lambda: policy_toml(edited).encode("utf-8"), "policy_simulated", t("sim.download_policy"))
