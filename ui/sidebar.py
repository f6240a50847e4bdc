"""The global sidebar: language, as-of quarter, the user's own unit. Everything is bound to the URL.

The unit picker (查看范围) offers only the user's own level and the levels below it, and at the user's own level
only the user's own units, so neither a choice nor a URL parameter can name a unit outside the user's scope
(an unknown value in the URL is dropped by the widget, and analytics.access.narrow.narrow_scope intersects anyway).
"""

from __future__ import annotations

import streamlit as st

from analytics.access.narrow import narrow_scope
from analytics.core.config import database_path
from analytics.core.periods import quarter_snapshots
from analytics.core.units import LEVELS, is_unassigned
from analytics.metrics.labels import unit_labels
from analytics.store.catalog import loaded_periods
from analytics.store.catalog import quarters as comparable_quarters
from ui import format as fmt
from ui import i18n
from ui.data import query, refresh_version
from ui.session import View, current_scope, current_user, set_view
from ui.widgets import choice, keep_translated_values

ROLE_LEVELS = {role: LEVELS[LEVELS.index(role) :] for role in LEVELS} | {"hq": LEVELS}


def view_levels(role: str | None) -> tuple[str, ...]:
    """The levels a user of `role` may pick a unit at: their own and those below it (nothing else for others)."""
    return ("all", *ROLE_LEVELS.get(role or "", ()))


def language() -> str:
    """The language toggle (?lang=en); zh-CN is the default, so it never shows in the URL."""
    return st.sidebar.segmented_control(
        i18n.t("sidebar.language"),
        i18n.LANGS,
        default="zh",
        required=True,
        key=i18n.LANG_KEY,
        format_func=lambda code: {"zh": "中文", "en": "en"}[code],
        bind="query-params",
        on_change=keep_translated_values,
    )


def render() -> View:
    """Draw the sidebar's filters and return the view they select (also stored for the pages)."""
    refresh_version()
    scope = current_scope()
    periods = tuple(query(loaded_periods))
    if not periods:
        view = View(user_scope=scope, scope=scope)
        set_view(view)
        st.sidebar.caption(i18n.t("sidebar.db", path=database_path()))
        return view
    side = st.sidebar
    quarters = query(comparable_quarters)
    quarter = (
        choice(i18n.t("sidebar.quarter"), quarters, "q", help=i18n.t("sidebar.quarter.help"), where=side)
        if quarters
        else None
    )
    start, end = quarter_snapshots(list(periods), quarter) if quarter else (None, periods[-1])
    user = current_user()
    levels = view_levels(user and user.role)
    # everything the user may see: the whole bank for HQ (and the local demo user), "my scope" for the others
    everything = i18n.t("level.all" if user is None or user.role == "hq" else "level.all_mine")
    level = choice(
        i18n.t("sidebar.view"),
        levels,
        "view",
        lambda v: everything if v == "all" else i18n.t(f"level.{v}"),
        help=i18n.t("sidebar.view.help"),
        where=side,
    )
    unit = label = None
    if level in levels and level != "all":  # a value no option offers (a forged widget state) is ignored
        names = query(unit_labels, level, scope)
        names = names[~is_unassigned(names["unit"])]
        if user is not None and level == user.role:  # at their own level: only the user's own units
            names = names[names["unit"].isin({u.strip() for u in user.units})]
        labels = dict(zip(names["unit"], names["unit_name"]))
        unit = choice(
            i18n.t("sidebar.unit"),
            list(labels),
            "unit",
            lambda u: labels[u] if labels[u] == u else f"{u} {labels[u]}",
            index=None,
            placeholder=everything,
            where=side,
        )
        unit = unit if unit in labels else None
        label = None if unit is None else labels[unit]
    narrowed = query(narrow_scope, scope, None if unit is None else level, unit)
    side.caption(i18n.t("sidebar.asof", end=end, quarter=quarter or fmt.quarter(end), start=start or "—"))
    view = View(periods, quarter, start, end, None if unit is None else level, unit, label, scope, narrowed)
    set_view(view)
    return view
