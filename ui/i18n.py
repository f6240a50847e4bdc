"""Two languages, one at a time: zh-CN by default, ?lang=en switches. The tables are ui.labels and
ui.labels_display (labels by key; the second holds those of the display helpers) and ui.column_labels (headers by
column name)."""

from __future__ import annotations

import streamlit as st

from ui.column_labels import COLUMNS
from ui.labels import TEXT as LABELS
from ui.labels_display import TEXT as DISPLAY

TEXT: dict[str, tuple[str, str]] = {**LABELS, **DISPLAY}

LANGS = ("zh", "en")
LANG_KEY = "lang"


def lang() -> str:
    value = st.session_state.get(LANG_KEY)
    if value in LANGS:
        return value
    value = st.query_params.get(LANG_KEY)
    return value if value in LANGS else "zh"


def t(key: str, **values: object) -> str:
    text = TEXT[key][LANGS.index(lang())]
    return text.format(**values) if values else text


def column(name: str) -> str:
    pair = COLUMNS.get(name)
    return pair[LANGS.index(lang())] if pair else name
