"""The dashboard's pages: script, title key, icon and URL path of each, and the navigation over them.
The simulator, Data and Audit pages are HQ's only."""

from __future__ import annotations

import streamlit as st

from ui import i18n

PAGES = (
    ("views/workbench.py", "page.workbench", ":material/checklist:", "workbench"),
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


def _landing() -> None:
    """Before sign-in the role (and so the landing page) is unknown: "/" resolves here, and after sign-in to the
    default page of the user's navigation."""


def navigation(pages, position: str = "sidebar", default: str | None = "overview"):
    """The navigation over `pages`, opening on the page of url path `default` (the workbench for non-HQ users);
    with default None, on a placeholder that the signed-in navigation replaces by its own default."""
    entries = [
        st.Page(path, title=i18n.t(title), icon=icon, url_path=url, default=(url == default))
        for path, title, icon, url in pages
    ]
    if default is None:
        entries.append(st.Page(_landing, title=i18n.t("app.title"), url_path="landing", default=True))
    return st.navigation(entries, position=position)
