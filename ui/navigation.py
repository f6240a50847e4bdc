"""The dashboard's pages: script, title key, icon and URL path of each, and the navigation over them.
The simulator, Data and Audit pages are HQ's only."""

from __future__ import annotations

import streamlit as st

from ui import i18n

PAGES = (
    ("views/overview.py", "page.overview", ":material/dashboard:", "overview"),
    ("views/tiers.py", "page.tiers", ":material/stacked_bar_chart:", "tiers"),
    ("views/migration.py", "page.migration", ":material/swap_vert:", "migration"),
    ("views/churn.py", "page.churn", ":material/person_remove:", "churn"),
    ("views/scorecard.py", "page.scorecard", ":material/leaderboard:", "scorecard"),
    ("views/explorer.py", "page.explorer", ":material/person_search:", "explorer"),
)
HQ_PAGES = (
    ("views/simulator.py", "page.simulator", ":material/science:", "simulator"),
    ("views/data.py", "page.data", ":material/database:", "data"),
    ("views/audit.py", "page.audit", ":material/policy:", "audit"),
)


def navigation(pages, position: str = "sidebar"):
    return st.navigation(
        [
            st.Page(path, title=i18n.t(title), icon=icon, url_path=url, default=(url == "overview"))
            for path, title, icon, url in pages
        ],
        position=position,
    )
