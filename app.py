"""Entry point (`make run`): the global sidebar (language, quarter, own unit) and st.navigation over views/.

The page scripts live in views/, not pages/: Streamlit takes a pages/ folder beside the entry point for its legacy
multipage mode until st.navigation first runs, so the first request after a server start to a deep link
(/tiers) would run the page without this script (no sidebar, no filters), and AppTest re-detects it on every run.
"""
from __future__ import annotations

import streamlit as st

from ui import i18n, sidebar

st.set_page_config(page_title="客户分层分析 Tier analytics", page_icon="🏦", layout="wide")
sidebar.language()
PAGES = (
    ("views/overview.py", "page.overview", ":material/dashboard:", "overview"),
    ("views/tiers.py", "page.tiers", ":material/stacked_bar_chart:", "tiers"),
    ("views/migration.py", "page.migration", ":material/swap_vert:", "migration"),
    ("views/churn.py", "page.churn", ":material/person_remove:", "churn"),
    ("views/scorecard.py", "page.scorecard", ":material/leaderboard:", "scorecard"),
    ("views/explorer.py", "page.explorer", ":material/person_search:", "explorer"),
    ("views/data.py", "page.data", ":material/database:", "data"),
)
page = st.navigation([st.Page(path, title=i18n.t(title), icon=icon, url_path=url, default=(url == "overview"))
                      for path, title, icon, url in PAGES])
sidebar.render()
page.run()
