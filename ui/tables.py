"""Result tables on screen (万元, %, translated headers, 口径 on the headers) with their .xlsx download."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from analytics.store.policy_record import current_policy, policy_in_force
from ui import i18n
from ui.audit_trail import exported
from ui.auth import current_user
from ui.columns import prepare
from ui.connection import get_connection
from ui.data import query
from ui.download_guard import guarded
from ui.frame_hash import FRAME_HASH
from ui.xlsx import MIME, sheet_rows, workbook

_CONFIG = {
    "money": lambda label, help: st.column_config.NumberColumn(label, format="%,.2f", help=help),
    "rate": lambda label, help: st.column_config.NumberColumn(label, format="%.2f%%", help=help),
    "count": lambda label, help: st.column_config.NumberColumn(label, format="%,d", help=help),
    "float": lambda label, help: st.column_config.NumberColumn(label, format="%.2f", help=help),
    "date": lambda label, help: st.column_config.DateColumn(label, format="YYYY-MM-DD", help=help),
    "datetime": lambda label, help: st.column_config.DatetimeColumn(label, format="YYYY-MM-DD HH:mm:ss", help=help),
    "flag": lambda label, help: st.column_config.CheckboxColumn(label, help=help),
    "text": lambda label, help: st.column_config.TextColumn(label, help=help),
}


def policy():
    return query(policy_in_force) or current_policy(get_connection())


def table(
    frame: pd.DataFrame, key: str, helps: dict[str, str] | None = None, select: bool = False, height: int | str = "auto"
) -> Any:
    """Show `frame`; with select=True one row can be chosen and the selection state is returned.

    Empty text cells read "—", flags read as words (⚠ 样本小 / 是 / 否), and columns with a banker's 口径
    (ui.labels_display help.<column>) carry it as their header's help unless `helps` gives another."""
    current, chosen = policy(), tuple(sorted((helps or {}).items()))
    if len(frame) <= SHARED_ROWS_MAX:
        shown, config = _shared_display(frame, chosen, i18n.lang(), current.sha256, current)
    else:
        shown, config = _display(frame, chosen, i18n.lang(), current)
    options: dict[str, Any] = {"on_select": "rerun", "selection_mode": "single-row"} if select else {}
    height = height if len(shown) > 10 else "auto"  # short tables without empty rows
    return st.dataframe(
        shown, hide_index=True, column_config=config, key=key, height=height, placeholder="—", **options
    )  # placeholder: an empty number cell reads —, not None


def _display(frame: pd.DataFrame, helps: tuple[tuple[str, str], ...], lang: str, current) -> tuple[pd.DataFrame, dict]:
    """The frame as `table` shows it in `lang` (the session's: its headers and flags are read from it), and its
    columns' config."""
    shown, kinds = prepare(frame, current, lang, percent_points=True)
    worded = {}
    for name in shown.columns:
        if kinds[name] == "flag":
            worded[name], kinds[name] = shown[name].map(lambda v, n=name: _flag(n, v)), "text"
        elif kinds[name] == "text":  # text stays Arrow-backed (a copy as Python objects cost more than the rest)
            text = shown[name] if isinstance(shown[name].dtype, pd.StringDtype) else shown[name].astype(object)
            worded[name] = text.where(text.notna() & (text != ""), "—")
    shown = shown.assign(**worded) if worded else shown  # one new frame, not a column at a time
    given = {c: i18n.t(f"help.{c}") for c in shown.columns if f"help.{c}" in i18n.TEXT} | dict(helps)
    return shown, {c: _CONFIG[kinds[c]](i18n.column(c), given.get(c)) for c in shown.columns}


# A table drawn before (a rerun, a page switch, another user with the same view) takes the frame prepared then: its
# translation and formatting cost more CPU than drawing it. Keyed on the whole frame (every value: ui.frame_hash),
# the helps, the language and the policy; st.dataframe only reads what it is given. Kept: a page of a list, a table
# of units (every branch, a branch's managers), at most SHARED_TABLES of them (a few MB at most each); a longer frame
# is prepared each time.
SHARED_ROWS_MAX = 2_000
SHARED_TABLES = 128


@st.cache_resource(max_entries=SHARED_TABLES, show_spinner=False, hash_funcs=FRAME_HASH)
def _shared_display(
    frame: pd.DataFrame, helps: tuple[tuple[str, str], ...], lang: str, policy_sha256: str, _policy
) -> tuple[pd.DataFrame, dict]:
    return _display(frame, helps, lang, _policy)  # policy_sha256: the policy in the key


def _flag(name: str, value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return "—"
    if name.endswith("small_sample"):
        return i18n.t("flag.small") if value else ""
    return i18n.t("flag.yes") if value else i18n.t("flag.no")


def download(
    sheets: list[tuple[str, pd.DataFrame]] | Callable[[], list[tuple[str, pd.DataFrame]]],
    name: str,
    about: list[tuple[str, str]] | None = None,
) -> None:
    """A download button for an .xlsx of `sheets` (or of what a callable returns), built only when clicked; with
    `about` (ui.exports.context) the workbook opens with a sheet stating page, unit, period and filters."""
    chosen_policy, chosen_lang = policy(), i18n.lang()
    download_bytes(lambda: workbook(sheets() if callable(sheets) else sheets, chosen_policy, chosen_lang, about), name)


def download_bytes(build: Callable[[], bytes], name: str, label: str | None = None) -> None:
    """A download button for the .xlsx that `build` returns when the button is clicked (not on every run).

    Every workbook served is recorded in the audit trail (user, file, sheets and rows) as it is built, and only
    after the user, role and scope are checked again (ui.download_guard).
    """
    st.download_button(
        label or i18n.t("download"),
        data=exported(guarded(build, name), name, sheet_rows, current_user()),
        file_name=f"{name}.xlsx",
        mime=MIME,
        key=f"download_{name}",
        icon=":material/download:",
    )


def download_query(
    function: Callable[..., pd.DataFrame],
    args: tuple,
    kwargs: dict,
    sheet: str,
    name: str,
    about: list[tuple[str, str]] | None = None,
) -> None:
    """A download of a whole list (every page of it): the query runs only when the button is clicked."""
    con = get_connection()
    download(lambda: [(sheet, function(con, *args, **kwargs))], name, about)


def selected_row(state: Any, rows: int) -> int | None:
    """The position of the chosen row of a table of `rows` rows shown with select=True, if any (a selection
    left over from a longer table before the filters changed is ignored)."""
    try:
        chosen = state.selection.rows
    except AttributeError:
        return None
    return chosen[0] if chosen and chosen[0] < rows else None
