"""季度考核 Scorecard: the five indicators (保争挖抢培), score, rank, attainment and change of every unit of a
level for a quarter, the business year to date or any two month ends, with how the user's own unit scores
(points per indicator); the own unit pinned at the top; a row drills down to its units; role classes at manager
level; the role-tier mismatches; HQ's accountability of a business year; the workbook."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.access.narrow import narrow_scope
from analytics.core.config import followup_path
from analytics.core.indicators import INDICATOR_COLUMNS, INDICATORS
from analytics.core.units import LEVELS
from analytics.followup.log import last_contacts
from analytics.lists.coverage import unit_contact_coverage
from analytics.metrics.accountability import accountability, business_years, lost_high_value, year_snapshots
from analytics.metrics.churn import churn_by_unit
from analytics.metrics.distribution import vip_growth
from analytics.metrics.role_fit import role_mismatches
from analytics.metrics.scorecard import quarter_scorecard, scorecard
from ui import format as fmt
from ui.connection import get_connection
from ui.data import query
from ui.i18n import column, lang, t
from ui.kouji import meaning
from ui.page_start import start_page
from ui.scorecard_table import (
    AssessedPeriod,
    explanation,
    points_chart,
    scorecard_columns,
    scorecard_workbook,
    unit_label,
)
from ui.session import current_user
from ui.tables import download, download_bytes, policy, selected_row, table
from ui.widgets import choice, level_picker, tabs

view = start_page("sc.title")
if view.quarter is None:
    st.info(t("error.analytics", error="no quarter loaded"))
    st.stop()
helps = {c: meaning(scorecard, c) for c in ("score", "rank", *INDICATOR_COLUMNS)}  # the 口径 in words (ui.kouji_text)
user = current_user()
is_hq = user is not None and user.role == "hq"
sections = tabs("tab", ["sc.units_tab", "sc.roles_tab", *(["sc.accountability_tab"] if is_hq else [])])
NAMES = {indicator: column(col) for indicator, (col, _) in INDICATORS.items()}


def _explain(row: pd.Series, name: str) -> None:
    """The unit's score made visible: a chart of the points per indicator and the table behind it."""
    parts = explanation(row)
    st.markdown(f"**{t('sc.explain', unit=fmt.plain(name))}**")
    left, right = st.columns([1, 2])
    left.plotly_chart(points_chart(parts, NAMES, "", t("sc.points_got"), t("sc.points_full")), key="chart_points")
    shown = pd.DataFrame(
        {
            "indicator": [NAMES[i] for i in parts["indicator"]],
            "actual": parts["actual"].map(fmt.percent),
            "percentile": parts["percentile"].map(fmt.percent),
            "weight_share": parts["weight_share"].map(lambda w: fmt.percent(w, 0)),
            "points": parts["points"].map(lambda p: "—" if pd.isna(p) else f"{p:.1f}"),
            "target": parts["target"].map(fmt.percent),
            "attainment": parts["attainment"].map(fmt.percent),
            "change": parts["change"].map(lambda c: fmt.signed_points(c) or "—"),
            "points_change": parts["points_change"].map(lambda c: "—" if pd.isna(c) else f"{c:+.1f}"),
        }
    )
    headers = {name: st.column_config.TextColumn(column(name)) for name in shown.columns}
    right.dataframe(shown, hide_index=True, column_config=headers, key="explain_table")


def _mine(frame: pd.DataFrame, level: str) -> None:
    """The user's own unit: rank, score and indicator cards, and how the score is made."""
    mine = frame[frame["unit"] == view.unit] if view.level == level else frame.iloc[0:0]
    if not len(mine):
        if view.unit is not None:
            st.info(t("sc.not_ranked", unit=fmt.plain(view.unit_label or view.unit)))
        return
    row = mine.iloc[0]
    pool = frame if "role" not in frame or policy().rank_within is None else frame[frame["role"] == row["role"]]
    name = unit_label(view.unit_label or view.unit, lang())
    units = int(pool["rank"].notna().sum())
    st.success(t("sc.mine", unit=fmt.plain(name), rank=row["rank"], units=units, level=t(f"level.{level}")))
    if level == "manager" and pd.notna(row.get("branch_rank")):
        st.caption(t("sc.in_branch", unit=fmt.plain(row["branch_id"]), rank=row["branch_rank"], bank=row["rank"]))
    boxes = st.columns(6)
    score_delta = None if pd.isna(row.get("score_change")) else f"{row['score_change']:+.1f}"
    boxes[0].metric(column("score"), f"{row['score']:.1f}", score_delta, help=helps["score"], border=True)
    for box, (indicator, (value, _)) in zip(boxes[1:], INDICATORS.items()):
        target = row.get(f"{indicator}_target")
        note = "" if pd.isna(target) else f" · {column('target')} {fmt.percent(target)}"
        box.metric(
            column(value),
            fmt.percent(row[value]),
            fmt.signed_points(row.get(f"{value}_change")),
            delta_color="inverse" if value == "churn_rate" else "normal",
            help=helps[value] + note,
            border=True,
        )
        box.caption(f"{row[f'{indicator}_points']:.1f} / {100 * row[f'{indicator}_weight']:.0f}{note}")
    _explain(row, name)


def _period(where) -> AssessedPeriod | None:
    """The period chosen (bound to the URL): the sidebar's quarter, its business year to date, or two month ends."""
    kinds = ["quarter", "ytd", "custom"]
    kind = choice(t("sc.period"), kinds, "sc_period", labels=lambda k: t(f"sc.period.{k}"), where=where)
    periods = list(view.periods)
    if kind == "ytd":
        before = [p for p in periods if p.year == view.end.year - 1]
        if not before:
            st.info(t("sc.no_ytd"))
            return None
        return AssessedPeriod("ytd", before[-1], view.end)
    if kind == "custom":
        left, right = st.columns(2)
        start = choice(t("sc.from"), periods, "sc_from", index=periods.index(view.start), where=left)
        end = choice(t("sc.to"), periods, "sc_to", index=periods.index(view.end), where=right)
        if start is None or end is None or end <= start:
            st.warning(t("sc.custom_order"))
            return None
        return AssessedPeriod("custom", start, end)
    return AssessedPeriod("quarter", view.start, view.end, view.quarter)


def _card(period: AssessedPeriod, level: str, scope) -> pd.DataFrame:
    if period.kind == "quarter":
        return query(quarter_scorecard, period.quarter, level, scope)
    return query(scorecard, period.start, period.end, level, scope)


def _with_contact_coverage(frame: pd.DataFrame, period: AssessedPeriod, level: str) -> pd.DataFrame:
    """Each branch's or manager's contact coverage at the period's end beside its score (shown, never weighted)."""
    if frame.empty or level not in ("branch", "manager"):
        return frame
    contacts = last_contacts(followup_path(), until=period.end)
    covered = query(unit_contact_coverage, period.end, level, view.user_scope, contacts, period.end)
    return frame.merge(covered[["unit", "contact_coverage_rate"]], on="unit", how="left")


def _flows(period: AssessedPeriod) -> None:
    """Churn by tier and VIP growth of the user's view over the chosen period."""
    with st.expander(t("sc.flows", label=period.label(lang()))):
        churn = query(churn_by_unit, period.start, period.end, None, view.scope)
        columns = ["tier", "customers_start", "maintained_start", "churned", "churn_rate", "attrited", "attrition_rate"]
        st.markdown(f"**{t('sc.churn_tiers')}**")
        table(churn[[c for c in columns if c in churn]], "period_churn")
        growth = query(vip_growth, period.start, period.end, view.scope)
        st.markdown(f"**{t('sc.vip')}**")
        table(growth, "period_vip")


def _ranking() -> None:
    left, right = st.columns(2)
    level = level_picker("level", where=right)
    period = _period(left)
    if period is None:
        return
    frame = _with_contact_coverage(_card(period, level, view.user_scope), period, level)
    st.caption(t("sc.period_span", label=period.label(lang()), start=period.start, end=period.end))
    if period.kind != "quarter":
        st.caption(t("sc.no_change"))
    _mine(frame, level)
    if level == "manager" and "role" in frame and policy().rank_within is not None:
        roles = ["", *sorted(r for r in frame["role"].dropna().unique())]
        picked_role = choice(t("sc.role_pick"), roles, "role", labels=lambda r: r or t("sc.role_all"))
        if picked_role:
            frame = frame[frame["role"] == picked_role]
    shown = scorecard_columns(frame, lang(), view.unit if view.level == level else None)
    if shown["unit_name"].str.startswith("★").any():
        st.caption(t("sc.mine_pinned"))
    if frame["small_sample"].any():
        st.caption(t("small_sample"))
    child = LEVELS[LEVELS.index(level) + 1] if level != "manager" else None
    if child:
        level_name = t(f"level.{child}")
        st.markdown(f"**{t('sc.drill', child=level_name if lang() == 'zh' else level_name.lower())}**")
    state = table(shown, "scorecard_table", helps=helps, select=child is not None, height=420)
    picked = selected_row(state, len(shown))
    download([(t(f"level.{level}"), shown)], f"scorecard_{level}_{period.slug}")
    con, current_policy, chosen_lang = get_connection(), policy(), lang()
    download_bytes(
        lambda: scorecard_workbook(con, period, view.user_scope, current_policy, chosen_lang, is_hq),
        ("考核_" if chosen_lang == "zh" else "scorecard_") + period.slug,
        label=t("sc.workbook"),
    )
    _flows(period)
    if picked is not None and child:
        _drill(period, shown.iloc[picked], level, child)


def _drill(period: AssessedPeriod, parent: pd.Series, level: str, child: str) -> None:
    """The units of the chosen row; managers are shown in the branch that holds most of their book, ranked
    within it, with the bank-wide rank beside."""
    if child == "manager":
        managers = _card(period, "manager", view.user_scope)
        children = managers[managers["branch_id"] == parent["unit"]]
        children = children.assign(bank_rank=children["rank"], rank=children["branch_rank"])
    else:
        scope = query(narrow_scope, view.user_scope, level, parent["unit"])
        children = _card(period, child, scope)
        bank = _card(period, child, view.user_scope)[["unit", "rank"]]
        children = children.merge(bank.rename(columns={"rank": "bank_rank"}), on="unit", how="left")
    st.subheader(t("sc.drilled", unit=fmt.plain(parent["unit_name"]), child=t(f"level.{child}")))
    shown = scorecard_columns(children, lang())
    table(shown, "drill_table", helps=helps)
    download([(t(f"level.{child}"), shown)], f"scorecard_{child}_of_{parent['unit']}_{period.slug}")


def _roles() -> None:
    """Maintained customers held by a role the policy does not assign to their tier, at the as-of month end."""
    rules = [(tier, tier.maintained_by) for tier in policy().tiers if tier.maintained_by]
    if not rules:
        st.info(t("sc.roles_unset"))
        return
    names = " · ".join(f"{tier.name_zh if lang() == 'zh' else tier.name_en} — {' / '.join(r)}" for tier, r in rules)
    st.caption(t("sc.roles_policy", rules=fmt.plain(names)))
    found = query(role_mismatches, view.end, view.scope)
    st.subheader(t("sc.roles_title", period=view.end), help=meaning(role_mismatches))
    if not len(found):
        st.success(t("sc.roles_none"))
        return
    found = found.assign(unit_name=found["unit_name"].map(lambda name: unit_label(name, lang())))
    table(found, "roles_table", height=420)
    download([(t("sc.roles_tab"), found)], f"role_mismatch_{view.end}")


def _accountability() -> None:
    years = business_years(list(view.periods))
    if not years:
        st.info(t("sc.no_year"))
        return
    year = choice(t("sc.year"), years, "acc_year")
    by = choice(t("sc.by"), ["manager", "branch"], "acc_by", labels=lambda v: t(f"level.{v}"))
    start, end = year_snapshots(list(view.periods), int(year))
    st.caption(t("sc.year_span", year=year, start=start, end=end))
    tally = query(accountability, start, end, by, view.user_scope)
    tally = tally.assign(unit_name=tally["unit_name"].map(lambda name: unit_label(name, lang())))
    st.subheader(t("sc.acc_tally"), help=meaning(accountability))
    table(tally, "acc_tally")
    lost = query(lost_high_value, start, end, view.user_scope)
    lost = lost.assign(close_reason=lost["close_reason"].fillna("—"))
    st.subheader(t("sc.acc_list"), help=meaning(lost_high_value))
    table(lost, "acc_list", height=420)
    download([(t("sc.acc_tally"), tally), (t("sc.acc_list"), lost)], f"accountability_{by}_{year}")


if sections["sc.units_tab"].open:
    with sections["sc.units_tab"]:
        _ranking()
if sections["sc.roles_tab"].open:
    with sections["sc.roles_tab"]:
        _roles()
if is_hq and sections["sc.accountability_tab"].open:
    with sections["sc.accountability_tab"]:
        _accountability()
