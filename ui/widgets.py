"""Widgets the pages share: level picker, pager, tabs and choices bound to the URL, analytics errors.

Filters are bound to the URL (bind="query-params") so that a view can be shared and reopened. Widgets whose
option labels are translated register their key, so that switching the language keeps their value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from analytics.core.units import LEVELS, is_unassigned
from ui import i18n
from ui.columns import unit_names

TRANSLATED_KEY = "_translated_widgets"
TABS_KEY = "_translated_tabs"
PAGE_SIZE = 50
RANKS = ("top", "bottom", "all")


def translated(key: str) -> str:
    """Remember a widget whose labels depend on the language (see keep_translated_values)."""
    st.session_state.setdefault(TRANSLATED_KEY, set()).add(key)
    return key


def keep_translated_values() -> None:
    """on_change of the language: re-assign translated widgets' values so they survive the new labels."""
    for key in st.session_state.get(TRANSLATED_KEY, set()):
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    for key, label_keys in st.session_state.get(TABS_KEY, {}).items():
        active = st.session_state.get(key)
        for label_key in label_keys:
            if active in i18n.TEXT[label_key]:
                st.session_state[key] = i18n.t(label_key)


def tabs(key: str, label_keys: Sequence[str]) -> dict[str, Any]:
    """Tabs bound to the URL that run lazily: only the open tab's code runs (check `.open`)."""
    st.session_state.setdefault(TABS_KEY, {})[key] = tuple(label_keys)
    containers = st.tabs([i18n.t(k) for k in label_keys], key=key, bind="query-params", on_change="rerun")
    return dict(zip(label_keys, containers))


def labelled(options: Sequence[Any], labels: Callable[[Any], str]) -> Callable[[Any], str]:
    """A format_func with the labels of this run's language fixed (a widget may format after the run)."""
    texts = {option: labels(option) for option in options}
    return lambda option: texts.get(option, str(option))


def choice(
    label: str,
    options: Sequence[Any],
    key: str,
    labels: Callable[[Any], str] | None = None,
    index: int | None = 0,
    help: str | None = None,
    placeholder: str | None = None,
    where: Any = st,
    on_change: Callable[[], None] | None = None,
) -> Any:
    """A URL-bound selectbox; `labels` (translated) registers the key as translated."""
    if labels is not None:
        translated(key)
    return where.selectbox(
        label,
        options,
        index=index,
        format_func=labelled(options, labels or str),
        key=key,
        help=help,
        bind="query-params",
        placeholder=placeholder,
        on_change=on_change,
    )


def level_picker(key: str, default: str = "branch", levels: Sequence[str] = LEVELS, where: Any = st) -> str:
    return choice(
        i18n.t("level.label"),
        list(levels),
        key,
        lambda v: i18n.t(f"level.{v}"),
        index=list(levels).index(default),
        where=where,
    )


def whole_number(label: str, low: int, high: int, default: int, key: str, where: Any = st, **options: Any) -> int:
    """A whole-number input bound to the URL. It is a float widget shown without decimals: Streamlit's int
    widgets fail on a URL value such as 1e309 (int(inf)) where float ones drop what is out of range."""
    value = where.number_input(
        label,
        min_value=float(low),
        max_value=float(high),
        value=float(default),
        step=1.0,
        format="%.0f",  # %d on a float widget logs a warning on every run
        key=key,
        bind="query-params",
        **options,
    )
    return int(value) if value is not None and low <= value <= high else default


def pager(total: int, key: str, size: int = PAGE_SIZE) -> int:
    """A page number input bound to the URL; returns the offset of the chosen page."""
    pages = max(1, -(-total // size))
    page = whole_number(i18n.t("page_no"), 1, pages, 1, key, width=160)
    st.caption(i18n.t("rows_total", total=total, page=page, pages=pages))
    return (int(page) - 1) * size


def analytics_error(error: Exception) -> None:
    st.warning(i18n.t("error.analytics", error=error), icon=":material/warning:")


def ranked(
    frame: pd.DataFrame,
    by: str,
    key: str,
    mine: str | None = None,
    n: int = 15,
    flagged: pd.Series | None = None,
    where: Any = st,
) -> pd.DataFrame:
    """The rows a chart of units shows, chosen by a URL-bound toggle: the top or bottom `n` by `by` (or all),
    sorted, with the user's own unit (`mine`) always included. Unassigned units and rows `flagged` (small
    samples) never lead: they are ranked after the others and shown only under "all" or as the user's own.

    Returns the chosen rows in order, with `rank_note` ("" or the translated flag) for the chart's labels.
    """
    few = len(frame) <= n  # a few units: all of them, no toggle
    pick = (
        "all"
        if few
        else (
            where.segmented_control(
                i18n.t("rank.label"),
                RANKS,
                default="top",
                required=True,
                format_func=labelled(RANKS, lambda r: i18n.t(f"rank.{r}", n=n)),
                key=translated(key),
                bind="query-params",
            )
            or "top"
        )
    )
    unassigned = is_unassigned(frame["unit"]) if "unit" in frame else pd.Series(False, index=frame.index)
    small = flagged.fillna(False).astype(bool) if flagged is not None else pd.Series(False, index=frame.index)
    notes = pd.Series("", index=frame.index).mask(small, i18n.t("rank.small")).mask(unassigned, i18n.t("unassigned"))
    frame = frame.assign(rank_note=notes, _aside=unassigned | small)
    ordered = frame.sort_values(["_aside", by], ascending=[True, pick == "bottom"], na_position="last")
    if pick != "all":
        eligible = ordered[~ordered["_aside"] & ordered[by].notna()]
        chosen = eligible.head(n)
        own = ordered[ordered["unit"] == mine] if mine is not None and "unit" in ordered else ordered.iloc[0:0]
        ordered = pd.concat([chosen, own[~own.index.isin(chosen.index)]])
        if len(frame) > len(ordered):
            where.caption(i18n.t("rank.shown", shown=len(ordered), total=len(frame)))
    return ordered.drop(columns="_aside")


def ranked_labels(rows: pd.DataFrame, name: str = "unit_name") -> list[str]:
    """The chart labels of rows from `ranked`: the unit's name, with its flag (unassigned, small sample)."""
    zh = i18n.lang() == "zh"
    labels = unit_names(rows[name], rows["unit"] if "unit" in rows else None, i18n.lang())
    return [
        label if not note or label.startswith(note) else (f"{label}（{note}）" if zh else f"{label} ({note})")
        for label, note in zip(labels, rows["rank_note"])
    ]
