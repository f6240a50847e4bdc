"""The global sidebar: language, as-of quarter, the user's own unit. Everything is bound to the URL."""
from __future__ import annotations

import streamlit as st

from analytics import explorer, store, units
from analytics.periods import quarter_snapshots
from ui import format as fmt
from ui import i18n
from ui.connection import database_path
from ui.data import query, refresh_version
from ui.session import View, current_scope, set_view
from ui.widgets import choice, keep_translated_values

VIEW_LEVELS = ("all", *units.LEVELS)


def language() -> str:
    """The language toggle (?lang=en); zh-CN is the default, so it never shows in the URL."""
    return st.sidebar.segmented_control(
        i18n.t("sidebar.language"), i18n.LANGS, default="zh", required=True, key=i18n.LANG_KEY,
        format_func=lambda code: {"zh": "中文", "en": "en"}[code], bind="query-params",
        on_change=keep_translated_values)


def render() -> View:
    """Draw the sidebar's filters and return the view they select (also stored for the pages)."""
    refresh_version()
    scope = current_scope()
    periods = tuple(query(store.periods))
    if not periods:
        view = View(user_scope=scope, scope=scope)
        set_view(view)
        st.sidebar.caption(i18n.t("sidebar.db", path=database_path()))
        return view
    side = st.sidebar
    quarters = query(explorer.quarters)
    quarter = choice(i18n.t("sidebar.quarter"), quarters, "q", help=i18n.t("sidebar.quarter.help"),
                     where=side) if quarters else None
    start, end = quarter_snapshots(list(periods), quarter) if quarter else (None, periods[-1])
    level = choice(i18n.t("sidebar.view"), VIEW_LEVELS, "view", lambda v: i18n.t(f"level.{v}"),
                   help=i18n.t("sidebar.view.help"), where=side)
    unit = label = None
    if level != "all":
        names = query(units.unit_labels, level, scope)
        names = names[~units.is_unassigned(names["unit"])]
        labels = dict(zip(names["unit"], names["unit_name"]))
        unit = choice(i18n.t("sidebar.unit"), list(labels), "unit",
                      lambda u: labels[u] if labels[u] == u else f"{u} {labels[u]}", index=None,
                      placeholder=i18n.t("level.all"), where=side)
        label = None if unit is None else labels[unit]
    narrowed = query(explorer.narrow_scope, scope, None if unit is None else level, unit)
    side.caption(i18n.t("sidebar.asof", end=end, quarter=quarter or fmt.quarter(end), start=start or "—"))
    view = View(periods, quarter, start, end, None if unit is None else level, unit, label, scope, narrowed)
    set_view(view)
    return view
