"""How every page starts: its title and, on an empty database, the empty state with its demo-bank button."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import streamlit as st

from analytics.core import config
from analytics.ingest.demo_bank import demo_extracts
from ui import i18n
from ui.loading import load_into_database
from ui.session import view


def start_page(title_key: str) -> Any:
    """The page's title; on an empty database the empty state, and the page stops there."""
    st.title(i18n.t(title_key))
    current = view()
    if current.empty:
        empty_state()
    return current


def empty_state(stop: bool = True) -> None:
    """What every page shows on an empty database: what to do, and a button that builds a demo bank."""
    customers, months = config.demo_size()
    st.info(
        f"**{i18n.t('empty.title')}**\n\n"
        + i18n.t("empty.body", path=config.database_path(), customers=customers, months=months),
        icon=":material/database:",
    )
    if st.button(i18n.t("empty.button"), type="primary", key="build_demo", icon=":material/rocket_launch:"):
        build_demo(customers, months)
        st.rerun()
    if stop:
        st.stop()


def build_demo(customers: int, months: int) -> None:
    bar = st.progress(0.0, text=i18n.t("empty.generating"))
    with tempfile.TemporaryDirectory() as folder:
        paths = demo_extracts(Path(folder), customers=customers, months=months)
        load_into_database(
            paths,
            count=months,
            progress=lambda step, part: bar.progress(min(1.0, part), text=i18n.t("empty.loading", step=step)),
        )
    bar.progress(1.0, text=i18n.t("empty.done"))
